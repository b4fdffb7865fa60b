package successfactors

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

func TestFullSyncPagesThroughEveryPerson(t *testing.T) {
	e := newEnv(t, 300, nil)
	c := e.connector(t, nil)
	recs, wm := full(t, c)

	want := persons(e)
	require.Len(t, recs, len(want), "one record per person, active and terminated")
	pages := 0
	for _, u := range e.seen() {
		if strings.HasPrefix(u, "GET /odata/v2/PerPerson?") {
			pages++
			if strings.Contains(u, "skiptoken") {
				continue
			}
			q := query(t, u)
			require.Equal(t, "snapshot", q.Get("paging"))
			require.Equal(t, "50", q.Get("customPageSize"))
		}
	}
	require.GreaterOrEqual(t, pages, len(want)/50, "followed __next through every page")

	active := 0
	for anchor, w := range want {
		r, ok := recs[anchor]
		require.True(t, ok, "person %s missing", w.PersonIDExternal)
		require.Equal(t, w.PersonIDExternal, attr(r, "personIdExternal"))
		require.Equal(t, anchor, attr(r, "perPersonUuid"))
		require.Equal(t, w.Legal.First, attr(r, "firstName"))
		if w.Status != workforce.Active {
			continue
		}
		active++
		// A person with one employment: [0] is the one.
		if w.PreviousWID == "" {
			require.Equal(t, w.UserName, attr(r, "username"))
			require.Equal(t, w.Title, attr(r, "jobTitle"))
			require.Equal(t, w.SupOrg, attr(r, "departmentId"))
			require.Equal(t, w.TimeZone, attr(r, "timeZone"))
			require.Equal(t, "A", attr(r, "emplStatus"))
			require.Equal(t, "1", attr(r, "activeEmploymentsCount"))
			require.Equal(t, w.HireDate.String()+"T00:00:00Z", attr(r, "startDate"))
			if w.ManagerWID != "" {
				m, ok := e.wf.Record(w.ManagerWID, e.clock.Now(), e.clock.Now())
				require.True(t, ok)
				require.Equal(t, m.PersonIDExternal, attr(r, "manager"))
				require.Equal(t, m.UserID, attr(r, "managerId"))
			}
		}
	}
	require.Greater(t, active, 250)
	require.NotEmpty(t, wm)
}

func query(t testing.TB, requestURI string) url.Values {
	t.Helper()
	_, raw, _ := strings.Cut(requestURI, "?")
	q, err := url.ParseQuery(raw)
	require.NoError(t, err)
	return q
}

func TestChangesCatchHiresTerminationsAndTransfers(t *testing.T) {
	e := newEnv(t, 400, nil)
	c := e.connector(t, nil)
	all, wm := full(t, c)

	kinds := map[workforce.Kind]bool{}
	futureLeavers := 0
	for day := 0; day < 30 && (len(kinds) < 3 || futureLeavers == 0); day++ {
		from := e.clock.Now()
		evs := e.sf.Advance(1)
		recs, next := changes(t, c, wm)
		wm = next
		for _, ev := range evs {
			switch ev.Kind {
			case workforce.Hire, workforce.Termination, workforce.Transfer:
			default:
				continue
			}
			require.True(t, ev.Entered.After(from), "an event of the day")
			w, ok := e.wf.Record(ev.WID, e.clock.Now(), e.clock.Now())
			require.True(t, ok)
			_, got := recs[w.PersonUUID]
			require.True(t, got, "%s of %s keyed %s not in the incremental read", ev.Kind, w.PersonIDExternal, ev.Entered)
			kinds[ev.Kind] = true
			if ev.Kind == workforce.Transfer && ev.Effective.After(e.clock.Now()) {
				require.Contains(t, recs[w.PersonUUID].Wake, ev.Effective, "a transfer effective later wakes the engine then")
			}
			if ev.Kind == workforce.Termination && ev.Effective.After(e.clock.Now()) {
				require.Contains(t, recs[w.PersonUUID].Wake, ev.Effective, "the end of the last day of work, in the worker's zone")
				futureLeavers++
			}
		}
		require.Less(t, len(recs), len(all)/2, "an incremental read is not a full one")
	}
	require.Len(t, kinds, 3, "a month brings hires, terminations and transfers")
	require.Positive(t, futureLeavers, "and resignations keyed ahead of the last day")
	count := 0
	for _, u := range e.seen() {
		if strings.HasPrefix(u, "GET /odata/v2/PerPerson/$count?") {
			count++
		}
	}
	require.Positive(t, count, "incremental reads count first, as Entra does")
}

// futureHire advances e until a hire in zone is keyed ahead of its start
// date and returns the hire event.
func futureHire(t *testing.T, e *env, zone string) workforce.Event {
	t.Helper()
	for range 120 {
		for _, ev := range e.sf.Advance(1) {
			if ev.Kind == workforce.Hire && ev.Worker.TimeZone == zone && ev.Effective.Sub(e.clock.Now()) > 48*time.Hour {
				return ev
			}
		}
	}
	t.Fatalf("no future-dated hire in %s in 120 days", zone)
	return workforce.Event{}
}

func TestFutureHireIsReadAsOfItsStartDateAndWakesAtLocalMidnight(t *testing.T) {
	e := newEnv(t, 300, nil)
	c := e.connector(t, nil)
	ev := futureHire(t, e, "Asia/Kolkata")
	w := ev.Worker
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	start := w.HireDate.Time(kolkata)
	require.Equal(t, start, ev.Effective)

	recs, _ := full(t, c)
	r, ok := recs[w.PersonUUID]
	require.True(t, ok, "a pre-hire is part of the full sync")
	require.Equal(t, []time.Time{start}, r.Wake, "midnight at the start of the hire date in Asia/Kolkata")
	require.Equal(t, "18:30", start.UTC().Format("15:04"), "which is 18:30 UTC the day before")
	// SuccessFactors gives only minimal data before the start date; the
	// start-date read fills in the rest, but not the status.
	require.Equal(t, w.UserName, attr(r, "username"))
	require.Equal(t, w.Title, attr(r, "jobTitle"))
	require.Equal(t, "0", attr(r, "activeEmploymentsCount"), "not active before the start date")
	require.NotEqual(t, "A", attr(r, "emplStatus"), "the start date's status is not taken early: the account would be enabled before the first day")
	asOf := false
	for _, u := range e.seen() {
		if q := query(t, u); q.Get("asOfDate") == w.HireDate.String() && strings.Contains(q.Get("$filter"), "personIdExternal in '"+w.PersonIDExternal+"'") {
			asOf = true
			require.Contains(t, q.Get("$filter"), "employmentNav/userNav/status in 't','f','e'")
		}
	}
	require.True(t, asOf, "the pre-hire was read with asOfDate=%s", w.HireDate)

	// At the wake instant the engine reads the worker as of then.
	got, ok, err := c.Worker(context.Background(), w.PersonUUID, start)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "1", attr(got, "activeEmploymentsCount"))
	require.Equal(t, "A", attr(got, "emplStatus"))
	require.Empty(t, got.Wake, "nothing more is pending")
	// A minute earlier it is still a pre-hire.
	before, ok, err := c.Worker(context.Background(), w.PersonUUID, start.Add(-time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "0", attr(before, "activeEmploymentsCount"))
	require.Equal(t, []time.Time{start}, before.Wake)

	_, ok, err = c.Worker(context.Background(), "00000000000000000000000000000000", start)
	require.NoError(t, err)
	require.False(t, ok, "an unknown anchor is not found")
}

func TestRehireOrConversionPicksTheActiveEmployment(t *testing.T) {
	e := newEnv(t, 400, nil)
	var ev workforce.Event
	for day := 0; day < 365 && ev.WID == ""; day++ {
		for _, x := range e.sf.Advance(1) {
			if x.Kind == workforce.Conversion || x.Kind == workforce.RehireNewID {
				ev = x
				break
			}
		}
	}
	require.NotEmpty(t, ev.WID, "a year brings a conversion or a rehire under a new ID")
	// Let it take effect.
	for e.clock.Now().Before(ev.Effective) {
		e.sf.Advance(1)
	}
	active := `$.employmentNav..results[?(@.jobInfoNav..results[?(@.emplStatusNav.externalCode == 'A' || @.emplStatusNav.externalCode == 'U' || @.emplStatusNav.externalCode == 'P')])]`
	c := e.connector(t, func(c *Config) {
		c.Attributes = []source.Attribute{
			{Name: "activeUserId", Path: active + ".userId"},
			{Name: "activeTitle", Path: `$.employmentNav..jobInfoNav..results[?(@.emplStatusNav.externalCode == 'A' || @.emplStatusNav.externalCode == 'U' || @.emplStatusNav.externalCode == 'P')].jobTitle`},
			{Name: "standardUserId", Path: `$.employmentNav.results[?(@.userNav != null)].userId`},
			{Name: "employments", Path: `$.personEmpTerminationInfoNav.activeEmploymentsCount`},
		}
	})
	now := e.clock.Now()
	nw, ok := e.wf.Record(ev.WID, now, now)
	require.True(t, ok)
	require.Equal(t, workforce.Active, nw.Status)
	old, ok := e.wf.Record(nw.PreviousWID, now, now)
	require.True(t, ok)
	require.NotEqual(t, old.UserID, nw.UserID)

	got, ok, err := c.Worker(context.Background(), nw.PersonUUID, now)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, nw.UserID, attr(got, "activeUserId"), "the filter picks the active employment, whatever the order")
	require.Equal(t, nw.Title, attr(got, "activeTitle"))
	require.Equal(t, nw.UserID, attr(got, "standardUserId"), "the old employment's userNav is null")
	require.Equal(t, "1", attr(got, "employments"))
}
