package mapping

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/scim"
)

func section6(t *testing.T) []scim.Operation {
	t.Helper()
	body, err := os.ReadFile("testdata/section6-bulk-request.json")
	require.NoError(t, err)
	req, err := scim.ParseBulkRequest(body, scim.Limits{})
	require.NoError(t, err)
	require.Len(t, req.Operations, 2)
	return req.Operations
}

func TestDefaultAPIDrivenADSection6(t *testing.T) {
	c, err := Compile(DefaultAPIDrivenAD())
	require.NoError(t, err)
	ops := section6(t)

	soren := map[string][]string{
		"employeeID":        {"21001"},
		"cn":                {"Søren Kjær"},
		"displayName":       {"Søren Kjær"},
		"givenName":         {"Søren"},
		"sn":                {"Kjær"},
		"title":             {"Senior Site Reliability Engineer"},
		"department":        {"Platform Engineering"},
		"company":           {"Acme Nordic ApS"},
		"division":          {"Technology"},
		"employeeNumber":    {"21001"},
		"manager":           {"10452"},
		"mail":              {"soren.kjaer@acme.example"},
		"userPrincipalName": {"soren.kjaer@acme.example"},
		"sAMAccountName":    {"soren.kjaer"},
		"telephoneNumber":   {"+45 33 12 34 56"},
		"mobile":            {"+45 20 98 76 54"},
		"streetAddress":     {"Havnegade 12"},
		"l":                 {"København"},
		"st":                {"Hovedstaden"},
		"postalCode":        {"1058"},
		"c":                 {"DK"},
		"accountDisabled":   {"False"},
	}
	siobhan := map[string][]string{
		"employeeID":        {"C-70033"},
		"cn":                {"Siobhán O'Brien-Smyth (Contractor)"},
		"displayName":       {"Siobhán O'Brien-Smyth (Contractor)"},
		"givenName":         {"Siobhán"},
		"sn":                {"O'Brien-Smyth"},
		"title":             {"Data Migration Consultant"},
		"department":        {"Finance Systems"},
		"company":           {"Acme Ireland Ltd"},
		"division":          {"Finance"},
		"employeeNumber":    {"C-70033"},
		"manager":           {"21001"},
		"mail":              {"siobhan.obrien-smyth@acme.example"},
		"userPrincipalName": {"siobhan.obrien-smyth@acme.example"},
		"sAMAccountName":    {"siobhan.obrien-smyth"}, // exactly 20 characters
		"accountDisabled":   {"True"},                 // active:false, a terminated contractor
	}
	withoutCreateOnly := func(m map[string][]string) map[string][]string {
		out := map[string][]string{}
		for k, v := range m {
			if k != "cn" && k != "sAMAccountName" {
				out[k] = v
			}
		}
		return out
	}

	tests := []struct {
		name  string
		op    scim.Operation
		phase Phase
		want  map[string][]string
	}{
		{name: "Søren create", op: ops[0], phase: Create, want: soren},
		{name: "Søren update", op: ops[0], phase: Update, want: withoutCreateOnly(soren)},
		{name: "Siobhán create", op: ops[1], phase: Create, want: siobhan},
		{name: "Siobhán update", op: ops[1], phase: Update, want: withoutCreateOnly(siobhan)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Evaluate(tc.op.Record.Attrs, tc.phase, EvalOptions{})
			require.NoError(t, err)
			require.Empty(t, got.Dropped)
			if diff := cmp.Diff(tc.want, got.Attrs); diff != "" {
				t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}

	m := c.Matching()
	require.Len(t, m, 1)
	require.Equal(t, "employeeID", m[0].Target)
	require.Equal(t, 1, m[0].Priority)
	v, ok, err := m[0].Value(ops[1].Record.Attrs, EvalOptions{})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "C-70033", v)
}

func TestDefaultAPIDrivenADShape(t *testing.T) {
	m := DefaultAPIDrivenAD()
	targets := map[string]Rule{}
	for _, r := range m.Rules {
		targets[r.Target] = r
	}
	require.NotContains(t, targets, "parentDistinguishedName", "the caller's default container is used")
	require.Equal(t, OnCreate, targets["sAMAccountName"].Apply)
	require.Equal(t, Always, targets["userPrincipalName"].Apply)
	require.Equal(t, Always, targets["employeeID"].Apply)

	// Each call is an independent copy.
	m.Rules[0].Target = "changed"
	require.Equal(t, "employeeID", DefaultAPIDrivenAD().Rules[0].Target)
}

func TestDefaultAPIDrivenADFallbacks(t *testing.T) {
	c, err := Compile(DefaultAPIDrivenAD())
	require.NoError(t, err)
	src := attrs("externalId", "9", "name.givenName", "Zoë", "name.familyName", "Ng",
		"userName", "a-very-long-user-name-indeed@acme.example", "active", "True")
	got, err := c.Evaluate(src, Create, EvalOptions{})
	require.NoError(t, err)
	want := map[string][]string{
		"employeeID":        {"9"},
		"cn":                {"Zoë Ng"}, // no displayName: given and family name
		"givenName":         {"Zoë"},
		"sn":                {"Ng"},
		"userPrincipalName": {"a-very-long-user-name-indeed@acme.example"},
		"sAMAccountName":    {"a-very-long-user-nam"}, // 20 characters
		"accountDisabled":   {"False"},
	}
	if diff := cmp.Diff(want, got.Attrs); diff != "" {
		t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
	}

	// A partial record (Graph's example 3: only externalId, active and
	// department) on update touches only those attributes.
	src = attrs("externalId", "9", "active", "False", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "Sales")
	got, err = c.Evaluate(src, Update, EvalOptions{})
	require.NoError(t, err)
	want = map[string][]string{"employeeID": {"9"}, "accountDisabled": {"True"}, "department": {"Sales"}}
	if diff := cmp.Diff(want, got.Attrs); diff != "" {
		t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
	}
}
