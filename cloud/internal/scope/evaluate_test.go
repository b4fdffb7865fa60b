package scope

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

var (
	null  = expr.Null()
	empty = expr.String("")
	s     = expr.String
)

func multi(ss ...string) expr.Value { return expr.Multi(ss) }

// outcome of one clause on one value.
type outcome int

const (
	no outcome = iota
	yes
	undecided // ErrMultiValued
)

type input struct {
	v    expr.Value
	want outcome
}

type operatorCase struct {
	op     Operator
	value  string
	inputs []input
}

func operatorCases() []operatorCase {
	return []operatorCase{
		{Equals, "Sales", []input{{s("Sales"), yes}, {s("sales"), no}, {s("Sales "), no}, {s("Sale"), no},
			{null, no}, {empty, no}, {multi("Sales"), yes}, {multi("Sales", "Sales"), undecided}}},
		{NotEquals, "Sales", []input{{s("Marketing"), yes}, {s("sales"), yes}, {s("Sales"), no},
			{null, no}, {empty, no}, {multi("x", "y"), undecided}}},
		{IsTrue, "", []input{{s("True"), yes}, {s("true"), yes}, {s("TRUE"), yes}, {s("1"), yes}, {expr.Bool(true), yes},
			{s("False"), no}, {s("0"), no}, {s("yes"), no}, {expr.Bool(false), no}, {null, no}, {empty, no}}},
		{IsFalse, "", []input{{s("False"), yes}, {s("false"), yes}, {s("0"), yes}, {expr.Bool(false), yes},
			{s("True"), no}, {s("1"), no}, {s("maybe"), no}, {null, no}, {empty, no}}},
		{IsNull, "", []input{{null, yes}, {empty, yes}, {multi(""), yes}, {s("x"), no}, {s(" "), no}, {expr.Bool(false), no},
			{multi("a", "b"), undecided}}},
		{IsNotNull, "", []input{{s("x"), yes}, {s(" "), yes}, {multi("x"), yes}, {null, no}, {empty, no}}},
		{RegexMatch, "(1[0-9]{6})", []input{{s("1234567"), yes}, {s("x1234567y"), yes}, {s("2234567"), no}, {s("123456"), no},
			{null, no}, {empty, no}, {multi("1000000", "2"), undecided}}},
		{RegexMatch, "abc", []input{{s("xabcx"), yes}, {s("ABC"), no}}},
		{RegexMatch, `^(?<id>\d+)$`, []input{{s("42"), yes}, {s("42a"), no}}},
		{NotRegexMatch, `.*@contoso\.com`, []input{{s("a@fabrikam.com"), yes}, {s("a@contoso.com"), no}, {s("a@contosoXcom"), yes},
			{null, no}, {empty, no}}},
		{GreaterThan, "5", []input{{s("6"), yes}, {s("10"), yes}, {s("5"), no}, {s("-1"), no}, {s("abc"), no}, {s("5.5"), no},
			{s("9223372036854775808"), no}, {null, no}, {empty, no}, {multi("7", "8"), undecided}}},
		{GreaterThan, "-3", []input{{s("-2"), yes}, {s("-3"), no}}},
		{GreaterThanOrEquals, "5", []input{{s("5"), yes}, {s("+7"), yes}, {s("4"), no}, {s(" 7"), no}, {null, no}, {empty, no}}},
		{Includes, "Eng", []input{{s("Engineering"), yes}, {s("Platform Eng"), yes}, {s("Eng"), yes}, {s("engineering"), no},
			{null, no}, {empty, no}}},
		{ExistsIn, "Sales,Marketing", []input{{s("Sales"), yes}, {s("Marketing"), yes}, {s("Sales,Marketing"), yes},
			{s("Finance"), no}, {s("sales"), no}, {null, no}, {empty, no}, {multi("Sales", "HR"), undecided}}},
		{NotExistsIn, "Sales,Marketing", []input{{s("Finance"), yes}, {s("sales"), yes}, {s("Sales"), no}, {null, no}, {empty, no}}},
		{EndsWith, "@contoso.com", []input{{s("a@contoso.com"), yes}, {s("@contoso.com"), yes}, {s("a@Contoso.com"), no},
			{s("a@contoso.com.au"), no}, {null, no}, {empty, no}}},
	}
}

func TestClauseOperators(t *testing.T) {
	for _, tc := range operatorCases() {
		c := MustCompile(Filter{Groups: []Group{{Clauses: []Clause{{Attribute: "a", Operator: tc.op, Value: tc.value}}}}})
		for _, in := range tc.inputs {
			t.Run(fmt.Sprintf("%s %q on %v", tc.op, tc.value, in.v), func(t *testing.T) {
				got, reason, err := c.Check(map[string]expr.Value{"a": in.v})
				switch in.want {
				case undecided:
					require.False(t, got)
					require.ErrorIs(t, err, ErrMultiValued)
				default:
					require.NoError(t, err)
					require.Equal(t, in.want == yes, got, reason)
				}
				ev, evReason := c.Evaluate(map[string]expr.Value{"a": in.v})
				require.Equal(t, got, ev)
				require.Equal(t, reason, evReason)
			})
		}
	}
}

// Every operator is tested on a null and an empty value, and on a value
// that makes it true and one that makes it false.
func TestClauseOperatorsCoverAll(t *testing.T) {
	covered := map[Operator]map[string]bool{}
	for _, tc := range operatorCases() {
		if covered[tc.op] == nil {
			covered[tc.op] = map[string]bool{}
		}
		for _, in := range tc.inputs {
			switch {
			case in.v.IsNull():
				covered[tc.op]["null"] = true
			case in.v.Kind() == expr.KindString && in.v.AsString() == "":
				covered[tc.op]["empty"] = true
			}
			covered[tc.op][fmt.Sprint(in.want)] = true
		}
	}
	require.Len(t, Operators(), 14)
	for _, o := range Operators() {
		for _, k := range []string{"null", "empty", fmt.Sprint(yes), fmt.Sprint(no)} {
			require.True(t, covered[o][k], "%s is not tested with %s", o, k)
		}
	}
}

func TestFilterLogic(t *testing.T) {
	f := Filter{Groups: []Group{
		{Name: "Employees in Engineering", Clauses: []Clause{
			{Attribute: "WorkerType", Operator: Equals, Value: "Employee"},
			{Attribute: "SupervisoryOrganization", Operator: Includes, Value: "Engineering"},
		}},
		{Clauses: []Clause{{Attribute: "WorkerID", Operator: RegexMatch, Value: "^C-"}}},
	}}
	c := MustCompile(f)
	tests := []struct {
		name   string
		src    map[string]expr.Value
		in     bool
		reason string
	}{
		{name: "first group, all clauses true",
			src: map[string]expr.Value{"WorkerType": s("Employee"), "SupervisoryOrganization": s("Platform Engineering"), "WorkerID": s("21001")},
			in:  true, reason: `in scope: groups[0] "Employees in Engineering" matched`},
		{name: "second group",
			src: map[string]expr.Value{"WorkerType": s("Contingent"), "WorkerID": s("C-70033")},
			in:  true, reason: `in scope: groups[1] matched`},
		{name: "AND: one false clause fails the group; OR: no group matched",
			src: map[string]expr.Value{"WorkerType": s("Employee"), "SupervisoryOrganization": s("Finance"), "WorkerID": s("21001")},
			reason: `out of scope: groups[0] "Employees in Engineering": clauses[1] [SupervisoryOrganization] Includes "Engineering" is false: the value is "Finance"; ` +
				`groups[1]: clauses[0] [WorkerID] REGEX MATCH "^C-" is false: the value is "21001"`},
		{name: "absent attributes",
			src: map[string]expr.Value{},
			reason: `out of scope: groups[0] "Employees in Engineering": clauses[0] [WorkerType] EQUALS "Employee" is false: the attribute is null or empty; ` +
				`groups[1]: clauses[0] [WorkerID] REGEX MATCH "^C-" is false: the attribute is null or empty`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, reason, err := c.Check(tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.in, in)
			require.Equal(t, tc.reason, reason)
		})
	}
}

func TestNoFilter(t *testing.T) {
	for _, f := range []Filter{{}, {Groups: []Group{}}} {
		c := MustCompile(f)
		require.True(t, c.Empty())
		in, reason := c.Evaluate(nil)
		require.True(t, in)
		require.Equal(t, "in scope: no scoping filter", reason)
	}
}

func TestMultiValuedUndecided(t *testing.T) {
	c := MustCompile(Filter{Groups: []Group{
		{Clauses: []Clause{{Attribute: "dept", Operator: Equals, Value: "Sales"}}},
		{Clauses: []Clause{{Attribute: "country", Operator: Equals, Value: "DK"}}},
	}})

	// Another group deciding "in scope" wins over an undecidable group.
	in, _, err := c.Check(map[string]expr.Value{"dept": multi("Sales", "HR"), "country": s("DK")})
	require.NoError(t, err)
	require.True(t, in)

	in, reason, err := c.Check(map[string]expr.Value{"dept": multi("Sales", "HR"), "country": s("SE")})
	require.False(t, in)
	require.ErrorIs(t, err, ErrMultiValued)
	var ce *ClauseError
	require.True(t, errors.As(err, &ce))
	require.Equal(t, "groups[0].clauses[0]", ce.Path())
	require.Equal(t, `out of scope: groups[0]: clauses[0] [dept] EQUALS "Sales": multi-valued attribute: the attribute has 2 values; scoping filters compare single values; `+
		`groups[1]: clauses[0] [country] EQUALS "DK" is false: the value is "SE"`, reason)
}

func TestReasonCutsLongValues(t *testing.T) {
	c := MustCompile(Filter{Groups: []Group{{Clauses: []Clause{{Attribute: "a", Operator: Equals, Value: "x"}}}}})
	long := ""
	for range 100 {
		long += "é"
	}
	_, reason := c.Evaluate(map[string]expr.Value{"a": s(long)})
	require.Contains(t, reason, `the value is "`+long[:64*2]+`"…`)
}
