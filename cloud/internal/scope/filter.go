package scope

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Operator is a clause's comparison, spelled as Entra spells it.
type Operator string

// The operators of Entra scoping filters.
const (
	Equals              Operator = "EQUALS"
	NotEquals           Operator = "NOT EQUALS"
	IsTrue              Operator = "IS TRUE"
	IsFalse             Operator = "IS FALSE"
	IsNull              Operator = "IS NULL"
	IsNotNull           Operator = "IS NOT NULL"
	RegexMatch          Operator = "REGEX MATCH"
	NotRegexMatch       Operator = "NOT REGEX MATCH"
	GreaterThan         Operator = "Greater_Than"
	GreaterThanOrEquals Operator = "Greater_Than_OR_EQUALS"
	Includes            Operator = "Includes"
	ExistsIn            Operator = "&"
	NotExistsIn         Operator = "!&"
	EndsWith            Operator = "ENDS_WITH"
)

// Operators lists every operator, in the order Entra's portal shows them.
func Operators() []Operator {
	return []Operator{ExistsIn, NotExistsIn, EndsWith, Equals, GreaterThan, GreaterThanOrEquals, Includes,
		IsFalse, IsNotNull, IsNull, IsTrue, NotEquals, NotRegexMatch, RegexMatch}
}

// Unary reports whether the operator takes no value.
func (o Operator) Unary() bool {
	switch o {
	case IsTrue, IsFalse, IsNull, IsNotNull:
		return true
	}
	return false
}

// Clause tests one source attribute.
type Clause struct {
	// Attribute is the source attribute name, case-sensitive.
	Attribute string   `json:"attribute"`
	Operator  Operator `json:"operator"`
	// Value is what the attribute is compared with; unary operators take
	// none.
	Value string `json:"value,omitempty"`
}

// Group is a scoping filter in Entra's portal terms: its clauses are
// AND-ed.
type Group struct {
	Name    string   `json:"name,omitempty"`
	Clauses []Clause `json:"clauses"`
}

// Filter is the groups of a job, OR-ed. The zero Filter keeps every record
// in scope.
type Filter struct {
	Groups []Group `json:"groups,omitempty"`
}

// ParseJSON decodes a filter strictly: unknown fields and trailing data are
// errors. {} and an empty input are the empty filter. It does not validate
// clauses; Compile does.
func ParseJSON(data []byte) (Filter, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Filter{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Filter
	if err := dec.Decode(&f); err != nil {
		return Filter{}, fmt.Errorf("scope: decode: %w", err)
	}
	if dec.More() {
		return Filter{}, fmt.Errorf("scope: decode: unexpected data after the filter")
	}
	return f, nil
}

// Attributes lists the source attributes the filter reads, sorted and
// without duplicates.
func (f Filter) Attributes() []string {
	var out []string
	for _, g := range f.Groups {
		for _, c := range g.Clauses {
			out = append(out, c.Attribute)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
