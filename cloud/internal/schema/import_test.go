package schema

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func diff(t *testing.T, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("mismatch (-want +got):\n%s", d)
	}
}

func TestImportSuccessFactors(t *testing.T) {
	got, err := Import(readSample(t, "successfactors-ad.json"))
	require.NoError(t, err)

	want := mapping.DefaultSuccessFactorsAD()
	for i := range want.Rules {
		// Both gates of "Flow null values" are on for department only:
		// title's mapping flag is on but jobTitle's definition is not, and
		// mail's source flag is on but its mapping flag is not.
		if want.Rules[i].Target == "department" {
			want.Rules[i].FlowNullValues = true
		}
	}
	diff(t, Object{
		Name:            "Synchronize SuccessFactors Worker to On Premises Active Directory User",
		SourceDirectory: "SuccessFactors",
		TargetDirectory: "Active Directory",
		SourceObject:    "worker",
		TargetObject:    "user",
		FlowTypes:       FlowTypes{Add: true, Update: true},
		Mapping:         want,
		Scope: scope.Filter{Groups: []scope.Group{{Name: "Hired (not Onboarding pre-hires)", Clauses: []scope.Clause{
			{Attribute: "userStatus", Operator: scope.NotEquals, Value: "e"},
			{Attribute: "personIdExternal", Operator: scope.RegexMatch, Value: "^[0-9]+$"},
		}}}},
	}, got)
}

func TestImportAPIDriven(t *testing.T) {
	got, err := Import(readSample(t, "api-driven-ad.json"))
	require.NoError(t, err)
	diff(t, Object{
		Name:            "Provision API urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
		SourceDirectory: "API",
		TargetDirectory: "Active Directory",
		SourceObject:    "User",
		TargetObject:    "user",
		FlowTypes:       FlowTypes{Add: true, Update: true},
		Mapping:         mapping.DefaultAPIDrivenAD(),
		InputScope: scope.Filter{Groups: []scope.Group{{Name: "Has an employee number", Clauses: []scope.Clause{
			{Attribute: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", Operator: scope.IsNotNull},
		}}}},
	}, got)
}

// A schema pasted without directories: the attribute mapping's flag alone
// decides "Flow null values".
func TestImportFlowNullValuesWithoutDirectories(t *testing.T) {
	got, err := Import([]byte(`{"synchronizationRules":[{"objectMappings":[{
		"sourceObjectName":"worker","targetObjectName":"user",
		"attributeMappings":[
			{"targetAttributeName":"department","flowNullValues":true,"source":{"type":"Attribute","name":"SupervisoryOrganization"}},
			{"targetAttributeName":"title","source":{"type":"Attribute","name":"BusinessTitle"}},
			{"targetAttributeName":"physicalDeliveryOfficeName","defaultValue":"HQ","source":null},
			{"targetAttributeName":"company","defaultValue":"","flowType":"AttributeAddOnly","flowBehavior":"FlowAlways",
			 "source":{"expression":"\"Acme\"","name":"Acme","type":"Constant"}}
		]}]}]}`))
	require.NoError(t, err)
	hq := "HQ"
	diff(t, []mapping.Rule{
		{Target: "department", Type: mapping.Direct, Source: "SupervisoryOrganization", Apply: mapping.Always, FlowNullValues: true},
		{Target: "title", Type: mapping.Direct, Source: "BusinessTitle", Apply: mapping.Always},
		{Target: "physicalDeliveryOfficeName", Type: mapping.None, Apply: mapping.Always, Default: &hq},
		{Target: "company", Type: mapping.Constant, Value: "Acme", Apply: mapping.IfTargetEmpty, FlowAlways: true},
	}, got.Mapping.Rules)
	require.Equal(t, AllFlowTypes(), got.FlowTypes, "Graph's default")
	require.Empty(t, got.Scope.Groups)
}

func TestImportWorkday(t *testing.T) {
	got, err := Import(readSample(t, "workday-ad.json"))
	require.NoError(t, err)
	diff(t, Object{
		Name:            "Synchronize Workday Worker to On Premises Active Directory User",
		SourceDirectory: "Workday",
		TargetDirectory: "Active Directory",
		SourceObject:    "worker",
		TargetObject:    "user",
		FlowTypes:       AllFlowTypes(),
		Mapping:         mapping.DefaultWorkdayAD(),
		Scope: scope.Filter{Groups: []scope.Group{
			{Name: "Employees", Clauses: []scope.Clause{
				{Attribute: "WorkerID", Operator: scope.RegexMatch, Value: "(1[0-9][0-9][0-9][0-9][0-9][0-9])"},
				{Attribute: "EmployeeID", Operator: scope.IsNotNull},
			}},
			{Name: "Contingent workers in Engineering", Clauses: []scope.Clause{
				{Attribute: "ContingentWorkerID", Operator: scope.IsNotNull},
				{Attribute: "SupervisoryOrganization", Operator: scope.Includes, Value: "Engineering"},
			}},
		}},
	}, got)

	// The imported filter decides like Entra's documented example: WorkerID
	// between 1000000 and 1999999, employees only.
	c := scope.MustCompile(got.Scope)
	in, reason := c.Evaluate(map[string]expr.Value{"WorkerID": expr.String("1234567"), "EmployeeID": expr.String("1234567")})
	require.True(t, in, reason)
	in, reason = c.Evaluate(map[string]expr.Value{"WorkerID": expr.String("2234567"), "EmployeeID": expr.String("2234567")})
	require.False(t, in)
	require.Equal(t, `out of scope: groups[0] "Employees": clauses[0] [WorkerID] REGEX MATCH "(1[0-9][0-9][0-9][0-9][0-9][0-9])" is false: the value is "2234567"; `+
		`groups[1] "Contingent workers in Engineering": clauses[0] [ContingentWorkerID] IS NOT NULL is false: the attribute is null or empty`, reason)
}
