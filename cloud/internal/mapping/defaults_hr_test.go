package mapping

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// rulesOf indexes a mapping's rules by target.
func rulesOf(m Mapping) map[string]Rule {
	out := map[string]Rule{}
	for _, r := range m.Rules {
		out[r.Target] = r
	}
	return out
}

func TestDefaultWorkdayADShape(t *testing.T) {
	m := DefaultWorkdayAD()
	require.Len(t, m.Rules, 24)
	rules := rulesOf(m)
	require.Len(t, rules, 24, "one rule per target")

	var onCreate []string
	for _, r := range m.Rules {
		require.NotEmpty(t, r.Apply, r.Target)
		if r.Apply == OnCreate {
			onCreate = append(onCreate, r.Target)
		}
	}
	require.Equal(t, []string{"employeeID", "cn", "userPrincipalName", "sAMAccountName"}, onCreate)
	require.Equal(t, Rule{Target: "employeeID", Type: Direct, Source: "WorkerID", Apply: OnCreate, MatchingPriority: 1}, rules["employeeID"])
	require.Equal(t, "PreferredNameData", rules["cn"].Source)
	require.Contains(t, rules["userPrincipalName"].Expression, "SelectUniqueValue(")
	require.Equal(t, `Replace(Mid(Replace([UserID], , "([\\/\\\\\\[\\]\\:\\;\\|\\=\\,\\+\\*\\?\\<\\>])", , "", , ), 1, 20), , "(\\.)*$", , "", , )`,
		rules["sAMAccountName"].Expression, "expression (A) of the Workday tutorial, verbatim")
	require.Equal(t, `Switch([Active], , "0", "True", "1", "False")`, rules["accountDisabled"].Expression)
	require.Equal(t, "ManagerReference", rules["manager"].Source)
	require.Equal(t, "CountryReferenceTwoLetter", rules["co"].Source)
	require.Equal(t, "CountryReferenceTwoLetter", rules["c"].Source)
	require.Equal(t, "SupervisoryOrganization", rules["department"].Source)
	require.Contains(t, rules["parentDistinguishedName"].Expression, `Switch([Municipality], "OU=Default Users,DC=contoso,DC=com", "Dallas", "OU=Dallas,OU=Users,DC=contoso,DC=com"`)

	m.Rules[0].Target = "changed"
	require.Equal(t, "employeeID", DefaultWorkdayAD().Rules[0].Target, "each call is a copy")
}

func TestDefaultWorkdayADEvaluate(t *testing.T) {
	c, err := Compile(DefaultWorkdayAD())
	require.NoError(t, err)
	worker := attrs(
		"WorkerID", "21001", "WID", "f00dfeed", "Active", "1", "UserID", "soren.kjaer.consult.ant",
		"FirstName", "Søren", "LastName", "Kjær", "PreferredNameData", "Søren Kjær",
		"Company", "Acme Nordic ApS", "SupervisoryOrganization", "Platform Engineering",
		"ManagerReference", "0badcafe", "BusinessTitle", "Senior Site Reliability Engineer",
		"AddressLineData", "Havnegade 12", "Municipality", "Dallas", "CountryReferenceTwoLetter", "DK",
		"CountryRegionReference", "Hovedstaden", "PostalCode", "1058", "PrimaryWorkTelephone", "+45 33 12 34 56",
		"Mobile", "+45 20 98 76 54", "LocalReference", "da_DK",
	)
	oracle := &taken{values: map[string][]string{"userPrincipalName": {"søren.kjær@contoso.com"}}}
	got, err := c.Evaluate(worker, Create, EvalOptions{Unique: oracle})
	require.NoError(t, err)
	want := map[string][]string{
		"employeeID": {"21001"}, "cn": {"Søren Kjær"}, "accountDisabled": {"False"},
		"userPrincipalName": {"S.Kjær@contoso.com"},  // first.last@ is taken
		"sAMAccountName":    {"soren.kjaer.consult"}, // cut to 20, trailing dot removed
		"givenName":         {"Søren"}, "sn": {"Kjær"}, "displayName": {"Søren Kjær"},
		"company": {"Acme Nordic ApS"}, "department": {"Platform Engineering"}, "manager": {"0badcafe"},
		"title": {"Senior Site Reliability Engineer"}, "streetAddress": {"Havnegade 12"}, "l": {"Dallas"},
		"co": {"DK"}, "c": {"DK"}, "st": {"Hovedstaden"}, "postalCode": {"1058"},
		"telephoneNumber": {"+45 33 12 34 56"}, "mobile": {"+45 20 98 76 54"}, "preferredLanguage": {"da_DK"},
		"parentDistinguishedName": {"OU=Dallas,OU=Users,DC=contoso,DC=com"},
	}
	if diff := cmp.Diff(want, got.Attrs); diff != "" {
		t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
	}
	require.Equal(t, []string{"userPrincipalName: Søren.Kjær@contoso.com, S.Kjær@contoso.com, Sø.Kjær@contoso.com"}, oracle.asked)

	// sAMAccountName drops the characters AD forbids.
	worker["UserID"] = attrs("a", `a/b\c[d]e:f;g|h=i,j+k*l?m<n>o`)["a"]
	got, err = c.Evaluate(worker, Create, EvalOptions{Unique: &taken{}})
	require.NoError(t, err)
	require.Equal(t, []string{"abcdefghijklmno"}, got.Attrs["sAMAccountName"])
	require.Equal(t, []string{"Søren.Kjær@contoso.com"}, got.Attrs["userPrincipalName"])

	// A terminated worker in an unlisted city, on update: no uniqueness
	// check, create-only attributes left alone.
	worker["Active"] = attrs("a", "0")["a"]
	worker["Municipality"] = attrs("a", "Aarhus")["a"]
	got, err = c.Evaluate(worker, Update, EvalOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"True"}, got.Attrs["accountDisabled"])
	require.Equal(t, []string{"OU=Default Users,DC=contoso,DC=com"}, got.Attrs["parentDistinguishedName"])
	for _, a := range []string{"employeeID", "cn", "userPrincipalName", "sAMAccountName"} {
		require.NotContains(t, got.Attrs, a, "create only")
	}

	mr := c.Matching()
	require.Len(t, mr, 1)
	v, ok, err := mr[0].Value(worker, EvalOptions{})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "employeeID", mr[0].Target)
	require.Equal(t, "21001", v)
}

func TestDefaultSuccessFactorsAD(t *testing.T) {
	m := DefaultSuccessFactorsAD()
	rules := rulesOf(m)
	require.Len(t, rules, len(m.Rules), "one rule per target")
	require.Equal(t, Rule{Target: "employeeID", Type: Direct, Source: "personIdExternal", Apply: Always, MatchingPriority: 1}, rules["employeeID"])
	require.Equal(t, "addressLine1", rules["streetAddress"].Source)
	require.Equal(t, "zipCode", rules["postalCode"].Source)

	c, err := Compile(m)
	require.NoError(t, err)
	person := attrs(
		"personIdExternal", "80042", "perPersonUuid", "9F1C", "displayName", "Siobhán O'Brien-Smyth",
		"firstName", "Siobhán", "lastName", "O'Brien-Smyth", "addressLine1", "1 Grand Canal Sq", "city", "Dublin",
		"country", "Ireland", "state", "Leinster", "username", "sobriensmyth", "zipCode", "D02 P820",
		"emailAddress", "siobhan.obrien-smyth@acme.example", "jobTitle", "Data Migration Consultant",
		"manager", "80001", "twoCharCountryCode", "IE", "department", "Finance Systems", "division", "Finance",
		"activeEmploymentsCount", "1",
	)
	got, err := c.Evaluate(person, Create, EvalOptions{})
	require.NoError(t, err)
	want := map[string][]string{
		"employeeID": {"80042"}, "displayName": {"Siobhán O'Brien-Smyth"}, "givenName": {"Siobhán"},
		"sn": {"O'Brien-Smyth"}, "streetAddress": {"1 Grand Canal Sq"}, "l": {"Dublin"}, "co": {"Ireland"},
		"st": {"Leinster"}, "sAMAccountName": {"sobriensmyth"}, "postalCode": {"D02 P820"},
		"mail": {"siobhan.obrien-smyth@acme.example"}, "title": {"Data Migration Consultant"}, "manager": {"80001"},
		"c": {"IE"}, "department": {"Finance Systems"}, "company": {"Finance"}, "accountDisabled": {"False"},
	}
	if diff := cmp.Diff(want, got.Attrs); diff != "" {
		t.Fatalf("Evaluate mismatch (-want +got):\n%s", diff)
	}

	for count, disabled := range map[string]string{"0": "True", "1": "False", "2": "False"} {
		person["activeEmploymentsCount"] = attrs("a", count)["a"]
		got, err := c.Evaluate(person, Update, EvalOptions{})
		require.NoError(t, err)
		require.Equal(t, []string{disabled}, got.Attrs["accountDisabled"], "activeEmploymentsCount %s", count)
	}

	m.Rules[0].Target = "changed"
	require.Equal(t, "employeeID", DefaultSuccessFactorsAD().Rules[0].Target, "each call is a copy")
}
