package sfsim

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

var testStart = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

type fixture struct {
	s     *Server
	ts    *httptest.Server
	clock *clockwork.FakeClock
}

func newFixture(t *testing.T, workers int, mutate func(*Config)) *fixture {
	t.Helper()
	wf, err := workforce.Generate(workforce.Config{Seed: 3, Workers: workers, Start: testStart})
	require.NoError(t, err)
	f := &fixture{clock: clockwork.NewFakeClockAt(wf.Now())}
	cfg := Config{Workforce: wf, Password: "pw", ClientKey: testKey(), Clock: f.clock}
	if mutate != nil {
		mutate(&cfg)
	}
	f.s, err = New(cfg)
	require.NoError(t, err)
	f.ts = httptest.NewServer(f.s)
	t.Cleanup(f.ts.Close)
	return f
}

// get sends GET path?q with Basic credentials and returns status and body.
func (f *fixture) get(t *testing.T, path string, q url.Values) (int, []byte) {
	t.Helper()
	u := f.ts.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.SetBasicAuth("sfapi@ACME", "pw")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

type page struct {
	D struct {
		Results []map[string]any `json:"results"`
		Next    string           `json:"__next"`
		Count   string           `json:"__count"`
	} `json:"d"`
}

type oerror struct {
	Error struct {
		Code    string `json:"code"`
		Message struct {
			Value string `json:"value"`
		} `json:"message"`
	} `json:"error"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(b, &v), "%s", b)
	return v
}

func persons(t *testing.T, f *fixture, q url.Values) []map[string]any {
	t.Helper()
	status, b := f.get(t, "/odata/v2/PerPerson", q)
	require.Equal(t, http.StatusOK, status, "%s", b)
	return decode[page](t, b).D.Results
}

func TestFilter(t *testing.T) {
	f := newFixture(t, 60, nil)
	all := persons(t, f, url.Values{"$format": {"json"}})
	require.NotEmpty(t, all)
	a, b := all[0]["personIdExternal"].(string), all[1]["personIdExternal"].(string)
	now := "datetimeoffset'" + f.clock.Now().UTC().Format("2006-01-02T15:04:05Z") + "'"
	for _, tc := range []struct {
		filter string
		want   int // -1: all
	}{
		{"personIdExternal eq '" + a + "'", 1},
		{"personIdExternal ne '" + a + "'", len(all) - 1},
		{"personIdExternal in '" + a + "','" + b + "'", 2},
		{"personIdExternal in ('" + a + "', '" + b + "')", 2},
		{"(personIdExternal eq '" + a + "' or personIdExternal eq '" + b + "') and personId ne 'x'", 2},
		{"(personEmpTerminationInfoNav/activeEmploymentsCount ne null) and (lastModifiedDateTime le " + now + ")", -1},
		{"lastModifiedDateTime gt " + now, 0},
		{"lastModifiedDateTime lt datetime'2100-01-01T00:00:00'", -1},
		{"employmentNav/userNav/status in 't','f','e'", -1},
		{"personEmpTerminationInfoNav/activeEmploymentsCount ge 0", -1},
		{"employmentNav/isContingentWorker eq true or employmentNav/isContingentWorker eq false", -1},
		{"personalInfoNav/endDate eq null", 0},
		{"employmentNav/jobInfoNav/endDate ge " + now + " or employmentNav/jobInfoNav/endDate eq null", -1},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			got := persons(t, f, url.Values{"$format": {"json"}, "$filter": {tc.filter}})
			want := tc.want
			if want < 0 {
				want = len(all)
			}
			require.Len(t, got, want)
			status, body := f.get(t, "/odata/v2/PerPerson/$count", url.Values{"$filter": {tc.filter}})
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, want, atoi(t, string(body)), "$count agrees")
		})
	}
	for _, tc := range []struct{ filter, code, names string }{
		{"substringof('a', personIdExternal)", "COE_BAD_REQUEST", "function substringof"},
		{"not (personIdExternal eq 'a')", "COE_BAD_REQUEST", "operator not"},
		{"personId add 1 eq 2", "COE_BAD_REQUEST", "operator add"},
		{"firstName eq 'x'", "COE_PROPERTY_NOT_FOUND", "PerPerson/firstName"},
		{"employmentNav/jobInfoNav/nope eq 'x'", "COE_PROPERTY_NOT_FOUND", "EmpJob/nope"},
		{"lastModifiedDateTime ge 'yesterday'", "COE_BAD_REQUEST", "cannot be compared"},
		{"personIdExternal eq 'open", "COE_BAD_REQUEST", "unterminated"},
		{"(personIdExternal eq 'a'", "COE_BAD_REQUEST", "expected )"},
		{"lastModifiedDateTime ge datetime'03/03/2025'", "COE_BAD_REQUEST", "date-time literal"},
		{"personEmpTerminationInfoNav gt null", "COE_BAD_REQUEST", "only eq and ne"},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			status, body := f.get(t, "/odata/v2/PerPerson", url.Values{"$filter": {tc.filter}})
			require.Equal(t, http.StatusBadRequest, status)
			e := decode[oerror](t, body)
			require.Equal(t, tc.code, e.Error.Code)
			require.Contains(t, e.Error.Message.Value, tc.names)
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', "%q is not a count", s)
		n = n*10 + int(c-'0')
	}
	return n
}

func TestPaging(t *testing.T) {
	f := newFixture(t, 100, nil)
	status, body := f.get(t, "/odata/v2/PerPerson/$count", nil)
	require.Equal(t, http.StatusOK, status)
	total := atoi(t, string(body))
	for _, mode := range []string{"", "cursor", "snapshot"} {
		t.Run("paging="+mode, func(t *testing.T) {
			q := url.Values{"$format": {"json"}, "customPageSize": {"7"}, "$inlinecount": {"allpages"}}
			if mode != "" {
				q.Set("paging", mode)
			}
			seen := map[string]bool{}
			u := f.ts.URL + "/odata/v2/PerPerson?" + q.Encode()
			pages := 0
			for u != "" {
				req, err := http.NewRequest(http.MethodGet, u, nil)
				require.NoError(t, err)
				req.SetBasicAuth("sfapi@ACME", "pw")
				status, b := do(t, req)
				require.Equal(t, http.StatusOK, status, "%s", b)
				p := decode[page](t, b)
				require.LessOrEqual(t, len(p.D.Results), 7)
				require.Equal(t, total, atoi(t, p.D.Count))
				for _, r := range p.D.Results {
					id := r["personIdExternal"].(string)
					require.False(t, seen[id], "%s twice", id)
					seen[id] = true
				}
				if p.D.Next != "" {
					nu, err := url.Parse(p.D.Next)
					require.NoError(t, err)
					tok, err := base64.StdEncoding.DecodeString(nu.Query().Get("$skiptoken"))
					require.NoError(t, err)
					require.Contains(t, string(tok), `"startRow"`, "SuccessFactors' token shape")
				}
				u = p.D.Next
				pages++
			}
			require.Len(t, seen, total)
			require.Equal(t, (total+6)/7, pages, "no empty last page")
		})
	}
	status, body = f.get(t, "/odata/v2/PerPerson", url.Values{"customPageSize": {"1001"}})
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	status, _ = f.get(t, "/odata/v2/PerPerson", url.Values{"paging": {"snapshot"}, "$skiptoken": {base64.StdEncoding.EncodeToString([]byte(`{"startRow":7,"endRow":14,"snapshot":"gone"}`))}})
	require.Equal(t, http.StatusBadRequest, status, "an expired snapshot")
}

func TestExpandSelectAndFormats(t *testing.T) {
	f := newFixture(t, 30, nil)
	rows := persons(t, f, url.Values{"$format": {"json"}, "customPageSize": {"1"}})
	p := rows[0]
	meta := p["__metadata"].(map[string]any)
	require.Equal(t, "SFOData.PerPerson", meta["type"])
	require.Equal(t, f.ts.URL+"/odata/v2/PerPerson('"+p["personIdExternal"].(string)+"')", meta["uri"])
	require.Contains(t, p["employmentNav"], "__deferred", "not expanded")
	require.Regexp(t, `^/Date\(\d+\+0000\)/$`, p["lastModifiedDateTime"], "Edm.DateTimeOffset")

	rows = persons(t, f, url.Values{"$expand": {"employmentNav,employmentNav/jobInfoNav/emplStatusNav"}, "customPageSize": {"1"}})
	emp := rows[0]["employmentNav"].(map[string]any)["results"].([]any)[0].(map[string]any)
	require.Regexp(t, `^/Date\(\d+\)/$`, emp["startDate"], "Edm.DateTime")
	require.Contains(t, emp["userNav"], "__deferred")
	job := emp["jobInfoNav"].(map[string]any)["results"].([]any)[0].(map[string]any)
	require.Equal(t, "1", job["seqNumber"], "Int64 as a string")
	require.Contains(t, []any{"A", "T"}, job["emplStatusNav"].(map[string]any)["externalCode"])
	require.Equal(t, "/Date(253402214400000)/", job["endDate"], "an open slice ends 9999-12-31")

	rows = persons(t, f, url.Values{"$select": {"personIdExternal,employmentNav/userId"}, "$expand": {"employmentNav"}, "customPageSize": {"1"}})
	require.ElementsMatch(t, []string{"__metadata", "personIdExternal", "employmentNav"}, keys(rows[0]))
	emp = rows[0]["employmentNav"].(map[string]any)["results"].([]any)[0].(map[string]any)
	require.ElementsMatch(t, []string{"__metadata", "userId"}, keys(emp))

	for _, q := range []url.Values{
		{"$expand": {"employmentNav/nopeNav"}},
		{"$select": {"nope"}},
		{"$orderby": {"personIdExternal"}},
		{"$format": {"atom"}},
		{"asOfDate": {"2025-03-03"}, "fromDate": {"2025-01-01"}},
		{"asOfDate": {"03/03/2025"}},
	} {
		status, body := f.get(t, "/odata/v2/PerPerson", q)
		require.Equal(t, http.StatusBadRequest, status, "%v: %s", q, body)
	}
	status, body := f.get(t, "/odata/v2/FormHeader", nil)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "COE_ENTITY_NOT_FOUND", decode[oerror](t, body).Error.Code)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestPreHireAndEmployments checks effective dating: a future hire as of
// now and as of its start date, and a person with two employments.
func TestPreHireAndEmployments(t *testing.T) {
	f := newFixture(t, 300, nil)
	var hire, second workforce.Event
	for range 365 {
		for _, ev := range f.s.Advance(1) {
			switch {
			case ev.Kind == workforce.Hire && hire.WID == "" && ev.Effective.Sub(f.clock.Now()) > 72*time.Hour:
				hire = ev
			case (ev.Kind == workforce.Conversion || ev.Kind == workforce.RehireNewID) && second.WID == "":
				second = ev
			}
		}
		if hire.WID != "" && hire.Effective.After(f.clock.Now()) && second.WID != "" {
			break
		}
	}
	require.NotEmpty(t, second.WID)
	if !hire.Effective.After(f.clock.Now()) {
		// The year's search may have passed the hire's start; find a fresh one.
		hire = workforce.Event{}
		for hire.WID == "" {
			for _, ev := range f.s.Advance(1) {
				if ev.Kind == workforce.Hire && ev.Effective.Sub(f.clock.Now()) > 72*time.Hour {
					hire = ev
				}
			}
		}
	}
	expand := "employmentNav/jobInfoNav,employmentNav/userNav,personEmpTerminationInfoNav"
	one := func(pid string, asOf string) map[string]any {
		q := url.Values{"$filter": {"personIdExternal eq '" + pid + "'"}, "$expand": {expand}}
		if asOf != "" {
			q.Set("asOfDate", asOf)
		}
		rows := persons(t, f, q)
		require.Len(t, rows, 1)
		return rows[0]
	}
	w := hire.Worker
	now := one(w.PersonIDExternal, "")
	emp := now["employmentNav"].(map[string]any)["results"].([]any)[0].(map[string]any)
	require.Empty(t, emp["jobInfoNav"].(map[string]any)["results"], "no job before the start date")
	require.Nil(t, emp["userNav"].(map[string]any)["username"], "minimal data before the start date")
	require.EqualValues(t, 0, now["personEmpTerminationInfoNav"].(map[string]any)["activeEmploymentsCount"])
	asOf := one(w.PersonIDExternal, w.HireDate.String())
	emp = asOf["employmentNav"].(map[string]any)["results"].([]any)[0].(map[string]any)
	jobs := emp["jobInfoNav"].(map[string]any)["results"].([]any)
	require.Len(t, jobs, 1)
	require.Equal(t, w.Title, jobs[0].(map[string]any)["jobTitle"])
	require.Equal(t, w.UserName, emp["userNav"].(map[string]any)["username"])
	require.EqualValues(t, 1, asOf["personEmpTerminationInfoNav"].(map[string]any)["activeEmploymentsCount"])

	// Two employments under one person once the second persona is keyed;
	// the first one's user moved to the second.
	nw := second.Worker
	p := one(nw.PersonIDExternal, "")
	emps := p["employmentNav"].(map[string]any)["results"].([]any)
	require.Len(t, emps, 2)
	users := map[string]any{}
	for _, e := range emps {
		e := e.(map[string]any)
		users[e["userId"].(string)] = e["userNav"]
	}
	require.Contains(t, users, nw.UserID)
	require.NotNil(t, users[nw.UserID])
	for id, u := range users {
		if id != nw.UserID {
			require.Nil(t, u, "the old employment's userNav is null")
		}
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, 10, func(c *Config) { c.TokenTTL = time.Hour })
	u := f.ts.URL + "/odata/v2/PerPerson?$format=json"
	req := func(auth string) (int, oerror) {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		status, b := do(t, r)
		if status == http.StatusOK {
			return status, oerror{}
		}
		return status, decode[oerror](t, b)
	}
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	status, _ := req(basic("sfapi@ACME:pw"))
	require.Equal(t, http.StatusOK, status)
	status, e := req(basic("sfapi@ACME:wrong"))
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, e.Error.Message.Value, "incorrect username or password")
	status, e = req(basic("sfapi@acme:pw"))
	require.Equal(t, http.StatusForbidden, status, "company IDs are case-sensitive")
	require.Equal(t, "LGN0008", e.Error.Code)
	status, e = req("")
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, "LGN0003", e.Error.Code)

	// OAuth: the IdP endpoint signs, the token endpoint verifies.
	form := func(path string, v url.Values) (int, []byte) {
		r, err := http.NewRequest(http.MethodPost, f.ts.URL+path, strings.NewReader(v.Encode()))
		require.NoError(t, err)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(t, r)
	}
	status, assertion := form("/oauth/idp", url.Values{"client_id": {f.s.ClientID()}, "user_id": {"sfapi"},
		"private_key": {base64.StdEncoding.EncodeToString(f.s.ClientKeyPEM())}})
	require.Equal(t, http.StatusOK, status, "%s", assertion)
	grant := func(a string) (int, []byte) {
		return form("/oauth/token", url.Values{"client_id": {f.s.ClientID()}, "company_id": {"ACME"},
			"grant_type": {"urn:ietf:params:oauth:grant-type:saml2-bearer"}, "assertion": {a}})
	}
	status, body := grant(string(assertion))
	require.Equal(t, http.StatusOK, status, "%s", body)
	tok := decode[struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}](t, body)
	require.Equal(t, 3600, tok.ExpiresIn)
	status, _ = req("Bearer " + tok.AccessToken)
	require.Equal(t, http.StatusOK, status)

	// A tampered assertion: another subject under the same signature.
	xml, err := base64.StdEncoding.DecodeString(string(assertion))
	require.NoError(t, err)
	forged := strings.Replace(string(xml), ">sfapi<", ">admin<", 1)
	require.NotEqual(t, string(xml), forged)
	status, body = grant(base64.StdEncoding.EncodeToString([]byte(forged)))
	require.Equal(t, http.StatusUnauthorized, status, "%s", body)
	require.Contains(t, decode[oerror](t, body).Error.Message.Value, "signature")
	status, _ = grant("bm90IFhNTA==")
	require.Equal(t, http.StatusUnauthorized, status)

	// Tokens expire by the emulator's clock; assertions too.
	f.clock.Advance(2 * time.Hour)
	status, e = req("Bearer " + tok.AccessToken)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, "LGN0006", e.Error.Code)
	status, body = grant(string(assertion))
	require.Equal(t, http.StatusUnauthorized, status, "a stale assertion: %s", body)
	status, e = req("Bearer nonsense")
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, "LGN0007", e.Error.Code)
}

func TestUpsertEmail(t *testing.T) {
	f := newFixture(t, 20, nil)
	rows := persons(t, f, url.Values{"$expand": {"emailNav"}})
	pid := rows[0]["personIdExternal"].(string)
	body := `[
 {"__metadata":{"uri":"PerEmail(emailType='8448',personIdExternal='` + pid + `')","type":"SFOData.PerEmail"},"emailAddress":"new.address@acme.example","isPrimary":"Yes"},
 {"__metadata":{"uri":"PerEmail(emailType='8449',personIdExternal='` + pid + `')"},"emailAddress":"not an address","isPrimary":false},
 {"__metadata":{"uri":"PerEmail(emailType='8448',personIdExternal='NOBODY')"},"emailAddress":"a@acme.example","isPrimary":true},
 {"__metadata":{"uri":"PerEmail(emailType='8449',personIdExternal='` + pid + `')"},"emailAddress":"b@example.net"},
 {"__metadata":{"uri":"PerEmail(emailType='8449',personIdExternal='` + pid + `')"},"emailAddress":"b@example.net","isPrimary":true},
 {"__metadata":{"uri":"User('x')","type":"SFOData.User"},"username":"x"}
]`
	r, err := http.NewRequest(http.MethodPost, f.ts.URL+"/odata/v2/upsert?$format=json", strings.NewReader(body))
	require.NoError(t, err)
	r.SetBasicAuth("sfapi@ACME", "pw")
	r.Header.Set("Content-Type", "application/json")
	status, b := do(t, r)
	require.Equal(t, http.StatusOK, status, "per-row results even when rows fail")
	res := decode[struct {
		D []struct {
			Key        string  `json:"key"`
			Status     string  `json:"status"`
			EditStatus *string `json:"editStatus"`
			Message    *string `json:"message"`
			Index      int     `json:"index"`
			HTTPCode   int     `json:"httpCode"`
		} `json:"d"`
	}](t, b)
	require.Len(t, res.D, 6)
	want := []struct {
		status string
		code   int
		msg    string
	}{
		{"OK", 200, ""},
		{"ERROR", 500, "not a valid email"},
		{"ERROR", 404, "does not exist"},
		{"ERROR", 500, "isPrimary is a required field"},
		{"ERROR", 500, "only one email can be primary"},
		{"ERROR", 500, "PerEmail only"},
	}
	for i, w := range want {
		got := res.D[i]
		require.Equal(t, i, got.Index)
		require.Equal(t, w.status, got.Status, "row %d", i)
		require.Equal(t, w.code, got.HTTPCode, "row %d", i)
		if w.msg != "" {
			require.NotNil(t, got.Message)
			require.Contains(t, *got.Message, w.msg, "row %d", i)
		} else {
			require.Equal(t, "UPSERTED", *got.EditStatus)
			require.Equal(t, "PerEmail/emailType=8448,PerEmail/personIdExternal="+pid, got.Key)
		}
	}
	rows = persons(t, f, url.Values{"$filter": {"personIdExternal eq '" + pid + "'"}, "$expand": {"emailNav"}})
	emails := rows[0]["emailNav"].(map[string]any)["results"].([]any)
	require.Len(t, emails, 1, "only the accepted row was stored")
	require.Equal(t, "new.address@acme.example", emails[0].(map[string]any)["emailAddress"])
}

func TestThrottle(t *testing.T) {
	f := newFixture(t, 5, func(c *Config) {
		c.Throttle = Throttle{Every: 3, Status: http.StatusServiceUnavailable, RetryAfter: 2 * time.Second}
	})
	for i := 1; i <= 6; i++ {
		r, err := http.NewRequest(http.MethodGet, f.ts.URL+"/odata/v2/PerPerson", nil)
		require.NoError(t, err)
		r.SetBasicAuth("sfapi@ACME", "pw")
		resp, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		if i%3 == 0 {
			require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "request %d", i)
			require.Equal(t, "2", resp.Header.Get("Retry-After"))
		} else {
			require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
		}
	}
	require.Equal(t, 6, f.s.Requests())
}

func TestConfigValidate(t *testing.T) {
	wf, err := workforce.Generate(workforce.Config{Seed: 1, Workers: 5, Start: testStart})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, field string
		cfg         Config
	}{
		{"no workforce", "Workforce", Config{}},
		{"share", "Throttle.Share", Config{Workforce: wf, Throttle: Throttle{Share: 2}}},
		{"status", "Throttle.Status", Config{Workforce: wf, Throttle: Throttle{Status: 500}}},
		{"company", "CompanyID", Config{Workforce: wf, CompanyID: "A@B"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			require.ErrorContains(t, err, tc.field)
		})
	}
}

// TestEveryRecordIsValidJSON renders a workforce with every naming trap
// after a month of transactions, with every navigation expanded.
func TestEveryRecordIsValidJSON(t *testing.T) {
	f := newFixture(t, 400, nil)
	f.s.Advance(30)
	var navs []string
	for _, n := range []string{"personalInfoNav", "emailNav", "phoneNav", "personEmpTerminationInfoNav",
		"employmentNav/userNav/manager/empInfo", "employmentNav/jobInfoNav/companyNav/countryOfRegistrationNav",
		"employmentNav/jobInfoNav/departmentNav", "employmentNav/jobInfoNav/divisionNav", "employmentNav/jobInfoNav/businessUnitNav",
		"employmentNav/jobInfoNav/costCenterNav", "employmentNav/jobInfoNav/jobCodeNav", "employmentNav/jobInfoNav/payGradeNav",
		"employmentNav/jobInfoNav/locationNav/addressNavDEFLT/stateNav", "employmentNav/jobInfoNav/eventReasonNav",
		"employmentNav/jobInfoNav/emplStatusNav", "employmentNav/jobInfoNav/managerUserNav", "employmentNav/empGlobalAssignmentNav"} {
		navs = append(navs, n)
	}
	rows := persons(t, f, url.Values{"$expand": {strings.Join(navs, ",")}})
	status, body := f.get(t, "/odata/v2/PerPerson/$count", nil)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, rows, atoi(t, string(body)))
	names := 0
	for _, r := range rows {
		for _, p := range r["personalInfoNav"].(map[string]any)["results"].([]any) {
			if s, _ := p.(map[string]any)["lastName"].(string); strings.ContainsAny(s, "'’ʼ") {
				names++
			}
		}
	}
	require.Positive(t, names, "apostrophes survive the JSON")
}
