package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

const (
	okAM = `{"targetAttributeName":"employeeID","matchingPriority":1,"source":{"type":"Attribute","name":"WorkerID","expression":"[WorkerID]"}}`
	om   = "synchronizationRules[0].objectMappings[0]"
	am1  = om + ".attributeMappings[1]"
)

// userDoc is a schema with one user object mapping.
func userDoc(attributeMappings, scope string) string {
	return `{"synchronizationRules":[{"objectMappings":[{"sourceObjectName":"worker","targetObjectName":"user",` +
		`"attributeMappings":[` + attributeMappings + `],"scope":` + scope + `}]}]}`
}

func withAM(am string) string { return userDoc(okAM+","+am, "null") }

func withClause(clause string) string {
	return userDoc(okAM, `{"groups":[{"name":"g","clauses":[{"operatorName":"IS NOT NULL","sourceOperandName":"WorkerID"},`+clause+`]}]}`)
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind error
		want string
	}{
		{name: "not JSON", in: `{"synchronizationRules": [`, kind: ErrSyntax, want: "invalid JSON: unexpected end of JSON input"},
		{name: "not an object", in: `[]`, kind: ErrType, want: "wrong type: the schema must be a JSON object"},
		{name: "unknown top-level field", in: `{"synchronizationRule": []}`, kind: ErrUnknownField,
			want: "synchronizationRule: unknown field (expected one of directories, id, synchronizationRules, version)\n" +
				"synchronizationRules: no user object mapping (targetObjectName \"user\")"},
		{name: "multi-value add-only flow", in: withAM(`{"targetAttributeName":"proxyAddresses","flowType":"MultiValueAddOnly","source":{"type":"Attribute","name":"x"}}`),
			kind: ErrUnsupported, want: am1 + `.flowType: "MultiValueAddOnly" is not supported: hrsync does not add values to multi-valued attributes without removing others; use Always or ObjectAddOnly`},
		{name: "value add-only flow", in: withAM(`{"targetAttributeName":"proxyAddresses","flowType":"ValueAddOnly","source":{"type":"Attribute","name":"x"}}`),
			kind: ErrUnsupported, want: am1 + `.flowType: "ValueAddOnly" is not supported: hrsync does not add values to multi-valued attributes without removing others; use Always or ObjectAddOnly`},
		{name: "unknown flow type", in: withAM(`{"targetAttributeName":"title","flowType":"Sometimes","source":{"type":"Attribute","name":"x"}}`),
			kind: ErrInvalid, want: am1 + `.flowType: invalid value "Sometimes" (expected Always, ObjectAddOnly, AttributeAddOnly, ValueAddOnly or MultiValueAddOnly)`},
		{name: "unknown flow behavior", in: withAM(`{"targetAttributeName":"title","flowBehavior":"FlowNever","source":{"type":"Attribute","name":"x"}}`),
			kind: ErrInvalid, want: am1 + `.flowBehavior: invalid value "FlowNever" (expected FlowWhenChanged or FlowAlways)`},
		{name: "export missing references", in: withAM(`{"targetAttributeName":"manager","exportMissingReferences":true,"source":{"type":"Attribute","name":"ManagerReference"}}`),
			kind: ErrUnsupported, want: am1 + `.exportMissingReferences: true is not supported: hrsync exports references only to objects it has provisioned`},
		{name: "unknown attribute mapping field", in: withAM(`{"targetAttributeName":"title","sourceAttribute":"x","source":{"type":"Attribute","name":"x"}}`),
			kind: ErrUnknownField, want: am1 + `.sourceAttribute: unknown field (expected one of defaultValue, exportMissingReferences, flowBehavior, flowNullValues, flowType, matchingPriority, source, targetAttributeName)`},
		{name: "unknown source field", in: withAM(`{"targetAttributeName":"title","source":{"type":"Attribute","name":"x","value":"y"}}`),
			kind: ErrUnknownField, want: am1 + `.source.value: unknown field (expected one of expression, name, parameters, type)`},
		{name: "wrong JSON type in the rule", in: `{"synchronizationRules":[{"sourceDirectoryName":7,"objectMappings":[{"targetObjectName":"user"}]}]}`,
			kind: ErrType, want: `synchronizationRules[0].sourceDirectoryName: wrong type: expected a string, got a number 7`},
		{name: "wrong JSON type", in: withAM(`{"targetAttributeName":"title","matchingPriority":"2","source":{"type":"Attribute","name":"x"}}`),
			kind: ErrType, want: am1 + `.matchingPriority: wrong type: expected a whole number, got a string "2"`},
		{name: "expression syntax", in: withAM(`{"targetAttributeName":"title","source":{"type":"Function","name":"Left","expression":"Left([x], 3"}}`),
			kind: expr.ErrUnbalanced, want: am1 + `.source.expression: invalid value: 1:12: missing ')' to close Left( opened at 1:1 (add ')' at the end)`},
		{name: "unknown function", in: withAM(`{"targetAttributeName":"title","source":{"type":"Function","name":"Lft","expression":"Lft([x], 3)"}}`),
			kind: mapping.ErrExpression, want: am1 + `.source: expression: 1:1: unknown function "Lft" (did you mean "Left"?)`},
		{name: "type disagrees with the expression", in: withAM(`{"targetAttributeName":"title","source":{"type":"Attribute","name":"x","expression":"Left([x], 3)"}}`),
			kind: ErrInvalid, want: am1 + `.source.type: invalid value "Attribute": the expression Left([x], 3) is a Function`},
		{name: "tree without text, bad node type", in: withAM(`{"targetAttributeName":"title","source":{"type":"Function","name":"Left","parameters":[{"key":"String","value":{"type":"Column","name":"x"}}]}}`),
			kind: ErrInvalid, want: am1 + `.source.parameters[0].value.type: invalid value "Column" (expected Attribute, Constant or Function)`},
		{name: "duplicate target", in: withAM(`{"targetAttributeName":"EmployeeID","source":{"type":"Attribute","name":"x"}}`),
			kind: mapping.ErrDuplicateTarget, want: am1 + `: duplicate target: rules[0] already maps it (attribute names are case-insensitive)`},
		{name: "matching attribute that generates values", in: withAM(`{"targetAttributeName":"sAMAccountName","matchingPriority":2,"source":{"type":"Function","name":"SelectUniqueValue","expression":"SelectUniqueValue([a], [b])"}}`),
			kind: mapping.ErrInvalidRule, want: am1 + `: invalid rule: a matching attribute cannot use SelectUniqueValue: matching needs the value the record already has`},
		{name: "two values in a clause", in: withClause(`{"operatorName":"EQUALS","sourceOperandName":"Company","targetOperand":{"values":["A","B"]}}`),
			kind: ErrUnsupported, want: om + `.scope.groups[0].clauses[1].targetOperand.values: 2 values in one clause are not supported: hrsync compares one value per clause; put each value in a group of its own`},
		{name: "unknown operator", in: withClause(`{"operatorName":"IsMemberOf","sourceOperandName":"groups","targetOperand":{"values":["x"]}}`),
			kind: scope.ErrUnknownOperator, want: om + `.scope.groups[0].clauses[1]: unknown operator "IsMemberOf" (one of &, !&, ENDS_WITH, EQUALS, Greater_Than, Greater_Than_OR_EQUALS, Includes, IS FALSE, IS NOT NULL, IS NULL, IS TRUE, NOT EQUALS, NOT REGEX MATCH, REGEX MATCH)`},
		{name: "bad regular expression", in: withClause(`{"operatorName":"REGEX MATCH","sourceOperandName":"WorkerID","targetOperand":{"values":["(1[0-9"]}}`),
			kind: scope.ErrRegex, want: om + ".scope.groups[0].clauses[1]: invalid regular expression \"(1[0-9\" for WorkerID: error parsing regexp: missing closing ]: `[0-9`"},
		{name: "non-integer for an integer operator", in: withClause(`{"operatorName":"Greater_Than","sourceOperandName":"StatusDaysUnemployed","targetOperand":{"values":["ten"]}}`),
			kind: scope.ErrNotInteger, want: om + `.scope.groups[0].clauses[1]: invalid clause: Greater_Than compares integers, and "ten" is not an integer`},
		{name: "input filter problems name inputFilterGroups", in: userDoc(okAM, `{"inputFilterGroups":[{"clauses":[]}]}`),
			kind: scope.ErrInvalidClause, want: om + `.scope.inputFilterGroups[0]: invalid clause: a group needs at least one clause`},
		{name: "category filters", in: userDoc(okAM, `{"categoryFilterGroups":[{"clauses":[{"operatorName":"IS TRUE","sourceOperandName":"x"}]}]}`),
			kind: ErrUnsupported, want: om + `.scope.categoryFilterGroups: category filters are not supported (Entra marks them experimental); use groups`},
		{name: "flow types", in: `{"synchronizationRules":[{"objectMappings":[{"targetObjectName":"user","flowTypes":"Add, update","attributeMappings":[` + okAM + `]}]}]}`,
			kind: ErrInvalid, want: om + `.flowTypes: invalid value: flow type "update" is spelled "Update"`},
		{name: "enabled non-user mapping", in: `{"synchronizationRules":[{"objectMappings":[
			{"name":"Provision groups","sourceObjectName":"Group","targetObjectName":"group"},
			{"targetObjectName":"user","attributeMappings":[` + okAM + `]}]}]}`,
			kind: ErrUnsupported, want: om + `: object mapping "Provision groups" (Group → group) is not supported: hrsync provisions users only; disable it ("enabled": false) or remove it`},
		{name: "no user mapping", in: `{"synchronizationRules":[{"objectMappings":[{"enabled":false,"targetObjectName":"group"}]}]}`,
			kind: ErrNoUserMapping, want: `synchronizationRules: no user object mapping (targetObjectName "user")`},
		{name: "disabled user mapping", in: `{"synchronizationRules":[{"objectMappings":[{"enabled":false,"targetObjectName":"User"}]}]}`,
			kind: ErrNoUserMapping, want: om + `.enabled: no user object mapping: the only one is disabled, so the job would provision nothing; set "enabled": true`},
		{name: "two user mappings", in: `{"synchronizationRules":[{"objectMappings":[{"targetObjectName":"user"}]},{"objectMappings":[{"targetObjectName":"user"}]}]}`,
			kind: ErrUnsupported, want: `synchronizationRules[1].objectMappings[0]: a second enabled user object mapping is not supported (the first is synchronizationRules[0].objectMappings[0]): hrsync runs one per job`},
		{name: "cloud sync container filter", in: `{"synchronizationRules":[{"containerFilter":{"includedContainers":["OU=x"]},"objectMappings":[{"targetObjectName":"user"}]}]}`,
			kind: ErrUnsupported, want: `synchronizationRules[0].containerFilter: a container or group filter is not supported: Entra applies them to cloud sync only; use scoping filters (objectMappings[].scope)`},
		{name: "every problem is reported", in: userDoc(okAM+`,{"targetAttributeName":"a","flowType":"ValueAddOnly","source":{"type":"Attribute","name":"x"}},`+
			`{"targetAttributeName":"b","flowBehavior":1,"source":{"type":"Attribute","name":"x"}}`, `{"groups":[{"clauses":[{"operatorName":"EQUAL","sourceOperandName":"x","targetOperand":{"values":["1"]}}]}]}`),
			kind: ErrUnsupported, want: am1 + `.flowType: "ValueAddOnly" is not supported: hrsync does not add values to multi-valued attributes without removing others; use Always or ObjectAddOnly` + "\n" +
				om + `.attributeMappings[2].flowBehavior: wrong type: expected a string, got a number 1` + "\n" +
				om + `.scope.groups[0].clauses[0]: unknown operator "EQUAL" (one of &, !&, ENDS_WITH, EQUALS, Greater_Than, Greater_Than_OR_EQUALS, Includes, IS FALSE, IS NOT NULL, IS NULL, IS TRUE, NOT EQUALS, NOT REGEX MATCH, REGEX MATCH)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Import([]byte(tc.in))
			require.Equal(t, Object{}, got)
			require.EqualError(t, err, tc.want)
			require.ErrorIs(t, err, tc.kind)
			var pe *PathError
			require.True(t, errors.As(err, &pe))
			if !strings.HasPrefix(tc.want, pe.Path) {
				t.Fatalf("path %q does not start the message", pe.Path)
			}
		})
	}
}
