package mapping

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

func TestCompileErrors(t *testing.T) {
	valid := []Rule{
		{Target: "employeeID", Type: Direct, Source: "externalId", MatchingPriority: 1},
		{Target: "givenName", Type: Direct, Source: "name.givenName"},
		{Target: "company", Type: Constant, Value: "Acme"},
		{Target: "department", Type: Expression, Expression: `Trim([dept])`},
	}
	with := func(r Rule) Mapping { return Mapping{Rules: append(append([]Rule(nil), valid...), r)} }
	tests := []struct {
		name string
		m    Mapping
		kind error
		want string
	}{
		{name: "expression does not compile", m: with(Rule{Target: "title", Type: Expression, Expression: `IIF([a]="x", Swtch([b], , "1", "2"), "")`}),
			kind: expr.ErrUnknownFunction, want: `rules[4] (title): expression: 1:14: unknown function "Swtch" (did you mean "Switch"?)`},
		{name: "duplicate target", m: with(Rule{Target: "GivenName", Type: Direct, Source: "nickName"}),
			kind: ErrDuplicateTarget, want: "rules[4] (GivenName): duplicate target: rules[1] already maps it (attribute names are case-insensitive)"},
		{name: "unknown type", m: with(Rule{Target: "title", Type: "copy", Source: "title"}),
			kind: ErrInvalidRule, want: `rules[4] (title): invalid rule: type must be one of direct, constant, expression, none; got "copy"`},
		{name: "missing type", m: with(Rule{Target: "title", Source: "title"}),
			kind: ErrInvalidRule, want: `rules[4] (title): invalid rule: type must be one of direct, constant, expression, none; got ""`},
		{name: "missing target", m: with(Rule{Type: Direct, Source: "title"}), kind: ErrInvalidRule, want: "rules[4] (): invalid rule: target is required"},
		{name: "padded target", m: with(Rule{Target: "title ", Type: Direct, Source: "title"}),
			kind: ErrInvalidRule, want: `rules[4] (title ): invalid rule: target "title " has leading or trailing spaces`},
		{name: "direct without source", m: with(Rule{Target: "title", Type: Direct}), kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a direct rule needs source"},
		{name: "direct with expression", m: with(Rule{Target: "title", Type: Direct, Source: "title", Expression: "[x]"}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a direct rule takes no expression"},
		{name: "constant without value", m: with(Rule{Target: "title", Type: Constant}), kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a constant rule needs value"},
		{name: "constant with default", m: with(Rule{Target: "title", Type: Constant, Value: "x", Default: ptr("y")}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a constant rule has no use for a default"},
		{name: "constant matching", m: with(Rule{Target: "title", Type: Constant, Value: "x", MatchingPriority: 2}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a constant rule cannot be a matching attribute"},
		{name: "expression without text", m: with(Rule{Target: "title", Type: Expression}), kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: an expression rule needs expression"},
		{name: "none with source", m: with(Rule{Target: "title", Type: None, Source: "x"}), kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a none rule takes no source"},
		{name: "none matching", m: with(Rule{Target: "title", Type: None, MatchingPriority: 2}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a none rule cannot be a matching attribute"},
		{name: "bad apply", m: with(Rule{Target: "title", Type: Direct, Source: "title", Apply: "ObjectAddOnly"}),
			kind: ErrInvalidRule, want: `rules[4] (title): invalid rule: apply must be one of always, onCreate, ifTargetEmpty; got "ObjectAddOnly"`},
		{name: "empty default", m: with(Rule{Target: "title", Type: Direct, Source: "title", Default: ptr("")}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: default must not be empty (the directory rejects empty strings)"},
		{name: "negative priority", m: with(Rule{Target: "title", Type: Direct, Source: "title", MatchingPriority: -1}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: matchingPriority must not be negative, got -1"},
		{name: "duplicate priority", m: with(Rule{Target: "mail", Type: Direct, Source: "mail", MatchingPriority: 1}),
			kind: ErrInvalidRule, want: "rules[4] (mail): invalid rule: matchingPriority 1 is already used by rules[0]"},
		{name: "constant flowing nulls", m: with(Rule{Target: "title", Type: Constant, Value: "x", FlowNullValues: true}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a constant rule is never null, so it cannot flow null values"},
		{name: "none flowing nulls", m: with(Rule{Target: "title", Type: None, FlowNullValues: true}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a none rule leaves the target alone, so it cannot flow null values"},
		{name: "none flowing always", m: with(Rule{Target: "title", Type: None, FlowAlways: true}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a none rule leaves the target alone, so it cannot flow always"},
		{name: "none if target empty", m: with(Rule{Target: "title", Type: None, Apply: IfTargetEmpty, Default: ptr("x")}),
			kind: ErrInvalidRule, want: "rules[4] (title): invalid rule: a none rule already fills only an empty target, on create; apply must be always or onCreate"},
		{name: "unique value as matching attribute", m: with(Rule{Target: "sAMAccountName", Type: Expression, MatchingPriority: 2,
			Expression: `SelectUniqueValue(Left([a], 3), Left([a], 4))`}),
			kind: ErrInvalidRule, want: "rules[4] (sAMAccountName): invalid rule: a matching attribute cannot use SelectUniqueValue: matching needs the value the record already has"},
		{name: "all problems reported", m: Mapping{Rules: []Rule{
			{Target: "a", Type: Expression, Expression: `Left([x]`},
			{Target: "b", Type: Direct, Source: "b"},
			{Target: "A", Type: Direct, Source: "b"},
		}}, kind: ErrExpression, want: "rules[0] (a): expression: 1:9: missing ')' to close Left( opened at 1:1 (add ')' at the end)\n" +
			"rules[2] (A): duplicate target: rules[0] already maps it (attribute names are case-insensitive)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.m)
			require.Nil(t, c)
			require.EqualError(t, err, tc.want)
			require.ErrorIs(t, err, tc.kind)
			var re *RuleError
			require.True(t, errors.As(err, &re))
		})
	}
}

func TestCompileEmpty(t *testing.T) {
	c, err := Compile(Mapping{})
	require.NoError(t, err)
	got, err := c.Evaluate(attrs("a", "b"), Create, EvalOptions{})
	require.NoError(t, err)
	require.Empty(t, got.Attrs)
	require.Empty(t, c.Matching())
}

func TestRuleJSON(t *testing.T) {
	m := Mapping{Rules: []Rule{
		{Target: "employeeID", Type: Direct, Source: "externalId", Apply: Always, MatchingPriority: 1},
		{Target: "sAMAccountName", Type: Expression, Expression: `Left([userName], 20)`, Apply: OnCreate, Default: ptr("x")},
		{Target: "company", Type: Constant, Value: "Acme"},
		{Target: "physicalDeliveryOfficeName", Type: None, Default: ptr("HQ")},
		{Target: "department", Type: Direct, Source: "dept", Apply: IfTargetEmpty, FlowNullValues: true, FlowAlways: true},
	}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	require.JSONEq(t, `{"rules":[
		{"target":"employeeID","type":"direct","source":"externalId","apply":"always","matchingPriority":1},
		{"target":"sAMAccountName","type":"expression","expression":"Left([userName], 20)","default":"x","apply":"onCreate"},
		{"target":"company","type":"constant","value":"Acme"},
		{"target":"physicalDeliveryOfficeName","type":"none","default":"HQ"},
		{"target":"department","type":"direct","source":"dept","apply":"ifTargetEmpty","flowNullValues":true,"flowAlways":true}
	]}`, string(b))

	back, err := ParseJSON(b)
	require.NoError(t, err)
	require.Equal(t, m, back)
}

func TestParseJSONStrict(t *testing.T) {
	_, err := ParseJSON([]byte(`{"rules":[{"target":"a","type":"direct","sourceAttribute":"b"}]}`))
	require.EqualError(t, err, `mapping: decode: json: unknown field "sourceAttribute"`)
	_, err = ParseJSON([]byte(`{"rules":[]} {}`))
	require.EqualError(t, err, "mapping: decode: unexpected data after the mapping")
	_, err = ParseJSON([]byte(`{"rules":[{"matchingPriority":"1"}]}`))
	require.Error(t, err)
}

func TestTargets(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "employeeID", Type: Direct, Source: "externalId", MatchingPriority: 1},
		{Target: "title", Type: Constant, Value: "x"},
		{Target: "manager", Type: None},
	}})
	require.NoError(t, err)
	require.Equal(t, []string{"employeeID", "title"}, c.Targets())
}

func TestCompiledSources(t *testing.T) {
	c, err := Compile(DefaultWorkdayAD())
	if err != nil {
		t.Fatal(err)
	}
	got := c.Sources()
	for _, want := range []string{"WorkerID", "Active", "FirstName", "LastName", "PreferredNameData", "ManagerReference", "UserID"} {
		if !slices.Contains(got, want) {
			t.Errorf("Sources() = %v, missing %s", got, want)
		}
	}
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("Sources() = %v, want sorted and unique", got)
	}
	c, err = Compile(Mapping{Rules: []Rule{{Target: "sn", Type: Constant, Value: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sources(); len(got) != 0 {
		t.Errorf("constant-only mapping Sources() = %v, want none", got)
	}
}
