package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// bulk wraps operations into a BulkRequest body.
func bulk(ops ...string) string {
	return `{"schemas":["` + BulkRequestSchema + `"],"Operations":[` + strings.Join(ops, ",") + `],"failOnErrors":null}`
}

// op is a POST /Users operation with the given data.
func op(data string) string { return `{"method":"POST","path":"/Users","data":` + data + `}` }

// user is a minimal valid data object plus extra members.
func user(id string, extra ...string) string {
	members := append([]string{
		`"schemas":["` + CoreUserSchema + `","` + EnterpriseUserSchema + `","urn:acme:hr"]`,
		`"externalId":"` + id + `"`,
	}, extra...)
	return "{" + strings.Join(members, ",") + "}"
}

func parseErr(t *testing.T, body string, lim Limits) *Error {
	t.Helper()
	req, err := ParseBulkRequest([]byte(body), lim)
	require.Nil(t, req)
	var se *Error
	require.True(t, errors.As(err, &se), "want *scim.Error, got %T: %v", err, err)
	return se
}

func TestParseBulkRequestErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		status   int
		scimType string
		detail   string
	}{
		{name: "syntax error with position", body: "{\n  \"schemas\": [],\n  \"Operations\": [,]\n}", status: 400, scimType: TypeInvalidSyntax,
			detail: "invalid JSON at line 3, column 18: invalid character ',' looking for beginning of value"},
		{name: "truncated body", body: `{"schemas": [`, status: 400, scimType: TypeInvalidSyntax,
			detail: "invalid JSON at line 1, column 14: unexpected end of JSON input"},
		{name: "trailing data", body: "{\"schemas\":[]}\n{}", status: 400, scimType: TypeInvalidSyntax,
			detail: "invalid JSON at line 2, column 1: invalid character '{' after top-level value"},
		{name: "empty body", body: "", status: 400, scimType: TypeInvalidSyntax, detail: "invalid JSON at line 1, column 1: unexpected end of JSON input"},
		{name: "invalid UTF-8", body: "{\"schemas\":\n [\"\xff\"]}", status: 400, scimType: TypeInvalidSyntax,
			detail: "request body is not valid UTF-8 at line 2, column 4"},
		{name: "not an object", body: `[1]`, status: 400, scimType: TypeInvalidSyntax, detail: "request body must be a JSON object, got array"},
		{name: "missing schemas", body: `{"Operations":[` + op(user("1")) + `]}`, status: 400, scimType: TypeInvalidValue,
			detail: `schemas: is required and must contain "urn:ietf:params:scim:api:messages:2.0:BulkRequest"`},
		{name: "wrong schema", body: strings.Replace(bulk(op(user("1"))), BulkRequestSchema, "urn:x", 1), status: 400, scimType: TypeInvalidValue,
			detail: `schemas: must contain "urn:ietf:params:scim:api:messages:2.0:BulkRequest"`},
		{name: "schemas not strings", body: strings.Replace(bulk(op(user("1"))), `"schemas":["`+BulkRequestSchema+`"]`, `"schemas":[1, "`+BulkRequestSchema+`"]`, 1),
			status: 400, scimType: TypeInvalidValue, detail: "schemas[0]: must be a string, got number"},
		{name: "unknown top-level attribute", body: strings.Replace(bulk(op(user("1"))), `"failOnErrors"`, `"failOnError"`, 1), status: 400, scimType: TypeInvalidSyntax,
			detail: "failOnError: unknown attribute"},
		{name: "failOnErrors not integer", body: strings.Replace(bulk(op(user("1"))), `"failOnErrors":null`, `"failOnErrors":"1"`, 1), status: 400, scimType: TypeInvalidValue,
			detail: "failOnErrors: must be an integer or null, got string"},
		{name: "no operations", body: bulk(), status: 400, scimType: TypeInvalidValue, detail: "Operations: must contain at least one operation"},
		{name: "operations missing", body: `{"schemas":["` + BulkRequestSchema + `"]}`, status: 400, scimType: TypeInvalidValue, detail: "Operations: is required"},
		{name: "operations not array", body: `{"schemas":["` + BulkRequestSchema + `"],"Operations":{}}`, status: 400, scimType: TypeInvalidValue,
			detail: "Operations: must be an array, got object"},
		{name: "operation not object", body: bulk(op(user("1")), `"x"`), status: 400, scimType: TypeInvalidSyntax, detail: "Operations[1]: must be an object, got string"},
		{name: "method", body: bulk(op(user("1")), strings.Replace(op(user("2")), "POST", "PATCH", 1)), status: 400, scimType: TypeInvalidValue,
			detail: `Operations[1].method: must be POST, got "PATCH"`},
		{name: "method missing", body: bulk(`{"path":"/Users","data":` + user("1") + `}`), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].method: is required"},
		{name: "path", body: bulk(strings.Replace(op(user("1")), "/Users", "/Groups", 1)), status: 400, scimType: TypeInvalidPath,
			detail: `Operations[0].path: must be /Users, got "/Groups"`},
		{name: "unknown operation attribute", body: bulk(strings.Replace(op(user("1")), `"path"`, `"op":"add","path"`, 1)), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].op: unknown attribute"},
		{name: "data missing", body: bulk(`{"method":"POST","path":"/Users"}`), status: 400, scimType: TypeInvalidValue, detail: "Operations[0].data: is required"},
		{name: "data not object", body: bulk(op(`[]`)), status: 400, scimType: TypeInvalidValue, detail: "Operations[0].data: must be an object, got array"},
		{name: "data schemas missing", body: bulk(op(`{"externalId":"1"}`)), status: 400, scimType: TypeInvalidValue,
			detail: `Operations[0].data.schemas: is required and must contain "urn:ietf:params:scim:schemas:core:2.0:User"`},
		{name: "core schema not listed", body: bulk(op(`{"schemas":["` + EnterpriseUserSchema + `"],"externalId":"1"}`)), status: 400, scimType: TypeInvalidValue,
			detail: `Operations[0].data.schemas: must contain "urn:ietf:params:scim:schemas:core:2.0:User"`},
		{name: "extension not listed", body: bulk(op(`{"schemas":["` + CoreUserSchema + `"],"externalId":"1","urn:acme:hr":{"x":"y"}}`)), status: 400, scimType: TypeInvalidValue,
			detail: `Operations[0].data.schemas: must list "urn:acme:hr", which data contains`},
		{name: "externalId missing", body: bulk(op(`{"schemas":["` + CoreUserSchema + `"]}`)), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.externalId: is required"},
		{name: "externalId null", body: bulk(op(`{"schemas":["` + CoreUserSchema + `"],"externalId":null}`)), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.externalId: is required"},
		{name: "externalId twice", body: bulk(op(user("1", `"ExternalID":"2"`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.ExternalID: duplicate attribute (attribute names are case-insensitive)"},
		{name: "externalId empty", body: bulk(op(user(""))), status: 400, scimType: TypeInvalidValue, detail: "Operations[0].data.externalId: must not be empty or blank"},
		{name: "externalId blank", body: bulk(op(user("  "))), status: 400, scimType: TypeInvalidValue, detail: "Operations[0].data.externalId: must not be empty or blank"},
		{name: "externalId number", body: bulk(op(strings.Replace(user("x"), `"externalId":"x"`, `"externalId":21001`, 1))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.externalId: must be a string, got number"},
		{name: "active string", body: bulk(op(user("1", `"active":"true"`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.active: must be a boolean, got string"},
		{name: "string attribute wrong type", body: bulk(op(user("1", `"displayName":["a"]`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.displayName: must be a string, got array"},
		{name: "NUL in string", body: bulk(op(user("1", `"title":"a\u0000b"`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.title: must not contain NUL characters"},
		{name: "name not object", body: bulk(op(user("1", `"name":"Jo"`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.name: must be an object, got string"},
		{name: "name field type", body: bulk(op(user("1", `"name":{"givenName":1}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.name.givenName: must be a string, got number"},
		{name: "name unknown field", body: bulk(op(user("1", `"name":{"firstName":"Jo"}`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.name.firstName: unknown attribute"},
		{name: "emails not array", body: bulk(op(user("1", `"emails":{"value":"a@b"}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.emails: must be an array, got object"},
		{name: "email entry not object", body: bulk(op(user("1", `"emails":["a@b"]`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.emails[0]: must be an object, got string"},
		{name: "email primary", body: bulk(op(user("1")), op(user("2")), op(user("3")), op(user("4", `"emails":[{"value":"a@b","type":"work","primary":"true"}]`))),
			status: 400, scimType: TypeInvalidValue, detail: "Operations[3].data.emails[0].primary: must be a boolean, got string"},
		{name: "two primaries", body: bulk(op(user("1", `"phoneNumbers":[{"value":"1","primary":true},{"value":"2","primary":true}]`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.phoneNumbers[1].primary: only one entry may be primary, and Operations[0].data.phoneNumbers[0] already is"},
		{name: "address field type", body: bulk(op(user("1", `"addresses":[{"type":"work","postalCode":1058}]`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.addresses[0].postalCode: must be a string, got number"},
		{name: "address unknown field", body: bulk(op(user("1", `"addresses":[{"type":"work","city":"Oslo"}]`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.addresses[0].city: unknown attribute"},
		{name: "unknown core attribute", body: bulk(op(user("1", `"department":"Sales"`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.department: unknown attribute"},
		{name: "duplicate attribute differing in case", body: bulk(op(user("1", `"userName":"a"`, `"UserName":"b"`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.UserName: duplicate attribute (attribute names are case-insensitive)"},
		{name: "extension not object", body: bulk(op(user("1", `"urn:acme:hr":"x"`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.urn:acme:hr: must be an object, got string"},
		{name: "enterprise field type", body: bulk(op(user("1", `"`+EnterpriseUserSchema+`":{"department":7}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: must be a string, got number"},
		{name: "enterprise unknown attribute", body: bulk(op(user("1", `"`+EnterpriseUserSchema+`":{"dept":"x"}`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:dept: unknown attribute"},
		{name: "manager as string", body: bulk(op(user("1", `"`+EnterpriseUserSchema+`":{"manager":"10452"}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: must be an object, got string"},
		{name: "manager value type", body: bulk(op(user("1", `"`+EnterpriseUserSchema+`":{"manager":{"value":10452}}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value: must be a string, got number"},
		{name: "custom object value", body: bulk(op(user("1", `"urn:acme:hr":{"Cost":{"a":1}}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.urn:acme:hr:Cost: must be a string, number, boolean or array of them, got object"},
		{name: "custom array of objects", body: bulk(op(user("1", `"urn:acme:hr":{"Codes":["a",{}]}`))), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].data.urn:acme:hr:Codes[1]: must be a string, number or boolean, got object"},
		{name: "core nested under core URN", body: bulk(op(user("1", `"`+CoreUserSchema+`":{"title":"x"}`))), status: 400, scimType: TypeInvalidSyntax,
			detail: "Operations[0].data.urn:ietf:params:scim:schemas:core:2.0:User: core attributes must not be nested under the core schema URN"},
		{name: "duplicate bulkId", body: bulk(strings.Replace(op(user("1")), `"path"`, `"bulkId":"b1","path"`, 1), strings.Replace(op(user("2")), `"path"`, `"bulkId":"b1","path"`, 1)),
			status: 400, scimType: TypeUniqueness, detail: `Operations[1].bulkId: "b1" is already used by Operations[0]`},
		{name: "empty bulkId", body: bulk(strings.Replace(op(user("1")), `"path"`, `"bulkId":"","path"`, 1)), status: 400, scimType: TypeInvalidValue,
			detail: "Operations[0].bulkId: must not be empty"},
		{name: "duplicate externalId", body: bulk(op(user("21001")), op(user("21002")), op(user("21001"))), status: 400, scimType: TypeUniqueness,
			detail: `Operations[2].data.externalId: "21001" is already used by Operations[0]`},
		{name: "several problems are all reported", body: bulk(op(user("1", `"active":1`)), strings.Replace(op(user("2", `"title":false`)), "/Users", "/Users/2", 1)),
			status: 400, scimType: TypeInvalidValue,
			detail: `Operations[0].data.active: must be a boolean, got number; Operations[1].path: must be /Users, got "/Users/2"; Operations[1].data.title: must be a string, got boolean`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			se := parseErr(t, tc.body, Limits{})
			require.Equal(t, tc.status, se.Status)
			require.Equal(t, tc.scimType, se.ScimType)
			if tc.detail != "" {
				require.Equal(t, tc.detail, se.Detail)
			}
		})
	}
}

func TestParseBulkRequestLimits(t *testing.T) {
	ops := make([]string, 51)
	for i := range ops {
		ops[i] = op(user(fmt.Sprint(i)))
	}
	se := parseErr(t, bulk(ops...), Limits{})
	require.Equal(t, 413, se.Status)
	require.Equal(t, TypeTooMany, se.ScimType)
	require.Equal(t, "Operations: 51 operations, the limit is 50 per request", se.Detail)

	req, err := ParseBulkRequest([]byte(bulk(ops[:50]...)), Limits{})
	require.NoError(t, err)
	require.Len(t, req.Operations, 50)

	se = parseErr(t, bulk(ops[:3]...), Limits{MaxOperations: 2})
	require.Equal(t, 413, se.Status)

	body := bulk(op(user("1", `"title":"`+strings.Repeat("x", 1<<20)+`"`)))
	se = parseErr(t, body, Limits{})
	require.Equal(t, 413, se.Status)
	require.Empty(t, se.ScimType)
	require.Equal(t, fmt.Sprintf("request body is %d bytes, the limit is 1048576", len(body)), se.Detail)

	se = parseErr(t, bulk(op(user("1"))), Limits{MaxBytes: 10})
	require.Equal(t, 413, se.Status)
}

func TestParseBulkRequestCapsProblems(t *testing.T) {
	ops := make([]string, 30)
	for i := range ops {
		ops[i] = op(user(fmt.Sprint(i), `"active":"yes"`))
	}
	se := parseErr(t, bulk(ops...), Limits{})
	require.Len(t, se.Problems, MaxProblems)
	require.Equal(t, 10, se.Omitted)
	require.True(t, strings.HasSuffix(se.Detail, "; Operations[19].data.active: must be a boolean, got string; and 10 more problems"), se.Detail)
	require.Equal(t, Problem{Path: "Operations[0].data.active", ScimType: TypeInvalidValue, Message: "must be a boolean, got string", Operation: 0}, se.Problems[0])
	require.Len(t, se.Operations, MaxProblems, "one entry per operation with a listed problem")
	require.Equal(t, 19, se.Operations[19].Index)
}

func TestParseBulkRequestDeepNesting(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	se := parseErr(t, bulk(op(user("1", `"urn:acme:hr":`+deep))), Limits{})
	require.Equal(t, 400, se.Status)
	require.Equal(t, TypeInvalidSyntax, se.ScimType)
	require.Equal(t, "invalid JSON: nested deeper than 32 levels", se.Detail)
}

func TestErrorBody(t *testing.T) {
	se := parseErr(t, bulk(op(user("1", `"active":"yes"`))), Limits{})
	var got map[string]any
	require.NoError(t, json.Unmarshal(se.Body(), &got))
	want := map[string]any{
		"schemas":  []any{"urn:ietf:params:scim:api:messages:2.0:Error", BulkErrorSchema},
		"status":   "400",
		"scimType": "invalidValue",
		"detail":   "Operations[0].data.active: must be a boolean, got string",
		BulkErrorSchema: map[string]any{
			"operations": []any{map[string]any{"index": 0.0, "externalId": "1", "problems": []any{
				map[string]any{"path": "Operations[0].data.active", "scimType": "invalidValue", "message": "must be a boolean, got string"},
			}}},
			"problems": []any{},
			"omitted":  0.0,
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Body mismatch (-want +got):\n%s", diff)
	}
	require.Equal(t, "scim: 400 invalidValue: Operations[0].data.active: must be a boolean, got string", se.Error())

	tooBig := &Error{Status: 413, Detail: "too big"}
	require.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"413","detail":"too big"}`, string(tooBig.Body()))
	require.Equal(t, "scim: 413: too big", tooBig.Error())
}

func TestFlattening(t *testing.T) {
	s := expr.String
	tests := []struct {
		name string
		data string
		want map[string]expr.Value
	}{
		{name: "minimal", data: user("1"), want: map[string]expr.Value{"externalId": s("1")}},
		{name: "attribute names are case-insensitive", data: user("1", `"USERNAME":"u"`, `"Name":{"GivenName":"G"}`, `"Active":false`),
			want: map[string]expr.Value{"externalId": s("1"), "userName": s("u"), "name.givenName": s("G"), "active": s("False")}},
		{name: "nulls are absent", data: user("1", `"title":null`, `"name":null`, `"emails":[{"value":null,"type":"work"}]`, `"active":null`, `"urn:acme:hr":{"X":null}`),
			want: map[string]expr.Value{"externalId": s("1")}},
		{name: "empty string kept", data: user("1", `"title":""`), want: map[string]expr.Value{"externalId": s("1"), "title": s("")}},
		{name: "first entry of a type wins", data: user("1", `"phoneNumbers":[{"value":"1","type":"work"},{"value":"2","type":"work"},{"value":"3","type":"fax","primary":true,"display":"x"}]`),
			want: map[string]expr.Value{"externalId": s("1"),
				`phoneNumbers[type eq "work"].value`: s("1"), `phoneNumbers[type eq "fax"].value`: s("3"), `phoneNumbers[primary eq true].value`: s("3")}},
		{name: "entry without type", data: user("1", `"emails":[{"value":"a@b"}]`), want: map[string]expr.Value{"externalId": s("1")}},
		{name: "ignored core attributes", data: user("1", `"id":"x"`, `"meta":{"resourceType":"User"}`, `"groups":[]`),
			want: map[string]expr.Value{"externalId": s("1")}},
		{name: "manager displayName only", data: user("1", `"`+EnterpriseUserSchema+`":{"manager":{"displayName":"Boss"}}`),
			want: map[string]expr.Value{"externalId": s("1")}},
		{name: "enterprise URN in another case", data: user("1", `"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"Department":"D"}`),
			want: map[string]expr.Value{"externalId": s("1"), ent + "department": s("D")}},
		{name: "custom scalars", data: user("1", `"urn:acme:hr":{"Level":7,"Big":1e3,"Rate":1.50,"Manager":true,"Codes":["a",2,false],"Empty":[]}`),
			want: map[string]expr.Value{"externalId": s("1"),
				"urn:acme:hr:Level": s("7"), "urn:acme:hr:Big": s("1000"), "urn:acme:hr:Rate": s("1.50"), "urn:acme:hr:Manager": s("True"),
				"urn:acme:hr:Codes": expr.Multi([]string{"a", "2", "False"})}},
		{name: "unicode kept", data: user("1", `"displayName":"Zoë \u00d8 🙂"`), want: map[string]expr.Value{"externalId": s("1"), "displayName": s("Zoë Ø 🙂")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := ParseBulkRequest([]byte(bulk(op(tc.data))), Limits{})
			require.NoError(t, err)
			require.Len(t, req.Operations, 1)
			if diff := cmp.Diff(tc.want, req.Operations[0].Record.Attrs); diff != "" {
				t.Fatalf("Attrs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMethodCaseInsensitive(t *testing.T) {
	req, err := ParseBulkRequest([]byte(bulk(strings.Replace(op(user("1")), "POST", "post", 1))), Limits{})
	require.NoError(t, err)
	require.Equal(t, "1", req.Operations[0].Record.ExternalID)
}
