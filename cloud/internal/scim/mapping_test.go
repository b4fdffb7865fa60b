package scim_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scim"
)

// TestCustomAttributesReachMappings proves end to end that a custom
// extension attribute sent in a bulk request is what a mapping's
// [urn:…:User:Name] reference reads, in direct rules and inside
// expressions, and that the mapping lists it among its sources.
func TestCustomAttributesReachMappings(t *testing.T) {
	const urn = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User"
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","bulkId":"1","path":"/Users","data":{
		"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + urn + `","urn:contoso:employee"],
		"externalId":"21001",
		"` + urn + `":{"HireDate":"2026-01-05","JobCode":"TG-1001","Remote":true,"Level":7},
		"urn:contoso:employee":{"Badge":"B-77"}}}]}`
	req, err := scim.ParseBulkRequest([]byte(body), scim.Limits{})
	require.NoError(t, err)

	m := mapping.Mapping{Rules: []mapping.Rule{
		{Target: "employeeID", Type: mapping.Direct, Source: "externalId"},
		{Target: "extensionAttribute1", Type: mapping.Direct, Source: urn + ":JobCode"},
		{Target: "extensionAttribute2", Type: mapping.Expression,
			Expression: `FormatDateTime([` + urn + `:HireDate], , "yyyy-MM-dd", "yyyyMMdd")`},
		{Target: "extensionAttribute3", Type: mapping.Expression,
			Expression: `IIF([` + urn + `:Remote]="True", Join("-", "R", [urn:contoso:employee:Badge]), "office")`},
		{Target: "extensionAttribute4", Type: mapping.Expression,
			Expression: `Switch([` + urn + `:Level], "junior", "7", "senior")`},
		{Target: "extensionAttribute5", Type: mapping.Expression,
			Expression: `IgnoreFlowIfNullOrEmpty([` + urn + `:Missing])`},
	}}
	c, err := mapping.Compile(m)
	require.NoError(t, err)
	require.Equal(t, []string{"externalId", "urn:contoso:employee:Badge",
		urn + ":HireDate", urn + ":JobCode", urn + ":Level", urn + ":Missing", urn + ":Remote"}, c.Sources())

	got, err := c.Evaluate(req.Operations[0].Record.Attrs, mapping.Create,
		mapping.EvalOptions{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	want := map[string][]string{
		"employeeID":          {"21001"},
		"extensionAttribute1": {"TG-1001"},
		"extensionAttribute2": {"20260105"},
		"extensionAttribute3": {"R-B-77"},
		"extensionAttribute4": {"senior"},
	}
	if diff := cmp.Diff(want, got.Attrs); diff != "" {
		t.Fatalf("mapped attributes (-want +got):\n%s", diff)
	}
	require.Equal(t, []string{"extensionAttribute5"}, got.Dropped)
}
