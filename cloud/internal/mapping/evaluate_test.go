package mapping

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

func attrs(kv ...string) map[string]expr.Value {
	m := map[string]expr.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = expr.String(kv[i+1])
	}
	return m
}

func ptr(s string) *string { return &s }

func TestEvaluate(t *testing.T) {
	rules := Mapping{Rules: []Rule{
		{Target: "title", Type: Direct, Source: "title"},
		{Target: "company", Type: Constant, Value: "Acme"},
		{Target: "sAMAccountName", Type: Expression, Expression: `Left([userName], 3)`, Apply: OnCreate},
		{Target: "department", Type: Direct, Source: "dept", Default: ptr("Unassigned")},
		{Target: "physicalDeliveryOfficeName", Type: None, Default: ptr("HQ")},
		{Target: "personalTitle", Type: Expression, Expression: `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "1", "Dr."))`, Default: ptr("never")},
		{Target: "description", Type: Expression, Expression: `Switch([kind], , "c", "Contractor")`, Default: ptr("Employee")},
		{Target: "otherTelephone", Type: Expression, Expression: `Split([phones], ",")`},
		{Target: "msExchHideFromAddressLists", Type: Expression, Expression: `IsNull([mail])`},
	}}
	c, err := Compile(rules)
	require.NoError(t, err)

	tests := []struct {
		name        string
		src         map[string]expr.Value
		phase       Phase
		want        map[string][]string
		wantDropped []string
	}{
		{
			name:  "create applies create-only rules and defaults",
			src:   attrs("title", "Engineer", "userName", "jsmith", "prefix", "1", "phones", "1,2"),
			phase: Create,
			want: map[string][]string{
				"title": {"Engineer"}, "company": {"Acme"}, "sAMAccountName": {"jsm"}, "department": {"Unassigned"},
				"physicalDeliveryOfficeName": {"HQ"}, "personalTitle": {"Dr."}, "description": {"Employee"},
				"otherTelephone": {"1", "2"}, "msExchHideFromAddressLists": {"True"},
			},
		},
		{
			name:  "update skips create-only rules and defaults",
			src:   attrs("title", "Engineer", "userName", "jsmith", "prefix", "1"),
			phase: Update,
			want:  map[string][]string{"title": {"Engineer"}, "company": {"Acme"}, "personalTitle": {"Dr."}, "msExchHideFromAddressLists": {"True"}},
		},
		{
			name:  "empty strings are omitted, not defaulted: the default is for null only",
			src:   attrs("title", "", "dept", "", "userName", "", "phones", ",,", "mail", "m"),
			phase: Create,
			want: map[string][]string{
				"company": {"Acme"}, "physicalDeliveryOfficeName": {"HQ"}, "description": {"Employee"},
				"msExchHideFromAddressLists": {"False"},
			},
			wantDropped: []string{"personalTitle"},
		},
		{
			name:        "ignored flow drops the target even on create with a default",
			src:         attrs("prefix", "9", "kind", "c"),
			phase:       Create,
			want:        map[string][]string{"company": {"Acme"}, "department": {"Unassigned"}, "physicalDeliveryOfficeName": {"HQ"}, "description": {"Contractor"}, "msExchHideFromAddressLists": {"True"}},
			wantDropped: []string{"personalTitle"},
		},
		{
			name:        "empty values inside a multi-valued result are dropped",
			src:         attrs("phones", "1,,2,", "mail", "m"),
			phase:       Update,
			want:        map[string][]string{"company": {"Acme"}, "otherTelephone": {"1", "2"}, "msExchHideFromAddressLists": {"False"}},
			wantDropped: []string{"personalTitle"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Evaluate(tc.src, tc.phase, EvalOptions{})
			require.NoError(t, err)
			if diff := cmp.Diff(Evaluated{Attrs: tc.want, Dropped: tc.wantDropped}, got); diff != "" {
				t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "a", Type: Direct, Source: "x"},
		{Target: "b", Type: Expression, Expression: `Item([list], 3)`},
		{Target: "c", Type: Expression, Expression: `Mid([x], 0, 1)`},
	}})
	require.NoError(t, err)

	got, err := c.Evaluate(attrs("x", "v", "list", "one"), Update, EvalOptions{})
	require.Error(t, err)
	require.Equal(t, Evaluated{}, got)
	require.Equal(t, "rules[1] (b): 1:1: Item: invalid argument: index 3 out of range: 1 values\n"+
		"rules[2] (c): 1:1: Mid: invalid argument: start must be 1 or more, got 0", err.Error())
	require.ErrorIs(t, err, expr.ErrArgument)
	var re *RuleError
	require.True(t, errors.As(err, &re))
	require.Equal(t, 1, re.Index)
	require.Equal(t, "b", re.Target)

	_, err = c.Evaluate(nil, Phase(0), EvalOptions{})
	require.EqualError(t, err, "mapping: invalid phase Phase(0)")
}

func TestMatching(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "mail", Type: Direct, Source: "mail", MatchingPriority: 3},
		{Target: "title", Type: Direct, Source: "title"},
		{Target: "employeeID", Type: Direct, Source: "externalId", MatchingPriority: 1, Apply: OnCreate, Default: ptr("unused")},
		{Target: "sAMAccountName", Type: Expression, Expression: `IgnoreFlowIfNullOrEmpty(Split([user], ";"))`, MatchingPriority: 2},
	}})
	require.NoError(t, err)
	m := c.Matching()
	got := make([]string, len(m))
	for i, r := range m {
		got[i] = r.Target
	}
	require.Equal(t, []string{"employeeID", "sAMAccountName", "mail"}, got)

	tests := []struct {
		name    string
		rule    MatchRule
		src     map[string]expr.Value
		want    string
		ok      bool
		wantErr string
	}{
		{name: "value", rule: m[0], src: attrs("externalId", "21001"), want: "21001", ok: true},
		{name: "null: no default for matching", rule: m[0], src: attrs(), ok: false},
		{name: "empty", rule: m[0], src: attrs("externalId", ""), ok: false},
		{name: "ignored flow", rule: m[1], src: attrs(), ok: false},
		{name: "expression", rule: m[1], src: attrs("user", "jsmith"), want: "jsmith", ok: true},
		{name: "multi-valued", rule: m[1], src: attrs("user", "a;b"), wantErr: "rules[3] (sAMAccountName): invalid rule: matching value must be single, got 2 values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok, err := tc.rule.Value(tc.src, EvalOptions{})
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, v)
		})
	}

	// The returned slice is a copy.
	m[0].Target = "changed"
	require.Equal(t, "employeeID", c.Matching()[0].Target)
}
