package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

var (
	attributeMappingFields = []string{"defaultValue", "exportMissingReferences", "flowBehavior", "flowNullValues", "flowType", "matchingPriority", "source", "targetAttributeName"}
	sourceFields           = []string{"expression", "name", "parameters", "type"}
	parameterFields        = []string{"key", "value"}
)

// objectMapping reads the user object mapping and compiles what it found,
// so errors of the mapping and filter compilers are reported at their
// paths too.
func (e *errs) objectMapping(c candidate, dirs dirIndex) Object {
	p, om := c.path, c.fields
	obj := Object{
		Name:            e.str(join(p, "name"), om["name"]),
		SourceDirectory: e.str(join(c.rulePath, "sourceDirectoryName"), c.rule["sourceDirectoryName"]),
		TargetDirectory: e.str(join(c.rulePath, "targetDirectoryName"), c.rule["targetDirectoryName"]),
		SourceObject:    e.str(join(p, "sourceObjectName"), om["sourceObjectName"]),
		TargetObject:    e.str(join(p, "targetObjectName"), om["targetObjectName"]),
	}
	ft, err := ParseFlowTypes(e.str(join(p, "flowTypes"), om["flowTypes"]))
	if err != nil {
		e.add(join(p, "flowTypes"), err)
	}
	obj.FlowTypes = ft
	e.array(join(p, "metadata"), om["metadata"])

	gates := dirs.attributes(obj.SourceDirectory, obj.SourceObject)
	var rulePaths []string
	for i, ar := range e.array(join(p, "attributeMappings"), om["attributeMappings"]) {
		apath := index(join(p, "attributeMappings"), i)
		if r, ok := e.attributeMapping(apath, ar, gates); ok {
			obj.Mapping.Rules = append(obj.Mapping.Rules, r)
			rulePaths = append(rulePaths, apath)
		}
	}
	if _, err := mapping.Compile(obj.Mapping); err != nil {
		for _, err := range unjoin(err) {
			var re *mapping.RuleError
			if !errors.As(err, &re) {
				e.add(join(p, "attributeMappings"), err)
				continue
			}
			path := rulePaths[re.Index]
			if errors.Is(re.Err, mapping.ErrExpression) {
				path = join(path, "source")
			}
			e.add(path, re.Err)
		}
	}

	spath := join(p, "scope")
	obj.Scope, obj.InputScope = e.filter(spath, om["scope"])
	for _, f := range []struct {
		field  string
		filter scope.Filter
	}{{"groups", obj.Scope}, {"inputFilterGroups", obj.InputScope}} {
		if _, err := scope.Compile(f.filter); err != nil {
			for _, err := range unjoin(err) {
				var ce *scope.ClauseError
				if !errors.As(err, &ce) {
					e.add(join(spath, f.field), err)
					continue
				}
				// ce.Path() is groups[i]…; the field names the group list.
				e.add(join(spath, f.field+strings.TrimPrefix(ce.Path(), "groups")), ce.Err)
			}
		}
	}
	return obj
}

// unjoin undoes errors.Join.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// attributeMapping reads one attributeMapping into a rule. gates are the
// source attributes' flowNullValues flags (nil: unknown).
func (e *errs) attributeMapping(p string, r raw, gates map[string]bool) (mapping.Rule, bool) {
	am, ok := e.object(p, r, attributeMappingFields...)
	if !ok {
		e.addf(p, "%w: expected an attribute mapping object", ErrType)
		return mapping.Rule{}, false
	}
	rule := mapping.Rule{Target: e.str(join(p, "targetAttributeName"), am["targetAttributeName"])}
	if d := e.optStr(join(p, "defaultValue"), am["defaultValue"]); d != nil && *d != "" {
		rule.Default = d
	}
	rule.MatchingPriority = e.integer(join(p, "matchingPriority"), am["matchingPriority"])
	switch ft := e.str(join(p, "flowType"), am["flowType"]); ft {
	case "", "Always":
		rule.Apply = mapping.Always
	case "ObjectAddOnly":
		rule.Apply = mapping.OnCreate
	case "AttributeAddOnly":
		rule.Apply = mapping.IfTargetEmpty
	case "MultiValueAddOnly", "ValueAddOnly":
		e.addf(join(p, "flowType"), "%q is %w: hrsync does not add values to multi-valued attributes without removing others; use Always or ObjectAddOnly", ft, ErrUnsupported)
	default:
		e.addf(join(p, "flowType"), "%w %q (expected Always, ObjectAddOnly, AttributeAddOnly, ValueAddOnly or MultiValueAddOnly)", ErrInvalid, ft)
	}
	switch fb := e.str(join(p, "flowBehavior"), am["flowBehavior"]); fb {
	case "", "FlowWhenChanged":
	case "FlowAlways":
		rule.FlowAlways = true
	default:
		e.addf(join(p, "flowBehavior"), "%w %q (expected FlowWhenChanged or FlowAlways)", ErrInvalid, fb)
	}
	if e.boolean(join(p, "exportMissingReferences"), am["exportMissingReferences"], false) {
		e.addf(join(p, "exportMissingReferences"), "true is %w: hrsync exports references only to objects it has provisioned", ErrUnsupported)
	}
	src := e.source(join(p, "source"), am["source"])
	attrs, ok := e.ruleSource(join(p, "source"), src, &rule)
	if !ok {
		return mapping.Rule{}, false
	}
	if e.boolean(join(p, "flowNullValues"), am["flowNullValues"], false) {
		rule.FlowNullValues = rule.Type == mapping.Constant || rule.Type == mapping.None || allFlowNulls(attrs, gates)
	}
	return rule, true
}

// allFlowNulls is the source half of "Flow null values": every source
// attribute the rule reads has flowNullValues in the source object's
// definition. Without a definition to check, the mapping's flag decides.
func allFlowNulls(attrs []string, gates map[string]bool) bool {
	if gates == nil {
		return true
	}
	for _, a := range attrs {
		if !gates[a] {
			return false
		}
	}
	return true
}

// ruleSource turns a source tree into the rule's type and value, and
// returns the source attributes it reads. A nil source is a None rule.
func (e *errs) ruleSource(p string, s *Source, rule *mapping.Rule) (attrs []string, ok bool) {
	if s == nil {
		rule.Type = mapping.None
		return nil, true
	}
	text, at := s.Expression, join(p, "expression")
	if text == "" {
		if !e.validTree(p, s) {
			return nil, false
		}
		text, at = render(s), p
	}
	n, err := expr.Parse(text)
	if err != nil {
		e.add(at, fmt.Errorf("%w: %w", ErrInvalid, err))
		return nil, false
	}
	want := SourceFunction
	switch n := n.(type) {
	case *expr.AttrRef:
		rule.Type, rule.Source, want = mapping.Direct, n.Name, SourceAttribute
	case *expr.StringLit:
		rule.Type, rule.Value, want = mapping.Constant, n.Value, SourceConstant
	case *expr.NumberLit:
		rule.Type, rule.Value, want = mapping.Constant, n.Value, SourceConstant
	default:
		rule.Type, rule.Expression = mapping.Expression, text
	}
	if s.Type != "" && s.Type != want {
		e.addf(join(p, "type"), "%w %q: the expression %s is a %s", ErrInvalid, s.Type, shorten(text), want)
		return nil, false
	}
	return attributesOf(n), true
}

// attributesOf lists the attributes an expression reads.
func attributesOf(n expr.Node) []string {
	switch n := n.(type) {
	case *expr.AttrRef:
		return []string{n.Name}
	case *expr.Compare:
		return append(attributesOf(n.Left), attributesOf(n.Right)...)
	case *expr.Call:
		var out []string
		for _, a := range n.Args {
			out = append(out, attributesOf(a)...)
		}
		return out
	}
	return nil
}
