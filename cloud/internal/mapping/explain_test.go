package mapping

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

func TestExplain(t *testing.T) {
	dflt := "Unknown"
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "employeeID", Type: Direct, Source: "externalId", MatchingPriority: 1},
		{Target: "upn", Type: Expression, Expression: `Join("@", ToLower([first]), "corp.example")`, Apply: OnCreate},
		{Target: "title", Type: Direct, Source: "title", FlowNullValues: true, Apply: Always},
		{Target: "company", Type: Direct, Source: "org", Default: &dflt, Apply: Always},
		{Target: "badge", Type: Expression, Expression: `Redact([badge])`, Apply: Always},
		{Target: "dept", Type: Expression, Expression: `IgnoreFlowIfNullOrEmpty([dept])`, Apply: Always},
	}})
	require.NoError(t, err)
	src := map[string]expr.Value{"externalId": expr.String("7"), "first": expr.String("ADA"), "badge": expr.String("B-123")}

	tests := []struct {
		target  string
		phase   Phase
		result  []string
		outcome string
		inputs  map[string]any
	}{
		{"upn", Create, []string{"ada@corp.example"}, "written", map[string]any{"first": "ADA"}},
		{"UPN", Update, nil, "not in this phase (the rule applies only when the account is created)", map[string]any{"first": "ADA"}},
		{"title", Update, []string{}, "cleared (the rule flows null values)", map[string]any{"title": nil}},
		{"title", Create, []string{}, "left alone (no value)", map[string]any{"title": nil}},
		{"company", Create, []string{"Unknown"}, "default", map[string]any{"org": nil}},
		{"badge", Update, []string{"[Redact]"}, "written", map[string]any{"badge": "B-123"}},
		{"dept", Update, nil, "dropped (IgnoreFlowIfNullOrEmpty): nothing is written", map[string]any{"dept": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.target+"/"+tc.phase.String(), func(t *testing.T) {
			ex, err := c.Explain(src, tc.target, tc.phase, EvalOptions{})
			require.NoError(t, err)
			require.Equal(t, tc.outcome, ex.Outcome)
			if tc.result != nil {
				require.Equal(t, tc.result, ex.Result)
			}
			require.Equal(t, tc.inputs, ex.Inputs)
		})
	}
	_, err = c.Explain(src, "manager", Update, EvalOptions{})
	require.ErrorIs(t, err, ErrNoRule)
}
