package rehearsal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestControlEndpoints(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s, err := New(Config{Kind: SuccessFactors, Workers: 60, Seed: 3, Start: start})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	defer ts.Close()
	get := func(path string, v any) int {
		resp, err := http.Get(ts.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		if v != nil {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
		}
		return resp.StatusCode
	}
	var now struct{ Now time.Time }
	require.Equal(t, 200, get("/hrsim/now", &now))
	require.True(t, now.Now.Equal(start), "%v", now.Now)

	var before []Persona
	require.Equal(t, 200, get("/hrsim/workers", &before))
	require.GreaterOrEqual(t, len(before), 60, "employees and alumni")

	resp, err := http.Post(ts.URL+"/hrsim/advance?days=30", "", nil)
	require.NoError(t, err)
	var adv struct {
		Now    time.Time
		Events int
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&adv))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.True(t, adv.Now.Equal(start.AddDate(0, 0, 30)), "%v", adv.Now)
	require.Positive(t, adv.Events)
	var after []Persona
	get("/hrsim/workers", &after)
	require.NotEqual(t, before, after, "a month of transactions changed the workforce")

	for _, bad := range []string{"", "0", "x", "400"} {
		resp, err := http.Post(ts.URL+"/hrsim/advance?days="+bad, "", nil)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, bad)
	}
	// The emulator itself answers behind the control endpoints.
	require.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, get("/odata/v2/PerPerson?$format=json", nil), "no credentials")
	require.NotEmpty(t, s.Credentials()["password"])

	_, err = New(Config{Kind: "peoplesoft", Workers: 10})
	require.ErrorContains(t, err, "peoplesoft")
}

func TestWorkdayEmulator(t *testing.T) {
	s, err := New(Config{Kind: Workday, Workers: 30, Seed: 3, Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := s.Credentials()
	require.Contains(t, c["path"], "/ccx/service/acme/Human_Resources/v34.0")
	require.Contains(t, c["username"], "@acme")
	var zones map[string]string
	require.NoError(t, json.Unmarshal([]byte(c["zones"]), &zones))
	require.NotEmpty(t, zones)
	resp, err := http.Get(ts.URL + "/hrsim/workers")
	require.NoError(t, err)
	var ps []Persona
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ps))
	resp.Body.Close()
	require.GreaterOrEqual(t, len(ps), 30)
	resp, err = http.Post(ts.URL+c["path"], "text/xml", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.NotEqual(t, http.StatusOK, resp.StatusCode, "an empty SOAP request is refused")
}
