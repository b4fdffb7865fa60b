package schema

import (
	"encoding/json"
	"fmt"

	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

// The Graph shapes Export writes, fields in Graph's (alphabetical) order.
type (
	graphSchema struct {
		SynchronizationRules []graphRule `json:"synchronizationRules"`
	}
	graphRule struct {
		ObjectMappings      []graphObjectMapping `json:"objectMappings"`
		SourceDirectoryName string               `json:"sourceDirectoryName,omitempty"`
		TargetDirectoryName string               `json:"targetDirectoryName,omitempty"`
	}
	graphObjectMapping struct {
		AttributeMappings []graphAttributeMapping `json:"attributeMappings"`
		Enabled           bool                    `json:"enabled"`
		FlowTypes         string                  `json:"flowTypes"`
		Metadata          []struct{}              `json:"metadata"`
		Name              string                  `json:"name"`
		Scope             *graphFilter            `json:"scope"`
		SourceObjectName  string                  `json:"sourceObjectName"`
		TargetObjectName  string                  `json:"targetObjectName"`
	}
	graphAttributeMapping struct {
		DefaultValue            *string `json:"defaultValue"`
		ExportMissingReferences bool    `json:"exportMissingReferences"`
		FlowBehavior            string  `json:"flowBehavior"`
		FlowNullValues          bool    `json:"flowNullValues,omitempty"`
		FlowType                string  `json:"flowType"`
		MatchingPriority        int     `json:"matchingPriority"`
		Source                  *Source `json:"source"`
		TargetAttributeName     string  `json:"targetAttributeName"`
	}
	graphFilter struct {
		CategoryFilterGroups []graphGroup `json:"categoryFilterGroups"`
		Groups               []graphGroup `json:"groups"`
		InputFilterGroups    []graphGroup `json:"inputFilterGroups"`
	}
	graphGroup struct {
		Clauses []graphClause `json:"clauses"`
		Name    string        `json:"name"`
	}
	graphClause struct {
		OperatorName      string       `json:"operatorName"`
		SourceOperandName string       `json:"sourceOperandName"`
		TargetOperand     graphOperand `json:"targetOperand"`
	}
	graphOperand struct {
		Values []string `json:"values"`
	}
)

// Export writes o as a synchronization schema in Graph's shape, with one
// rule holding one object mapping, so Import(Export(o)) gives o back for a
// canonical o (rules with Apply set; expression rules that are more than a
// bare attribute or constant). Every source carries both its expression
// text and its tree. Flow null values is written as the attribute
// mapping's flowNullValues; no directories are written.
func Export(o Object) ([]byte, error) {
	om := graphObjectMapping{
		AttributeMappings: []graphAttributeMapping{},
		Enabled:           true,
		FlowTypes:         o.FlowTypes.String(),
		Metadata:          []struct{}{},
		Name:              o.Name,
		SourceObjectName:  o.SourceObject,
		TargetObjectName:  o.TargetObject,
	}
	for i, r := range o.Mapping.Rules {
		am, err := exportRule(r)
		if err != nil {
			return nil, fmt.Errorf("schema: export rules[%d] (%s): %w", i, r.Target, err)
		}
		om.AttributeMappings = append(om.AttributeMappings, am)
	}
	if len(o.Scope.Groups) > 0 || len(o.InputScope.Groups) > 0 {
		om.Scope = &graphFilter{
			CategoryFilterGroups: []graphGroup{},
			Groups:               exportGroups(o.Scope),
			InputFilterGroups:    exportGroups(o.InputScope),
		}
	}
	doc := graphSchema{SynchronizationRules: []graphRule{{
		ObjectMappings:      []graphObjectMapping{om},
		SourceDirectoryName: o.SourceDirectory,
		TargetDirectoryName: o.TargetDirectory,
	}}}
	return json.MarshalIndent(doc, "", "  ")
}

func exportRule(r mapping.Rule) (graphAttributeMapping, error) {
	am := graphAttributeMapping{
		DefaultValue:        r.Default,
		FlowBehavior:        "FlowWhenChanged",
		FlowNullValues:      r.FlowNullValues,
		MatchingPriority:    r.MatchingPriority,
		TargetAttributeName: r.Target,
	}
	if r.FlowAlways {
		am.FlowBehavior = "FlowAlways"
	}
	switch r.Apply {
	case "", mapping.Always:
		am.FlowType = "Always"
	case mapping.OnCreate:
		am.FlowType = "ObjectAddOnly"
	case mapping.IfTargetEmpty:
		am.FlowType = "AttributeAddOnly"
	default:
		return am, fmt.Errorf("%w: apply %q", ErrInvalid, r.Apply)
	}
	switch r.Type {
	case mapping.Direct:
		am.Source = attrSource(r.Source)
	case mapping.Constant:
		am.Source = constSource(r.Value)
	case mapping.Expression:
		s, err := SourceFromExpression(r.Expression)
		if err != nil {
			return am, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		am.Source = s
	case mapping.None:
	default:
		return am, fmt.Errorf("%w: type %q", ErrInvalid, r.Type)
	}
	return am, nil
}

func exportGroups(f scope.Filter) []graphGroup {
	out := []graphGroup{}
	for _, g := range f.Groups {
		gg := graphGroup{Name: g.Name, Clauses: []graphClause{}}
		for _, c := range g.Clauses {
			values := []string{}
			if c.Value != "" || !c.Operator.Unary() {
				values = append(values, c.Value)
			}
			gg.Clauses = append(gg.Clauses, graphClause{
				OperatorName:      string(c.Operator),
				SourceOperandName: c.Attribute,
				TargetOperand:     graphOperand{Values: values},
			})
		}
		out = append(out, gg)
	}
	return out
}
