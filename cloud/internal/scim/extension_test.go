package scim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

const contoso = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User"

// withSchemas is a data object listing the core schema and extra URNs.
func withSchemas(id string, urns []string, extra ...string) string {
	members := append([]string{
		`"schemas":["` + strings.Join(append([]string{CoreUserSchema}, urns...), `","`) + `"]`,
		`"externalId":"` + id + `"`,
	}, extra...)
	return "{" + strings.Join(members, ",") + "}"
}

func TestCustomExtensionFlattening(t *testing.T) {
	s := expr.String
	tests := []struct {
		name string
		data string
		want map[string]expr.Value
	}{
		{name: "long URN from the Entra docs", data: withSchemas("1", []string{contoso}, `"`+contoso+`":{"HireDate":"2026-01-05","JobCode":"TG-1001"}`),
			want: map[string]expr.Value{"externalId": s("1"), contoso + ":HireDate": s("2026-01-05"), contoso + ":JobCode": s("TG-1001")}},
		{name: "short URN as in the Graph sample", data: withSchemas("1", []string{"urn:contoso:employee"}, `"urn:contoso:employee":{"Badge":"B-7"}`),
			want: map[string]expr.Value{"externalId": s("1"), "urn:contoso:employee:Badge": s("B-7")}},
		{name: "URN spelled as schemas lists it", data: withSchemas("1", []string{"urn:Contoso:HR"}, `"URN:CONTOSO:hr":{"Grade":"7"}`),
			want: map[string]expr.Value{"externalId": s("1"), "urn:Contoso:HR:Grade": s("7")}},
		{name: "listed extension without data is fine", data: withSchemas("1", []string{contoso, EnterpriseUserSchema}),
			want: map[string]expr.Value{"externalId": s("1")}},
		{name: "names with digits, dash and underscore", data: withSchemas("1", []string{contoso}, `"`+contoso+`":{"Cost_Center-2":"CC"}`),
			want: map[string]expr.Value{"externalId": s("1"), contoso + ":Cost_Center-2": s("CC")}},
		{name: "extension null", data: withSchemas("1", []string{contoso}, `"`+contoso+`":null`),
			want: map[string]expr.Value{"externalId": s("1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := ParseBulkRequest([]byte(bulk(op(tc.data))), Limits{})
			require.NoError(t, err)
			if diff := cmp.Diff(tc.want, req.Operations[0].Record.Attrs); diff != "" {
				t.Fatalf("Attrs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCustomExtensionRejections(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		detail string
	}{
		{"attribute name with a dot", withSchemas("1", []string{contoso}, `"`+contoso+`":{"hire.date":"x"}`),
			"Operations[0].data." + contoso + ":hire.date: invalid attribute name: it must start with a letter and hold only letters, digits, '-' and '_' (RFC 7643 §2.1)"},
		{"attribute name with a bracket", withSchemas("1", []string{contoso}, `"`+contoso+`":{"a]b":"x"}`),
			"Operations[0].data." + contoso + ":a]b: invalid attribute name: it must start with a letter and hold only letters, digits, '-' and '_' (RFC 7643 §2.1)"},
		{"attribute name starting with a digit", withSchemas("1", []string{contoso}, `"`+contoso+`":{"1st":"x"}`),
			"Operations[0].data." + contoso + ":1st: invalid attribute name: it must start with a letter and hold only letters, digits, '-' and '_' (RFC 7643 §2.1)"},
		{"empty attribute name", withSchemas("1", []string{contoso}, `"`+contoso+`":{"":"x"}`),
			"Operations[0].data." + contoso + ":: invalid attribute name: it must start with a letter and hold only letters, digits, '-' and '_' (RFC 7643 §2.1)"},
		{"URN without a name", withSchemas("1", []string{"urn:contoso"}, `"urn:contoso":{"A":"x"}`),
			"Operations[0].data.urn:contoso: is not a schema URN: it must have the form urn:<namespace>:<name>"},
		{"URN ending with a colon", withSchemas("1", []string{"urn:contoso:hr:"}, `"urn:contoso:hr:":{"A":"x"}`),
			"Operations[0].data.urn:contoso:hr:: is not a schema URN: it must not end with ':'"},
		{"URN with a space", withSchemas("1", []string{"urn:contoso:my hr"}, `"urn:contoso:my hr":{"A":"x"}`),
			`Operations[0].data.urn:contoso:my hr: is not a schema URN: character ' ' is not allowed`},
		{"URN with a bracket", withSchemas("1", []string{"urn:contoso:[hr]"}, `"urn:contoso:[hr]":{"A":"x"}`),
			`Operations[0].data.urn:contoso:[hr]: is not a schema URN: character '[' is not allowed`},
		{"extension not listed in schemas", withSchemas("1", nil, `"`+contoso+`":{"HireDate":"x"}`),
			`Operations[0].data.schemas: must list "` + contoso + `", which data contains`},
		{"nested object", withSchemas("1", []string{contoso}, `"`+contoso+`":{"Address":{"City":"Oslo"}}`),
			"Operations[0].data." + contoso + ":Address: must be a string, number, boolean or array of them, got object"},
		{"same attribute twice in another case", withSchemas("1", []string{contoso}, `"`+contoso+`":{"HireDate":"a","hiredate":"b"}`),
			"Operations[0].data." + contoso + ":hiredate: duplicate attribute (attribute names are case-insensitive)"},
		{"custom attribute under the enterprise URN", withSchemas("1", []string{EnterpriseUserSchema}, `"`+EnterpriseUserSchema+`":{"HireDate":"x"}`),
			"Operations[0].data." + EnterpriseUserSchema + ":HireDate: unknown attribute"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			se := parseErr(t, bulk(op(tc.data)), Limits{})
			require.Equal(t, 400, se.Status)
			require.Equal(t, tc.detail, se.Detail)
		})
	}
}

func TestProblemsGroupedByOperation(t *testing.T) {
	withBulkID := func(id, data string) string {
		return `{"method":"POST","bulkId":"` + id + `","path":"/Users","data":` + data + `}`
	}
	body := `{"schemas":["` + BulkRequestSchema + `"],"Operations":[` + strings.Join([]string{
		withBulkID("b0", user("21000")),
		withBulkID("b1", user("21001", `"active":"yes"`, `"title":1`)),
		withBulkID("b2", user("21002")),
		withBulkID("b3", user("", `"nickName":false`)),
	}, ",") + `],"extra":1}`
	se := parseErr(t, body, Limits{})
	want := []OperationError{
		{Index: 1, BulkID: "b1", ExternalID: "21001", Problems: []Problem{
			{Path: "Operations[1].data.active", ScimType: TypeInvalidValue, Message: "must be a boolean, got string", Operation: 1},
			{Path: "Operations[1].data.title", ScimType: TypeInvalidValue, Message: "must be a string, got number", Operation: 1},
		}},
		{Index: 3, BulkID: "b3", ExternalID: "", Problems: []Problem{
			{Path: "Operations[3].data.nickName", ScimType: TypeInvalidValue, Message: "must be a string, got boolean", Operation: 3},
			{Path: "Operations[3].data.externalId", ScimType: TypeInvalidValue, Message: "must not be empty or blank", Operation: 3},
		}},
	}
	if diff := cmp.Diff(want, se.Operations); diff != "" {
		t.Fatalf("Operations mismatch (-want +got):\n%s", diff)
	}
	require.Equal(t, Problem{Path: "extra", ScimType: TypeInvalidSyntax, Message: "unknown attribute", Operation: -1}, se.Problems[0])
	require.JSONEq(t, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error", "urn:hrsync:params:scim:api:messages:1.0:BulkError"],
		"status": "400", "scimType": "invalidSyntax",
		"detail": "extra: unknown attribute; Operations[1].data.active: must be a boolean, got string; Operations[1].data.title: must be a string, got number; Operations[3].data.nickName: must be a string, got boolean; Operations[3].data.externalId: must not be empty or blank",
		"urn:hrsync:params:scim:api:messages:1.0:BulkError": {
			"operations": [
				{"index": 1, "bulkId": "b1", "externalId": "21001", "problems": [
					{"path": "Operations[1].data.active", "scimType": "invalidValue", "message": "must be a boolean, got string"},
					{"path": "Operations[1].data.title", "scimType": "invalidValue", "message": "must be a string, got number"}]},
				{"index": 3, "bulkId": "b3", "problems": [
					{"path": "Operations[3].data.nickName", "scimType": "invalidValue", "message": "must be a string, got boolean"},
					{"path": "Operations[3].data.externalId", "scimType": "invalidValue", "message": "must not be empty or blank"}]}],
			"problems": [{"path": "extra", "scimType": "invalidSyntax", "message": "unknown attribute"}],
			"omitted": 0
		}}`, string(se.Body()))
}

func TestRequestLevelErrorHasNoExtension(t *testing.T) {
	se := parseErr(t, `[]`, Limits{})
	require.Empty(t, se.Operations)
	require.Equal(t, -1, se.Problems[0].Operation)
	require.NotContains(t, string(se.Body()), BulkErrorSchema)
}
