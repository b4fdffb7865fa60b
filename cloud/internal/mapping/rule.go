package mapping

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Type is how a rule computes its value.
type Type string

// Rule types.
const (
	// Direct copies the source attribute named by Rule.Source.
	Direct Type = "direct"
	// Constant writes Rule.Value.
	Constant Type = "constant"
	// Expression evaluates Rule.Expression.
	Expression Type = "expression"
	// None leaves the target alone; on create it is filled with Default.
	None Type = "none"
)

// Apply is when a rule applies.
type Apply string

// When rules apply. The empty Apply means Always.
const (
	// Always writes the value on create and on every update (Graph flowType
	// Always).
	Always Apply = "always"
	// OnCreate writes the value only when the object is created (Graph
	// ObjectAddOnly).
	OnCreate Apply = "onCreate"
	// IfTargetEmpty writes the value on create, and on update only when the
	// directory holds no value for the attribute (Graph AttributeAddOnly):
	// Evaluated.FillIfEmpty.
	IfTargetEmpty Apply = "ifTargetEmpty"
)

// Rule maps one target attribute.
type Rule struct {
	Target     string `json:"target"`
	Type       Type   `json:"type"`
	Source     string `json:"source,omitempty"`     // Direct: source attribute name
	Value      string `json:"value,omitempty"`      // Constant
	Expression string `json:"expression,omitempty"` // Expression
	// Default is used when the value is null, on create only.
	Default *string `json:"default,omitempty"`
	Apply   Apply   `json:"apply,omitempty"`
	// MatchingPriority > 0 makes the rule a matching attribute; lower
	// priorities are tried first.
	MatchingPriority int `json:"matchingPriority,omitempty"`
	// FlowNullValues makes a null or empty value clear the target attribute
	// on update (Evaluated.Clear) instead of leaving it alone. Entra's
	// "Flow null values"; on create a null value still writes nothing (or
	// the default).
	FlowNullValues bool `json:"flowNullValues,omitempty"`
	// FlowAlways exports the value on every update even when the directory
	// already holds it (Graph flowBehavior FlowAlways): Evaluated.Force.
	FlowAlways bool `json:"flowAlways,omitempty"`
}

// Mapping is an ordered list of rules.
type Mapping struct {
	Rules []Rule `json:"rules"`
}

// ParseJSON decodes a mapping strictly: unknown fields and trailing data are
// errors. It does not validate rules; Compile does.
func ParseJSON(data []byte) (Mapping, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return Mapping{}, fmt.Errorf("mapping: decode: %w", err)
	}
	if dec.More() {
		return Mapping{}, fmt.Errorf("mapping: decode: unexpected data after the mapping")
	}
	return m, nil
}
