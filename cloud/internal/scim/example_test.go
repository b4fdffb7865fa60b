package scim

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

const (
	ent    = EnterpriseUserSchema + ":"
	acmehr = "urn:ietf:params:scim:schemas:extension:acmehr:1.0:User:"
)

// section6Records are the users of the complete example in section 6 of the
// API-driven inbound reference, flattened.
func section6Records() []Record {
	s := expr.String
	return []Record{
		{ExternalID: "21001", Attrs: map[string]expr.Value{
			"externalId":                    s("21001"),
			"userName":                      s("soren.kjaer@acme.example"),
			"name.formatted":                s("Søren Kjær"),
			"name.familyName":               s("Kjær"),
			"name.givenName":                s("Søren"),
			"displayName":                   s("Søren Kjær"),
			"nickName":                      s("Søren"),
			`emails[type eq "work"].value`:  s("soren.kjaer@acme.example"),
			`emails[primary eq true].value`: s("soren.kjaer@acme.example"),
			`addresses[type eq "work"].streetAddress`:  s("Havnegade 12"),
			`addresses[type eq "work"].locality`:       s("København"),
			`addresses[type eq "work"].region`:         s("Hovedstaden"),
			`addresses[type eq "work"].postalCode`:     s("1058"),
			`addresses[type eq "work"].country`:        s("DK"),
			`addresses[type eq "work"].formatted`:      s("Havnegade 12\n1058 København K\nDenmark"),
			`addresses[primary eq true].streetAddress`: s("Havnegade 12"),
			`addresses[primary eq true].locality`:      s("København"),
			`addresses[primary eq true].region`:        s("Hovedstaden"),
			`addresses[primary eq true].postalCode`:    s("1058"),
			`addresses[primary eq true].country`:       s("DK"),
			`addresses[primary eq true].formatted`:     s("Havnegade 12\n1058 København K\nDenmark"),
			`phoneNumbers[type eq "work"].value`:       s("+45 33 12 34 56"),
			`phoneNumbers[type eq "mobile"].value`:     s("+45 20 98 76 54"),
			"userType":                                 s("Employee"),
			"title":                                    s("Senior Site Reliability Engineer"),
			"preferredLanguage":                        s("da-DK"),
			"locale":                                   s("da-DK"),
			"timezone":                                 s("Europe/Copenhagen"),
			"active":                                   s("True"),
			ent + "employeeNumber":                     s("21001"),
			ent + "costCenter":                         s("CC-4410"),
			ent + "organization":                       s("Acme Nordic ApS"),
			ent + "division":                           s("Technology"),
			ent + "department":                         s("Platform Engineering"),
			ent + "manager":                            s("10452"),
			acmehr + "HireDate":                        s("2024-09-02T00:00:00+02:00"),
			acmehr + "OriginalHireDate":                s("2019-03-04T00:00:00+01:00"),
			acmehr + "WorkerType":                      s("Employee"),
			acmehr + "LocationCode":                    s("LOC-CPH"),
			acmehr + "SourceSystem":                    s("Workday"),
			acmehr + "SourceRecordId":                  s("3f1c2a7b9d0e4f5a8b6c7d8e9f0a1b2c"),
		}},
		{ExternalID: "C-70033", Attrs: map[string]expr.Value{
			"externalId":                    s("C-70033"),
			"userName":                      s("siobhan.obrien-smyth@acme.example"),
			"name.formatted":                s("Siobhán O'Brien-Smyth"),
			"name.familyName":               s("O'Brien-Smyth"),
			"name.givenName":                s("Siobhán"),
			"displayName":                   s("Siobhán O'Brien-Smyth (Contractor)"),
			`emails[type eq "work"].value`:  s("siobhan.obrien-smyth@acme.example"),
			`emails[primary eq true].value`: s("siobhan.obrien-smyth@acme.example"),
			"userType":                      s("Contractor"),
			"title":                         s("Data Migration Consultant"),
			"active":                        s("False"),
			ent + "employeeNumber":          s("C-70033"),
			ent + "organization":            s("Acme Ireland Ltd"),
			ent + "division":                s("Finance"),
			ent + "department":              s("Finance Systems"),
			ent + "manager":                 s("21001"),
			acmehr + "HireDate":             s("2024-11-18T00:00:00+00:00"),
			acmehr + "TerminationDate":      s("2025-02-28T00:00:00+00:00"),
			acmehr + "WorkerType":           s("Contingent"),
			acmehr + "SourceSystem":         s("SuccessFactors"),
			acmehr + "SourceRecordId":       s("P170033"),
		}},
	}
}

func TestParseSection6Example(t *testing.T) {
	body, err := os.ReadFile("testdata/section6-bulk-request.json")
	require.NoError(t, err)

	got, err := ParseBulkRequest(body, Limits{})
	require.NoError(t, err)

	recs := section6Records()
	want := &BulkRequest{Operations: []Operation{
		{Index: 0, BulkID: "b7f1d6c2-3e8a-4f55-9c1d-0a2b3c4d5e01", Record: recs[0]},
		{Index: 1, BulkID: "b7f1d6c2-3e8a-4f55-9c1d-0a2b3c4d5e02", Record: recs[1]},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ParseBulkRequest mismatch (-want +got):\n%s", diff)
	}
}
