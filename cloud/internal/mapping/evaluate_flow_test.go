package mapping

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

func TestEvaluateFlowNullValues(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "department", Type: Direct, Source: "dept", FlowNullValues: true, Default: ptr("Unassigned")},
		{Target: "title", Type: Direct, Source: "title"}, // does not flow nulls
		{Target: "company", Type: Expression, Expression: `Trim([org])`, FlowNullValues: true},
		{Target: "personalTitle", Type: Expression, Expression: `IgnoreFlowIfNullOrEmpty([prefix])`, FlowNullValues: true},
		{Target: "cn", Type: Direct, Source: "name", Apply: OnCreate, FlowNullValues: true},
		{Target: "description", Type: Direct, Source: "desc", Apply: IfTargetEmpty, FlowNullValues: true},
		{Target: "otherTelephone", Type: Expression, Expression: `Split([phones], ",")`, FlowNullValues: true},
	}})
	require.NoError(t, err)

	tests := []struct {
		name  string
		src   map[string]expr.Value
		phase Phase
		want  Evaluated
	}{
		{
			name:  "update: null and empty sources clear, other rules are absent from the flow",
			src:   map[string]expr.Value{"org": expr.String("  "), "phones": expr.String(",,")},
			phase: Update,
			want: Evaluated{Attrs: map[string][]string{},
				Dropped: []string{"personalTitle"},
				Clear:   []string{"department", "company", "otherTelephone"}},
		},
		{
			name:  "update: values flow normally",
			src:   attrs("dept", "Sales", "org", "Acme", "prefix", "Dr.", "desc", "x", "phones", "1,2", "title", "Boss"),
			phase: Update,
			want: Evaluated{
				Attrs: map[string][]string{"department": {"Sales"}, "title": {"Boss"}, "company": {"Acme"},
					"personalTitle": {"Dr."}, "otherTelephone": {"1", "2"}},
				FillIfEmpty: map[string][]string{"description": {"x"}},
			},
		},
		{
			name:  "create: null writes the default or nothing, never clears",
			src:   attrs(),
			phase: Create,
			want: Evaluated{Attrs: map[string][]string{"department": {"Unassigned"}},
				Dropped: []string{"personalTitle"}},
		},
		{
			name:  "create: an ifTargetEmpty rule writes like any other",
			src:   attrs("desc", "x", "name", "Ann"),
			phase: Create,
			want: Evaluated{Attrs: map[string][]string{"department": {"Unassigned"}, "description": {"x"}, "cn": {"Ann"}},
				Dropped: []string{"personalTitle"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Evaluate(tc.src, tc.phase, EvalOptions{})
			require.NoError(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateForce(t *testing.T) {
	c, err := Compile(Mapping{Rules: []Rule{
		{Target: "extensionAttribute1", Type: Direct, Source: "userId", FlowAlways: true},
		{Target: "extensionAttribute2", Type: Direct, Source: "other", FlowAlways: true, Apply: IfTargetEmpty},
		{Target: "title", Type: Direct, Source: "title"},
	}})
	require.NoError(t, err)

	got, err := c.Evaluate(attrs("userId", "u1", "other", "o", "title", "t"), Update, EvalOptions{})
	require.NoError(t, err)
	want := Evaluated{
		Attrs:       map[string][]string{"extensionAttribute1": {"u1"}, "title": {"t"}},
		FillIfEmpty: map[string][]string{"extensionAttribute2": {"o"}},
		Force:       []string{"extensionAttribute1", "extensionAttribute2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
	}

	// A null value is not forced: there is nothing to export.
	got, err = c.Evaluate(attrs("title", "t"), Update, EvalOptions{})
	require.NoError(t, err)
	require.Empty(t, got.Force)
}
