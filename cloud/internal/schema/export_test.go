package schema

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

func strp(s string) *string { return &s }

// kitchenSink uses every feature of the model that compiles today.
func kitchenSink() Object {
	return Object{
		Name: "Everything", SourceDirectory: "Workday", TargetDirectory: "Active Directory",
		SourceObject: "worker", TargetObject: "user",
		FlowTypes: FlowTypes{Update: true},
		Mapping: mapping.Mapping{Rules: []mapping.Rule{
			{Target: "employeeID", Type: mapping.Direct, Source: "WorkerID", Apply: mapping.OnCreate, MatchingPriority: 1},
			{Target: "mail", Type: mapping.Direct, Source: `emails[type eq "work"].value`, Apply: mapping.Always, MatchingPriority: 2, FlowNullValues: true},
			{Target: "company", Type: mapping.Constant, Value: `Acme "Nordic" \ ApS`, Apply: mapping.IfTargetEmpty, FlowAlways: true},
			{Target: "physicalDeliveryOfficeName", Type: mapping.None, Apply: mapping.OnCreate, Default: strp("HQ")},
			{Target: "description", Type: mapping.Expression, Apply: mapping.Always, Default: strp("n/a"),
				Expression: `IIF([kind] = "c", "Contractor", Join(" ", "Employee", [grade]))`},
			{Target: "accountDisabled", Type: mapping.Expression, Apply: mapping.Always, Expression: `Switch([Active], , "0", "True", "1", "False")`},
			{Target: "title", Type: mapping.Expression, Apply: mapping.Always, Expression: "Coalesce([BusinessTitle], ,\n  \"Staff\")", FlowNullValues: true},
			{Target: "extensionAttribute1", Type: mapping.Expression, Apply: mapping.Always, Expression: `ToUpper(Trim([code]), )`},
			{Target: "extensionAttribute2", Type: mapping.Expression, Apply: mapping.Always, Expression: `IgnoreFlowIfNullOrEmpty(Left([x], 2))`},
			{Target: "extensionAttribute3", Type: mapping.Expression, Apply: mapping.Always, Expression: `IIF(InStr([mail], "@", , vbTextCompare) = 0, IgnoreAttributeFlow, Redact([mail]))`},
			{Target: "userPrincipalName", Type: mapping.Expression, Apply: mapping.OnCreate,
				Expression: `SelectUniqueValue(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [FirstName], [LastName]))), "contoso.com"), Join("@", Mid([FirstName], 1, 1), "contoso.com"))`},
			{Target: "sAMAccountName", Type: mapping.Expression, Apply: mapping.OnCreate,
				Expression: `Replace(Mid(Replace([UserID], , "([\\/\\\\\\[\\]\\:\\;\\|\\=\\,\\+\\*\\?\\<\\>])", , "", , ), 1, 20), , "(\\.)*$", , "", , )`},
			{Target: "accountExpires", Type: mapping.Expression, Apply: mapping.Always,
				Expression: `NumFromDate(DateAdd("d", 1, CDate([StatusTerminationLastDayOfWork])))`},
		}},
		Scope: scope.Filter{Groups: []scope.Group{
			{Name: "Employees", Clauses: []scope.Clause{
				{Attribute: "WorkerID", Operator: scope.RegexMatch, Value: `^1\d{6}$`},
				{Attribute: "Active", Operator: scope.IsTrue},
			}},
			{Clauses: []scope.Clause{{Attribute: "StatusDaysUnemployed", Operator: scope.GreaterThanOrEquals, Value: "0"}}},
		}},
		InputScope: scope.Filter{Groups: []scope.Group{{Clauses: []scope.Clause{{Attribute: "Company", Operator: scope.ExistsIn, Value: "Acme,Globex"}}}}},
	}
}

func TestRoundTrip(t *testing.T) {
	samples := map[string]Object{"kitchen sink": kitchenSink(), "bare": {TargetObject: "user"}}
	for _, name := range []string{"workday-ad.json", "successfactors-ad.json", "api-driven-ad.json"} {
		x, err := Import(readSample(t, name))
		require.NoError(t, err)
		samples[name] = x
	}
	for name, x := range samples {
		t.Run(name, func(t *testing.T) {
			out, err := Export(x)
			require.NoError(t, err)
			back, err := Import(out)
			require.NoError(t, err)
			diff(t, x, back)

			again, err := Export(back)
			require.NoError(t, err)
			require.Equal(t, string(out), string(again))

			// The trees alone carry the same mapping.
			treeOnly, err := Import(stripExpressions(t, out))
			require.NoError(t, err)
			require.Len(t, treeOnly.Mapping.Rules, len(x.Mapping.Rules))
			for i, r := range x.Mapping.Rules {
				got := treeOnly.Mapping.Rules[i]
				if r.Type == mapping.Expression {
					require.Equal(t, canon(t, r.Expression), canon(t, got.Expression), r.Target)
					got.Expression = r.Expression
				}
				require.Equal(t, r, got)
			}
		})
	}
}

// stripExpressions removes every "expression" from a schema.
func stripExpressions(t *testing.T, data []byte) []byte {
	t.Helper()
	var doc any
	require.NoError(t, json.Unmarshal(data, &doc))
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "expression")
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}

func TestExportShape(t *testing.T) {
	out, err := Export(Object{
		Name: "Sync", SourceObject: "worker", TargetObject: "user", FlowTypes: AllFlowTypes(),
		Mapping: mapping.Mapping{Rules: []mapping.Rule{
			{Target: "employeeID", Type: mapping.Direct, Source: "WorkerID", MatchingPriority: 1},
			{Target: "manager", Type: mapping.None},
		}},
		Scope: scope.Filter{Groups: []scope.Group{{Name: "g", Clauses: []scope.Clause{{Attribute: "WorkerID", Operator: scope.IsNotNull}}}}},
	})
	require.NoError(t, err)
	require.JSONEq(t, `{"synchronizationRules":[{"objectMappings":[{
		"attributeMappings":[
			{"defaultValue":null,"exportMissingReferences":false,"flowBehavior":"FlowWhenChanged","flowType":"Always","matchingPriority":1,
			 "source":{"expression":"[WorkerID]","name":"WorkerID","parameters":[],"type":"Attribute"},"targetAttributeName":"employeeID"},
			{"defaultValue":null,"exportMissingReferences":false,"flowBehavior":"FlowWhenChanged","flowType":"Always","matchingPriority":0,
			 "source":null,"targetAttributeName":"manager"}],
		"enabled":true,"flowTypes":"Add, Update, Delete","metadata":[],"name":"Sync",
		"scope":{"categoryFilterGroups":[],"groups":[{"clauses":[{"operatorName":"IS NOT NULL","sourceOperandName":"WorkerID","targetOperand":{"values":[]}}],"name":"g"}],"inputFilterGroups":[]},
		"sourceObjectName":"worker","targetObjectName":"user"}]}]}`, string(out))

	_, err = Export(Object{Mapping: mapping.Mapping{Rules: []mapping.Rule{{Target: "x", Type: mapping.Expression, Expression: "Left([x]"}}}})
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "schema: export rules[0] (x): invalid value: 1:9: missing ')'")
	_, err = Export(Object{Mapping: mapping.Mapping{Rules: []mapping.Rule{{Target: "x", Type: mapping.Direct, Source: "x", Apply: "sometimes"}}}})
	require.ErrorIs(t, err, ErrInvalid)
}

func TestFlowTypes(t *testing.T) {
	tests := []struct {
		in   string
		want FlowTypes
		out  string
	}{
		{"Add, Update, Delete", AllFlowTypes(), "Add, Update, Delete"},
		{"", AllFlowTypes(), "Add, Update, Delete"},
		{"Update", FlowTypes{Update: true}, "Update"},
		{"Delete,Add", FlowTypes{Add: true, Delete: true}, "Add, Delete"},
		{"None", FlowTypes{}, "None"},
	}
	for _, tc := range tests {
		got, err := ParseFlowTypes(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
		require.Equal(t, tc.out, got.String())
	}
	_, err := ParseFlowTypes("Add, Create")
	require.EqualError(t, err, `invalid value: flow type "Create" (expected Add, Update, Delete or None)`)
	_, err = ParseFlowTypes("delete")
	require.EqualError(t, err, `invalid value: flow type "delete" is spelled "Delete"`)
}
