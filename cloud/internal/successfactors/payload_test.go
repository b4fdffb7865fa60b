package successfactors

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/shared/confload"
)

// section11 is the example expanded PerPerson of
// successfactors-protocol.md §11, as the reference gives it.
func section11(t *testing.T) any {
	t.Helper()
	b, err := os.ReadFile("testdata/section11_perperson.json")
	require.NoError(t, err)
	data, err := parseJSON(b)
	require.NoError(t, err)
	rows, ok := field(field(data, "d"), "results").([]any)
	require.True(t, ok)
	require.Len(t, rows, 1)
	return rows[0]
}

// TestDefaultAttributesOnTheReferenceExample runs every default JSONPath
// over the reference's example person.
func TestDefaultAttributesOnTheReferenceExample(t *testing.T) {
	attrs, err := compile(DefaultAttributes())
	require.NoError(t, err)
	got := attributes(attrs, section11(t))
	want := map[string]expr.Value{
		"personIdExternal":       expr.String("P100231"),
		"personId":               expr.String("5512"),
		"perPersonUuid":          expr.String("9C1D2E3F4A5B4C6D8E9F0A1B2C3D4E5F"),
		"firstName":              expr.String("Łukasz"),
		"lastName":               expr.String("Wiśniewski-Nowak"),
		"preferredName":          expr.String("Luke"),
		"displayName":            expr.String("Luke Wiśniewski-Nowak"),
		"gender":                 expr.String("M"),
		"emailAddress":           expr.String("lukasz.wisniewski-nowak@acme.example"),
		"emailType":              expr.String("8448"),
		"phoneNumber":            expr.String("5551234"),
		"countryCode":            expr.String("48"),
		"areaCode":               expr.String("22"),
		"phoneType":              expr.String("10605"),
		"activeEmploymentsCount": expr.String("1"),
		"userId":                 expr.String("100231"),
		"startDate":              expr.String("2024-09-02T00:00:00Z"),
		"firstDateWorked":        expr.String("2024-09-02T00:00:00Z"),
		"isContingentWorker":     expr.Bool(false),
		"username":               expr.String("lwisniewski"),
		"userStatus":             expr.String("t"),
		"city":                   expr.String("Warszawa"),
		"state":                  expr.String("Mazowieckie"),
		"country":                expr.String("Poland"),
		"zipCode":                expr.String("00-001"),
		"addressLine1":           expr.String("ul. Marszałkowska 1"),
		"timeZone":               expr.String("Europe/Warsaw"),
		"manager":                expr.String("P100017"),
		"jobTitle":               expr.String("Payroll Specialist"),
		"emplStatus":             expr.String("A"),
		"managerId":              expr.String("100017"),
		"countryOfCompany":       expr.String("POL"),
		"position":               expr.String("30004512"),
		"endDate":                expr.String("9999-12-31T00:00:00Z"),
		"company":                expr.String("Acme Polska Sp. z o.o."),
		"companyId":              expr.String("PL01"),
		"twoCharCountryCode":     expr.String("PL"),
		"department":             expr.String("Payroll"),
		"departmentId":           expr.String("D-PAY"),
		"LocationName":           expr.String("Warsaw Office"),
		"officeLocationAddress":  expr.String("ul. Marszałkowska 1"),
		"officeLocationCity":     expr.String("Warszawa"),
		"officeLocationZipCode":  expr.String("00-001"),
	}
	for name, v := range want {
		g, ok := got[name]
		require.True(t, ok, "%s has no value", name)
		require.True(t, v.Equal(g) && v.Kind() == g.Kind(), "%s: want %v, got %v", name, v.AsString(), g.AsString())
	}
	// Everything else the example holds no value for: null values
	// (middleName, extension, custom01, lastDateWorked,
	// latestTerminationDate) and navigations it does not expand.
	for name, v := range got {
		_, expected := want[name]
		require.True(t, expected, "unexpected value %s = %q", name, v.AsString())
	}
	for _, absent := range []string{"middleName", "extension", "custom01", "lastDateWorked", "latestTerminationDate", "division", "costCenter", "payGrade"} {
		require.NotContains(t, got, absent)
	}
}

func TestMicrosoftPathsOnTheReferenceExample(t *testing.T) {
	person := section11(t)
	for _, tc := range []struct{ path, want string }{
		{"$.employmentNav.results[-1:].startDate", "2024-09-02T00:00:00Z"},
		{"$.employmentNav.results[?(@.assignmentClass == 'ST')].userId", "100231"},
		{"$.employmentNav.results[?(@.assignmentClass == 'GA')].userId", ""},
		{"$.employmentNav..jobInfoNav..results[?(@.emplStatusNav.externalCode == 'A' || @.emplStatusNav.externalCode == 'U' || @.emplStatusNav.externalCode == 'P')].jobTitle", "Payroll Specialist"},
		{"$.employmentNav..results[?(@.jobInfoNav..results[?(@.emplStatusNav.externalCode == 'A' || @.emplStatusNav.externalCode == 'U' || @.emplStatusNav.externalCode == 'P')])].userId", "100231"},
		{"$.employmentNav.results[?(@.userNav != null)].userNav.username", "lwisniewski"},
		{"$.phoneNav.results[?(@.isPrimary == true)].phoneNumber", "5551234"},
		{"$.emailNav.results[?(@.isPrimary == false)].emailAddress", "luke.wn@example.net"},
		{"$.lastModifiedDateTime", "2025-03-03T08:20:00Z"},
	} {
		attrs, err := compile([]source.Attribute{{Name: "a", Path: tc.path}})
		require.NoError(t, err, tc.path)
		require.Equal(t, tc.want, attributes(attrs, person)["a"].AsString(), tc.path)
	}
}

func TestWakeOnTheReferenceExample(t *testing.T) {
	c, err := New(Config{BaseURL: "api4.successfactors.com", CompanyID: "ACME", Auth: Auth{Username: "u", Password: "p"}})
	require.NoError(t, err)
	person := section11(t)
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	require.NoError(t, err)
	// Before the start date: the start, midnight in Warsaw.
	ref := time.Date(2024, 8, 20, 0, 0, 0, 0, time.UTC)
	require.Equal(t, []time.Time{time.Date(2024, 9, 2, 0, 0, 0, 0, warsaw)}, c.wakes(person, ref, "", nil))
	start, ok := c.futureStart(person, ref)
	require.True(t, ok)
	require.Equal(t, "2024-09-02", start.Format("2006-01-02"))
	// After it, nothing is pending: the job slice is open-ended.
	require.Empty(t, c.wakes(person, time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), "", nil))
}

// TestRequestsMatchTheReference checks the connector's queries against
// successfactors-protocol.md §7.
func TestRequestsMatchTheReference(t *testing.T) {
	var seen []*http.Request
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r)
		if strings.HasSuffix(r.URL.Path, "/$count") {
			_, _ = w.Write([]byte("0"))
			return
		}
		_, _ = w.Write([]byte(`{"d":{"results":[]}}`))
	}))
	defer ts.Close()
	now := time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)
	last := now.Add(-40 * time.Minute)
	c, err := New(Config{BaseURL: ts.URL, CompanyID: "ACME", Auth: Auth{Username: "sfapi", Password: "pw"}, Clock: clockAt(now)})
	require.NoError(t, err)
	wm, err := c.Full(context.Background(), func(source.Record) error { return nil })
	require.NoError(t, err)
	require.Len(t, seen, 1)
	full := seen[0]
	require.Equal(t, "/odata/v2/PerPerson", full.URL.Path)
	user, pass, ok := full.BasicAuth()
	require.True(t, ok)
	require.Equal(t, "sfapi@ACME", user, "Basic authenticates as username@companyId")
	require.Equal(t, "pw", pass)
	q := full.URL.Query()
	require.Equal(t, "json", q.Get("$format"))
	require.Equal(t, "100", q.Get("customPageSize"))
	require.Equal(t, "(personEmpTerminationInfoNav/activeEmploymentsCount ne null) and (lastModifiedDateTime le datetimeoffset'2025-03-03T08:00:00Z')", q.Get("$filter"))
	// The always-expanded set first, then what the default attributes need.
	require.Equal(t, strings.Join([]string{
		"employmentNav/userNav", "employmentNav/jobInfoNav", "personalInfoNav", "personEmpTerminationInfoNav",
		"phoneNav", "emailNav", "employmentNav/userNav/manager/empInfo",
		"employmentNav/jobInfoNav/companyNav", "employmentNav/jobInfoNav/companyNav/countryOfRegistrationNav",
		"employmentNav/jobInfoNav/departmentNav", "employmentNav/jobInfoNav/businessUnitNav",
		"employmentNav/jobInfoNav/costCenterNav", "employmentNav/jobInfoNav/divisionNav",
		"employmentNav/jobInfoNav/jobCodeNav", "employmentNav/jobInfoNav/payGradeNav",
		"employmentNav/jobInfoNav/locationNav", "employmentNav/jobInfoNav/locationNav/addressNavDEFLT",
		"employmentNav/jobInfoNav/emplStatusNav",
	}, ","), q.Get("$expand"))

	// The incremental read: $count, then the same filter.
	require.Equal(t, watermark{At: now}.encode(), wm)
	seen = nil
	_, err = c.Changes(context.Background(), watermark{At: last}.encode(), func(source.Record) error { return nil })
	require.NoError(t, err)
	require.Len(t, seen, 2)
	require.Equal(t, "/odata/v2/PerPerson/$count", seen[0].URL.Path)
	require.Equal(t, "/odata/v2/PerPerson", seen[1].URL.Path)
	require.Equal(t, seen[0].URL.Query().Get("$filter"), seen[1].URL.Query().Get("$filter"))
	L, C := "datetimeoffset'2025-03-03T07:20:00Z'", "datetimeoffset'2025-03-03T08:00:00Z'"
	reference := `(personEmpTerminationInfoNav/activeEmploymentsCount ne null) and (
     (lastModifiedDateTime ge L and lastModifiedDateTime le C)
  or (personalInfoNav/startDate ge L and personalInfoNav/startDate le C)
  or ((personalInfoNav/lastModifiedDateTime ge L and personalInfoNav/lastModifiedDateTime le C)
       and (personalInfoNav/startDate le C and (personalInfoNav/endDate ge C or personalInfoNav/endDate eq null)))
  or (employmentNav/startDate ge L and employmentNav/startDate le C)
  or ((employmentNav/lastModifiedDateTime ge L and employmentNav/lastModifiedDateTime le C)
       and (employmentNav/startDate le C and (employmentNav/endDate ge C or employmentNav/endDate eq null)))
  or (employmentNav/jobInfoNav/startDate ge L and employmentNav/jobInfoNav/startDate le C)
  or ((employmentNav/jobInfoNav/lastModifiedDateTime ge L and employmentNav/jobInfoNav/lastModifiedDateTime le C)
       and (employmentNav/jobInfoNav/startDate le C and (employmentNav/jobInfoNav/endDate ge C or employmentNav/jobInfoNav/endDate eq null)))
  or (phoneNav/lastModifiedDateTime ge L and phoneNav/lastModifiedDateTime le C)
  or (emailNav/lastModifiedDateTime ge L and emailNav/lastModifiedDateTime le C)
  or (personEmpTerminationInfoNav/latestTerminationDate ge P0
       and personEmpTerminationInfoNav/latestTerminationDate le P1)
  or (employmentNav/userNav/lastModifiedDateTime ge L and employmentNav/userNav/lastModifiedDateTime le C))`
	reference = strings.NewReplacer(" L ", " "+L+" ", " L)", " "+L+")", " C ", " "+C+" ", " C)", " "+C+")",
		"P0", "datetime'2025-03-02T00:00:00'", "P1", "datetime'2025-03-02T23:59:59'").Replace(reference)
	require.Equal(t, squash(reference), squash(seen[1].URL.Query().Get("$filter")))
}

var space = regexp.MustCompile(`\s+`)

// squash removes the layout of a filter: whitespace runs become one space
// and none is kept inside parentheses.
func squash(s string) string {
	s = space.ReplaceAllString(s, " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(s)
}

func TestErrorsAreClassified(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		kind   source.Kind
		msg    string
	}{
		{"bad request", 400, `{"error":{"code":"COE_PROPERTY_NOT_FOUND","message":{"lang":"en-US","value":"Invalid property names: PerPerson/foo."}}}`, source.Validation, "Invalid property names: PerPerson/foo."},
		{"not found", 404, `not here`, source.Validation, "API host"},
		{"unauthorized", 401, `{"error":{"code":"LGN0011","message":{"value":"Authentication failed."}}}`, source.Authentication, "Authentication failed."},
		{"forbidden", 403, `{"error":{"code":"LGN0002","message":{"value":"ODATA_ADMIN_PERM_REQUIRED"}}}`, source.Authentication, "ODATA_ADMIN_PERM_REQUIRED"},
		{"server error", 500, `boom`, source.Unavailable, "500"},
		{"throttled", 429, ``, source.Throttling, "429"},
		{"not json", 200, `<html>maintenance</html>`, source.Protocol, "not JSON"},
		{"no results", 200, `{"d":{}}`, source.Protocol, "d.results"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			c, err := New(Config{BaseURL: ts.URL, CompanyID: "ACME", Auth: Auth{Username: "u", Password: "p"},
				Retry: Retry{Max: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
			require.NoError(t, err)
			_, err = c.Full(context.Background(), func(source.Record) error { return nil })
			require.Equal(t, tc.kind, source.KindOf(err), "%v", err)
			require.Contains(t, err.Error(), tc.msg)
			if tc.status == 429 || tc.status >= 500 {
				require.Equal(t, 3, calls, "retried twice")
			} else {
				require.Equal(t, 1, calls, "not retried")
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		c, err := New(Config{BaseURL: "http://127.0.0.1:1", CompanyID: "ACME", Auth: Auth{Username: "u", Password: "p"},
			Retry: Retry{Max: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
		require.NoError(t, err)
		_, err = c.Full(context.Background(), func(source.Record) error { return nil })
		require.Equal(t, source.Unavailable, source.KindOf(err), "%v", err)
	})
}

func TestValidate(t *testing.T) {
	ok := Config{BaseURL: "api4.successfactors.com", CompanyID: "ACME", Auth: Auth{Username: "sfapi", Password: "pw"}}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		name, field string
		mutate      func(*Config)
	}{
		{"no base URL", "BaseURL", func(c *Config) { c.BaseURL = "" }},
		{"a path in the base URL", "BaseURL", func(c *Config) { c.BaseURL = "https://api4.successfactors.com/sf/home" }},
		{"ftp", "BaseURL", func(c *Config) { c.BaseURL = "ftp://api4.successfactors.com" }},
		{"no company", "CompanyID", func(c *Config) { c.CompanyID = "" }},
		{"no password", "Auth.Password", func(c *Config) { c.Auth.Password = "" }},
		{"user with company", "Auth.Username", func(c *Config) { c.Auth.Username = "sfapi@ACME" }},
		{"oauth without a key", "Auth.PrivateKey", func(c *Config) { c.Auth = Auth{ClientID: "x", UserID: "sfapi"} }},
		{"oauth with a bad key", "Auth.PrivateKey", func(c *Config) { c.Auth = Auth{ClientID: "x", UserID: "sfapi", PrivateKey: "bm90IGEga2V5"} }},
		{"page too large", "PageSize", func(c *Config) { c.PageSize = 1001 }},
		{"bad zone", "DefaultTimeZone", func(c *Config) { c.DefaultTimeZone = "Mars/Olympus" }},
		{"email type with separator", "WriteBack.EmailType", func(c *Config) { c.WriteBack.EmailType = "8,448" }},
		{"bad path", "Attributes[1] (department)", func(c *Config) {
			c.Attributes = []source.Attribute{{Name: "a", Path: "$.a"}, {Name: "department", Path: "$.employmentNav.results[?(@.x ==]"}}
		}},
		{"relative path", "Attributes[0] (a)", func(c *Config) { c.Attributes = []source.Attribute{{Name: "a", Path: "a.b"}} }},
		{"duplicate", "Attributes[1] (a)", func(c *Config) {
			c.Attributes = []source.Attribute{{Name: "a", Path: "$.a"}, {Name: "a", Path: "$.b"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			var fe *confload.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field, "%v", err)
			_, err = New(c)
			require.Error(t, err)
		})
	}
}
