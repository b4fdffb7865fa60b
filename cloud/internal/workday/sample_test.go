package workday

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// sampleWorker parses a Get_Workers response from testdata and returns its
// only worker.
func sampleWorker(t *testing.T, c *Connector, file string) *worker {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	doc, err := parseXML(raw)
	require.NoError(t, err)
	p, err := parsePage(doc)
	require.NoError(t, err)
	require.Equal(t, 1, p.total)
	require.Equal(t, 1, p.last)
	require.Len(t, p.workers, 1)
	w, err := c.readWorker(p.workers[0])
	require.NoError(t, err)
	return w
}

func testConnector(t *testing.T, url string, mutate func(*Config)) *Connector {
	t.Helper()
	cfg := Config{URL: url, Username: "ISU_hrsync", Password: "pw",
		Clock: clockwork.NewFakeClockAt(time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC))}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// TestReferenceFragment evaluates the default XPath tables against the
// example response of workday-protocol.md §8 (and its v21.1-shaped twin):
// every attribute the fragment holds comes out with its value, and every
// other attribute is absent.
func TestReferenceFragment(t *testing.T) {
	common := map[string]string{
		"Active": "1", "AddressLineData": "Havnegade 12", "BusinessTitle": "Senior SRE",
		"Company": "Acme Nordic ApS", "CountryReference": "DNK", "CountryReferenceFriendly": "Denmark",
		"CountryReferenceNumeric": "208", "CountryReferenceTwoLetter": "DK",
		"EmailAddress": "soren.kjaer@acme.example", "EmployeeID": "21001", "FirstName": "Søren",
		"JobFamilyID": "ENG", "LastName": "Kjær", "LocalReference": "da_DK", "LocationIdentifier": "LOC-CPH",
		"ManagerReference": "bb11bb11bb11bb11bb11bb11bb11bb11", "Municipality": "København",
		"PositionID": "P-004512", "PositionTitle": "Site Reliability Engineer", "PostalCode": "1058",
		"PreferredFirstName": "Søren", "PreferredLastName": "Kjær", "PreferredNameData": "Søren Kjær",
		"StatusHireDate": "2024-09-02-07:00", "StatusOriginalHireDate": "2019-03-04-07:00",
		"StatusRehire": "1", "StatusTerminated": "0", "SupervisoryOrganization": "Platform Engineering",
		"UserID": "skjaer", "WID": "3f1c2a7b9d0e4f5a8b6c7d8e9f0a1b2c", "WorkerID": "21001", "WorkerType": "Regular",
	}
	tests := []struct {
		name, url, file string
		attrs           int
	}{
		{"v21.1", "https://wd3-impl-services1.workday.com/ccx/service/acme/Human_Resources", "reference-v21.xml", 80},
		{"v34.0", "https://wd3-impl-services1.workday.com/ccx/service/acme/Human_Resources/v34.0", "reference-v34.xml", 81},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConnector(t, tt.url, nil)
			require.Len(t, c.Attributes(), tt.attrs, "the default table is what an admin gets")
			w := sampleWorker(t, c, tt.file)
			rec := c.record(w, time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC))
			got := map[string]string{}
			for k, v := range rec.Attributes {
				require.Equal(t, expr.KindString, v.Kind(), k)
				got[k] = v.AsString()
			}
			require.Equal(t, common, got)
			require.Equal(t, "3f1c2a7b9d0e4f5a8b6c7d8e9f0a1b2c", rec.Anchor)
			require.Empty(t, rec.Wake, "nothing in the fragment lies after 2025-03-03")
		})
	}
}

// TestDefaultXPathsCompile: every shipped XPath compiles, and a name with
// no path takes the default one.
func TestDefaultXPathsCompile(t *testing.T) {
	for _, v := range []string{V21, V30} {
		attrs := DefaultAttributes(v)
		require.NotEmpty(t, attrs, v)
		_, errs := compileAttributes(attrs, v == V30)
		require.Empty(t, errs, v)
	}
	require.Nil(t, DefaultAttributes("v99"))
	c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v35.1",
		func(c *Config) { c.Attributes = []source.Attribute{{Name: "WorkerID"}, {Name: "Mobile"}} })
	got := c.Attributes()
	require.Len(t, got, 2)
	require.Contains(t, got[1].Path, "Workday_Traditional_Formatted_Phone", "v30+ table for an explicit version")
}

// TestWakeZones: a hire date after now wakes the engine at midnight at the
// start of that date in the worker's zone, found by Location_ID before
// country, else the default zone.
func TestWakeZones(t *testing.T) {
	now := time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	cph, err := time.LoadLocation("Europe/Copenhagen")
	require.NoError(t, err)
	kol, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	tests := []struct {
		name  string
		zones map[string]string
		deflt string
		want  time.Time
	}{
		{"by location", map[string]string{"LOC-CPH": "Europe/Copenhagen", "DK": "Asia/Kolkata"}, "", time.Date(2024, 9, 2, 0, 0, 0, 0, cph)},
		{"by alpha-2 country", map[string]string{"DK": "Asia/Kolkata"}, "", time.Date(2024, 9, 2, 0, 0, 0, 0, kol)},
		{"by alpha-3 country", map[string]string{"DNK": "Europe/Copenhagen"}, "", time.Date(2024, 9, 2, 0, 0, 0, 0, cph)},
		{"default zone", nil, "Asia/Kolkata", time.Date(2024, 9, 2, 0, 0, 0, 0, kol)},
		{"UTC by default", nil, "", time.Date(2024, 9, 2, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", func(c *Config) {
				c.Zones, c.DefaultZone = tt.zones, tt.deflt
			})
			w := sampleWorker(t, c, "reference-v34.xml")
			wake := c.record(w, now).Wake
			require.Len(t, wake, 1)
			require.True(t, wake[0].Equal(tt.want), "wake %v, want %v", wake[0], tt.want)
		})
	}
}

func TestValueKinds(t *testing.T) {
	c := testConnector(t, "https://h.example/ccx/service/acme/Human_Resources/v34.0", func(c *Config) {
		c.Attributes = []source.Attribute{
			{Name: "Chain", Path: "wd:Worker/wd:Worker_Data/wd:Management_Chain_Data/wd:Worker_Supervisory_Management_Chain_Data/wd:Management_Chain_Data/wd:Manager_Reference/wd:ID[@wd:type='Employee_ID']/text()"},
			{Name: "Display", Path: "concat(wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Name_Data/wd:Legal_Name_Data/wd:Name_Detail_Data/wd:Last_Name, ', ', wd:Worker/wd:Worker_Data/wd:Worker_ID)"},
			{Name: "Orgs", Path: "count(wd:Worker/wd:Worker_Data/wd:Organization_Data/wd:Worker_Organization_Data)"},
			{Name: "IsRehire", Path: "wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Status_Data/wd:Rehire = '1'"},
			{Name: "Initial", Path: "substring(wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Name_Data/wd:Legal_Name_Data/wd:Name_Detail_Data/wd:First_Name, 1, 1)"},
			{Name: "Nothing", Path: "wd:Worker/wd:Worker_Data/wd:Universal_ID/text()"},
			{Name: "Empty", Path: "string(wd:Worker/wd:Worker_Data/wd:Universal_ID)"},
		}
	})
	rec := c.record(sampleWorker(t, c, "reference-v34.xml"), time.Now())
	require.Equal(t, []string{"10000", "10452"}, rec.Attributes["Chain"].Values(), "several nodes: a multi-value")
	require.Equal(t, expr.KindMulti, rec.Attributes["Chain"].Kind())
	require.Equal(t, "Kjær, 21001", rec.Attributes["Display"].AsString())
	require.Equal(t, "2", rec.Attributes["Orgs"].AsString())
	require.Equal(t, "true", rec.Attributes["IsRehire"].AsString())
	require.Equal(t, "S", rec.Attributes["Initial"].AsString())
	require.NotContains(t, rec.Attributes, "Nothing")
	require.NotContains(t, rec.Attributes, "Empty")
}

func TestValidate(t *testing.T) {
	ok := Config{URL: "https://h.example/ccx/service/acme", Username: "u", Password: "p"}
	require.NoError(t, ok.Validate())
	tests := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"no url", func(c *Config) { c.URL = "" }, "url"},
		{"http to a remote host", func(c *Config) { c.URL = "http://h.example/ccx/service/acme" }, "url"},
		{"not a service path", func(c *Config) { c.URL = "https://h.example/ccx/acme" }, "url"},
		{"old version", func(c *Config) { c.URL = "https://h.example/ccx/service/acme/Human_Resources/v26.1" }, "url"},
		{"no username", func(c *Config) { c.Username = "" }, "username"},
		{"no password", func(c *Config) { c.Password = "" }, "password"},
		{"bad xpath", func(c *Config) { c.Attributes = []source.Attribute{{Name: "X", Path: "wd:Worker/[["}} }, "attributes[0].path"},
		{"unknown default", func(c *Config) { c.Attributes = []source.Attribute{{Name: "Shoe_Size"}} }, "attributes[0].path"},
		{"twice", func(c *Config) { c.Attributes = []source.Attribute{{Name: "WID"}, {Name: "WID"}} }, "attributes[1].name"},
		{"bad zone", func(c *Config) { c.Zones = map[string]string{"LOC-X": "Mars/Olympus"} }, "zones[LOC-X]"},
		{"bad default zone", func(c *Config) { c.DefaultZone = "Nowhere" }, "defaultZone"},
		{"page size", func(c *Config) { c.PageSize = 1000 }, "pageSize"},
		{"retry waits", func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Second, time.Millisecond }, "retryWaitMax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mutate(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.field+":")
			_, err = New(cfg)
			require.Error(t, err)
		})
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		url, post, tenant, version string
	}{
		{"https://wd3-impl-services1.workday.com/ccx/service/contoso4", "https://wd3-impl-services1.workday.com/ccx/service/contoso4/Human_Resources", "contoso4", "v21.1"},
		{"https://h.example/ccx/service/contoso4/Human_Resources/", "https://h.example/ccx/service/contoso4/Human_Resources", "contoso4", "v21.1"},
		{"https://h.example/ccx/service/contoso4/Human_Resources/v34.0", "https://h.example/ccx/service/contoso4/Human_Resources/v34.0", "contoso4", "v34.0"},
		{"http://127.0.0.1:8080/ccx/service/t_1/Human_Resources/v30.0", "http://127.0.0.1:8080/ccx/service/t_1/Human_Resources/v30.0", "t_1", "v30.0"},
	}
	for _, tt := range tests {
		e, err := parseEndpoint(tt.url)
		require.NoError(t, err, tt.url)
		require.Equal(t, tt.post, e.url)
		require.Equal(t, tt.tenant, e.tenant)
		require.Equal(t, tt.version, e.requestVersion())
	}
	e, _ := parseEndpoint("https://h.example/ccx/service/t/Human_Resources/v30.0")
	require.Equal(t, "v31.2", e.atLeast("v31.2"))
	require.Equal(t, "v30.0", e.atLeast("v30.0"))
	e, _ = parseEndpoint("https://h.example/ccx/service/t/Human_Resources/v40.1")
	require.Equal(t, "v40.1", e.atLeast("v31.2"))
}
