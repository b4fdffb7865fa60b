package scope

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompileErrors(t *testing.T) {
	one := func(cl Clause) Filter {
		return Filter{Groups: []Group{
			{Clauses: []Clause{{Attribute: "WorkerID", Operator: IsNotNull}}},
			{Clauses: []Clause{{Attribute: "Active", Operator: IsTrue}, cl}},
		}}
	}
	tests := []struct {
		name string
		f    Filter
		kind error
		want string
	}{
		{name: "bad regex", f: one(Clause{Attribute: "WorkerID", Operator: RegexMatch, Value: "(1[0-9"}), kind: ErrRegex,
			want: "groups[1].clauses[1]: invalid regular expression \"(1[0-9\" for WorkerID: error parsing regexp: missing closing ]: `[0-9`"},
		{name: ".NET-only look-ahead", f: one(Clause{Attribute: "mail", Operator: NotRegexMatch, Value: "(?!x)"}), kind: ErrRegex,
			want: "groups[1].clauses[1]: invalid regular expression \"(?!x)\" for mail: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
		{name: "non-integer constant", f: one(Clause{Attribute: "age", Operator: GreaterThan, Value: "5.0"}), kind: ErrNotInteger,
			want: `groups[1].clauses[1]: invalid clause: Greater_Than compares integers, and "5.0" is not an integer`},
		{name: "empty constant for an integer operator", f: one(Clause{Attribute: "age", Operator: GreaterThanOrEquals}), kind: ErrInvalidClause,
			want: `groups[1].clauses[1]: invalid clause: Greater_Than_OR_EQUALS needs a value`},
		{name: "unary with a value", f: one(Clause{Attribute: "a", Operator: IsNull, Value: "x"}), kind: ErrInvalidClause,
			want: `groups[1].clauses[1]: invalid clause: IS NULL takes no value, got "x"`},
		{name: "binary without a value", f: one(Clause{Attribute: "a", Operator: Equals}), kind: ErrInvalidClause,
			want: `groups[1].clauses[1]: invalid clause: EQUALS needs a value`},
		{name: "operator spelled differently", f: one(Clause{Attribute: "a", Operator: "not_equals", Value: "x"}), kind: ErrUnknownOperator,
			want: `groups[1].clauses[1]: unknown operator "not_equals" (did you mean "NOT EQUALS"? operator names are exact)`},
		{name: "unknown operator", f: one(Clause{Attribute: "a", Operator: "IsMemberOf", Value: "x"}), kind: ErrUnknownOperator,
			want: `groups[1].clauses[1]: unknown operator "IsMemberOf" (one of &, !&, ENDS_WITH, EQUALS, Greater_Than, Greater_Than_OR_EQUALS, Includes, IS FALSE, IS NOT NULL, IS NULL, IS TRUE, NOT EQUALS, NOT REGEX MATCH, REGEX MATCH)`},
		{name: "missing attribute", f: one(Clause{Operator: IsNull}), kind: ErrInvalidClause,
			want: `groups[1].clauses[1]: invalid clause: attribute is required`},
		{name: "padded attribute", f: one(Clause{Attribute: "a ", Operator: IsNull}), kind: ErrInvalidClause,
			want: `groups[1].clauses[1]: invalid clause: attribute "a " has leading or trailing spaces`},
		{name: "empty group and every problem reported", f: Filter{Groups: []Group{
			{Name: "nothing"},
			{Clauses: []Clause{{Attribute: "a", Operator: "=", Value: "x"}, {Attribute: "b", Operator: RegexMatch, Value: "["}}},
		}}, kind: ErrInvalidClause,
			want: "groups[0]: invalid clause: a group needs at least one clause\n" +
				`groups[1].clauses[0]: unknown operator "=" (one of &, !&, ENDS_WITH, EQUALS, Greater_Than, Greater_Than_OR_EQUALS, Includes, IS FALSE, IS NOT NULL, IS NULL, IS TRUE, NOT EQUALS, NOT REGEX MATCH, REGEX MATCH)` + "\n" +
				"groups[1].clauses[1]: invalid regular expression \"[\" for b: error parsing regexp: missing closing ]: `[`"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.f)
			require.Nil(t, c)
			require.EqualError(t, err, tc.want)
			require.ErrorIs(t, err, tc.kind)
			var ce *ClauseError
			require.True(t, errors.As(err, &ce))
		})
	}
	require.Panics(t, func() { MustCompile(Filter{Groups: []Group{{}}}) })
}

func TestFilterJSON(t *testing.T) {
	f := Filter{Groups: []Group{
		{Name: "Employees", Clauses: []Clause{
			{Attribute: "WorkerID", Operator: RegexMatch, Value: "(1[0-9]{6})"},
			{Attribute: "EmployeeID", Operator: IsNotNull},
		}},
		{Clauses: []Clause{{Attribute: "userStatus", Operator: NotEquals, Value: "e"}}},
	}}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	require.JSONEq(t, `{"groups":[
		{"name":"Employees","clauses":[
			{"attribute":"WorkerID","operator":"REGEX MATCH","value":"(1[0-9]{6})"},
			{"attribute":"EmployeeID","operator":"IS NOT NULL"}]},
		{"clauses":[{"attribute":"userStatus","operator":"NOT EQUALS","value":"e"}]}
	]}`, string(b))
	back, err := ParseJSON(b)
	require.NoError(t, err)
	require.Equal(t, f, back)

	b, err = json.Marshal(Filter{})
	require.NoError(t, err)
	require.Equal(t, `{}`, string(b), "the store keeps {} for no filter")
}

func TestParseJSON(t *testing.T) {
	for _, in := range []string{``, `  `, `{}`, `{"groups":[]}`, `{"groups":null}`} {
		f, err := ParseJSON([]byte(in))
		require.NoError(t, err, in)
		require.Empty(t, f.Groups, in)
	}
	_, err := ParseJSON([]byte(`{"groups":[{"clauses":[{"attribute":"a","operatorName":"EQUALS"}]}]}`))
	require.EqualError(t, err, `scope: decode: json: unknown field "operatorName"`)
	_, err = ParseJSON([]byte(`{} {}`))
	require.EqualError(t, err, "scope: decode: unexpected data after the filter")
	_, err = ParseJSON([]byte(`{"groups":{}}`))
	require.Error(t, err)
}
