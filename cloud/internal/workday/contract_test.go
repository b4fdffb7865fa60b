package workday_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workdaysim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/workday"
)

var start = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC) // a Monday morning

// tenant is a workforce served by the emulator on a loopback HTTP server,
// and a connector pointed at it whose clock follows the workforce's.
type tenant struct {
	wf    *workforce.Workforce
	sim   *workdaysim.Server
	url   string
	clock *clockwork.FakeClock
	c     *workday.Connector
}

func newTenant(t testing.TB, wcfg workforce.Config, version string, mutate func(*workday.Config)) *tenant {
	t.Helper()
	if wcfg.Start.IsZero() {
		wcfg.Start = start
	}
	wf, err := workforce.Generate(wcfg)
	require.NoError(t, err)
	sim, err := workdaysim.New(workdaysim.Config{Workforce: wf, Tenant: "acme_impl1", Username: "ISU_hrsync", Password: "s3cret"})
	require.NoError(t, err)
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	tn := &tenant{wf: wf, sim: sim, url: ts.URL + sim.Path(version), clock: clockwork.NewFakeClockAt(wf.Now())}
	cfg := workday.Config{URL: tn.url, Username: "ISU_hrsync", Password: "s3cret", Zones: sim.Zones(),
		Clock: tn.clock, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
	if mutate != nil {
		mutate(&cfg)
	}
	tn.c, err = workday.New(cfg)
	require.NoError(t, err)
	return tn
}

// advance moves the workforce and the connector's clock on together.
func (tn *tenant) advance(days int) []workforce.Event {
	ev := tn.sim.Advance(days)
	tn.clock.Advance(time.Duration(days) * 24 * time.Hour)
	return ev
}

func collect(t testing.TB, read func(func(source.Record) error) (source.Watermark, error)) (map[string]source.Record, source.Watermark) {
	t.Helper()
	recs := map[string]source.Record{}
	wm, err := read(func(r source.Record) error {
		_, dup := recs[r.Anchor]
		require.False(t, dup, "anchor %s reported twice", r.Anchor)
		recs[r.Anchor] = r
		return nil
	})
	require.NoError(t, err)
	return recs, wm
}

func str(r source.Record, name string) string { return r.Attributes[name].AsString() }

func active(w workforce.Worker) string {
	if w.Status == workforce.Active {
		return "1"
	}
	return "0"
}

// TestFullSyncPages reads a whole tenant page by page, in both shapes, and
// checks every worker against the workforce.
func TestFullSyncPages(t *testing.T) {
	for _, version := range []string{"", "v34.0"} {
		t.Run("version "+version, func(t *testing.T) {
			tn := newTenant(t, workforce.Config{Seed: 7, Workers: 300}, version, func(c *workday.Config) { c.PageSize = 40 })
			now := tn.wf.Now()
			want := map[string]workforce.Worker{}
			for w := range tn.wf.Records(now, now) {
				want[w.WID] = w
			}
			before := tn.sim.Stats().Requests
			recs, wm := collect(t, func(fn func(source.Record) error) (source.Watermark, error) {
				return tn.c.Full(context.Background(), fn)
			})
			require.JSONEq(t, `{"at":"`+now.Format(time.RFC3339)+`"}`, string(wm))
			pages := (len(want) + 39) / 40
			require.Greater(t, pages, 5)
			require.Equal(t, int64(pages), tn.sim.Stats().Requests-before, "one request per page")
			require.Len(t, recs, len(want))
			orgs := map[string]string{}
			for _, o := range tn.wf.Orgs() {
				orgs[o.ID] = o.Name
			}
			for wid, w := range want {
				r, ok := recs[wid]
				require.True(t, ok, "worker %s missing", w.WorkerID)
				require.Equal(t, wid, str(r, "WID"))
				require.Equal(t, w.WorkerID, str(r, "WorkerID"))
				require.Equal(t, active(w), str(r, "Active"), w.WorkerID)
				require.Equal(t, w.Legal.Last, str(r, "LastName"), "names survive XML as keyed, diacritics and junk included")
				require.Equal(t, w.Legal.First, str(r, "FirstName"))
				require.Equal(t, w.Email, str(r, "EmailAddress"))
				require.Equal(t, w.UserName, str(r, "UserID"))
				require.Equal(t, w.Location, str(r, "LocationIdentifier"))
				require.Equal(t, orgs[w.SupOrg], str(r, "SupervisoryOrganization"))
				require.Equal(t, w.ManagerWID, str(r, "ManagerReference"), "the last link of the chain is the direct manager")
				if w.Phone != nil {
					require.Equal(t, w.Phone.Formatted, str(r, "PrimaryWorkTelephone"))
				}
				if w.Mobile != nil {
					require.Equal(t, w.Mobile.Formatted, str(r, "Mobile"))
				}
				if w.Status == workforce.Terminated {
					require.Equal(t, "1", str(r, "StatusTerminated"))
					require.Equal(t, w.LastDayOfWork.String(), str(r, "StatusTerminationLastDayOfWork")[:10])
				}
			}
		})
	}
}

// lifecycleRates makes the rare transactions common enough to meet in a
// few weeks of a small tenant.
func lifecycleRates() *workforce.Rates {
	r := workforce.DefaultRates()
	r.Hire, r.Termination, r.Transfer = 0.15, 0.06, 0.05
	r.RescindShare, r.ToEmployee, r.ToContingent, r.ConversionKeepsID = 0.5, 0.1, 0.02, 1
	return &r
}

// apacShape puts everyone in India or Australia, whose midnights are far
// from UTC's and Pacific time's.
func apacShape() *workforce.Shape {
	s := workforce.DefaultShape()
	s.Countries = []workforce.CountryWeight{{Country: "IN", Weight: 1}, {Country: "AU", Weight: 1}}
	return &s
}

// TestChangesLifecycle runs a full read, three weeks of HR transactions and
// an incremental read, and checks that every worker a transaction touched
// is reported, as the workforce says it stands, with Wake at the
// zone-local instants of the transactions still to come.
func TestChangesLifecycle(t *testing.T) {
	tests := []struct {
		name      string
		lookahead time.Duration
	}{
		{"pre-hires as they stand, woken at the hire", -1},
		{"pre-hires as of their hire date", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTenant(t, workforce.Config{Seed: 11, Workers: 400, Shape: apacShape(), Rates: lifecycleRates()}, "v34.0",
				func(c *workday.Config) { c.PrehireLookahead = tt.lookahead })
			ctx := context.Background()
			_, wm := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Full(ctx, fn) })
			from := tn.wf.Now()
			events := tn.advance(21)
			now := tn.wf.Now()
			recs, wm2 := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Changes(ctx, wm, fn) })
			require.JSONEq(t, `{"at":"`+now.Format(time.RFC3339)+`"}`, string(wm2))

			// Every worker with a transaction keyed in the window, or taking
			// effect in it, is reported; nobody else is.
			touched := map[string]bool{}
			for _, e := range tn.wf.Events() {
				if (e.Entered.After(from) && !e.Entered.After(now)) || (e.Effective.After(from) && !e.Effective.After(now) && !e.Entered.After(now)) {
					touched[e.WID] = true
				}
			}
			require.NotEmpty(t, touched)
			for wid := range touched {
				require.Contains(t, recs, wid)
			}
			for wid := range recs {
				require.True(t, touched[wid], "%s reported without a transaction in the window", wid)
			}

			kinds := map[string]int{}
			for _, e := range events {
				r := recs[e.WID]
				cur, ok := tn.wf.Record(e.WID, now, now)
				require.True(t, ok)
				// What the record should say: as of now, or, for a pre-hire
				// the connector looks ahead for, as of the hire.
				asOf := cur
				hire := e.Kind == workforce.Hire || e.Kind == workforce.RehireNewID || e.Kind == workforce.Conversion
				if cur.Status == workforce.PreHire && tt.lookahead == 0 {
					asOf, _ = tn.wf.Record(e.WID, e.Effective, now)
					require.Equal(t, workforce.Active, asOf.Status)
				}
				require.Equal(t, active(asOf), str(r, "Active"), "%s %s", e.Kind, e.WorkerID)
				switch {
				case hire && e.Effective.After(now) && cur.Status == workforce.PreHire:
					kinds["future hire"]++
					require.Contains(t, r.Wake, e.Effective, "woken at midnight of the hire date in %s", cur.TimeZone)
					zone, err := time.LoadLocation(cur.TimeZone)
					require.NoError(t, err)
					local := e.Effective.In(zone)
					require.Equal(t, 0, local.Hour()+local.Minute(), "the hire instant is a local midnight")
					require.NotEqual(t, 0, e.Effective.UTC().Hour(), "…and not UTC's: the zone matters")
				case hire && !e.Effective.After(now) && cur.Status == workforce.Active:
					kinds["hire"]++
					require.Equal(t, "1", str(r, "Active"))
				case e.Kind == workforce.Termination && !e.Effective.After(now) && cur.Status == workforce.Terminated:
					kinds["termination"]++
					require.Equal(t, "1", str(r, "StatusTerminated"))
					require.Equal(t, e.Date.String(), str(r, "StatusTerminationLastDayOfWork")[:10])
				case e.Kind == workforce.Termination && e.Effective.After(now):
					kinds["future termination"]++
					require.Equal(t, "0", str(r, "StatusTerminated"))
					require.Contains(t, r.Wake, e.Effective, "woken at the end of the last day of work")
				case e.Kind == workforce.Transfer && !e.Effective.After(now) && cur.SupOrg == e.SupOrg:
					kinds["transfer"]++
					for _, o := range tn.wf.Orgs() {
						if o.ID == e.SupOrg {
							require.Equal(t, o.Name, str(r, "SupervisoryOrganization"))
						}
					}
				case e.Kind == workforce.RescindHire:
					kinds["rescinded hire"]++
					require.Equal(t, "1", str(r, "StatusHireRescinded"))
					require.Equal(t, "0", str(r, "Active"))
					for _, h := range tn.wf.Events() {
						if h.WID == e.WID && h.Kind == workforce.Hire {
							require.NotContains(t, r.Wake, h.Effective, "no wake for a rescinded hire")
						}
					}
				}
				if e.Kind == workforce.Conversion && e.Worker.WorkerID == e.WorkerID && !e.Effective.After(now) {
					old, ok := recs[e.Worker.PreviousWID]
					require.True(t, ok, "the old persona of a conversion is reported too")
					require.Equal(t, str(old, "WorkerID"), str(r, "WorkerID"), "same Worker_ID…")
					require.NotEqual(t, old.Anchor, r.Anchor, "…new WID")
					require.Equal(t, "0", str(old, "Active"))
					require.Equal(t, "1", str(r, "Active"))
					kinds["conversion keeping the ID"]++
				}
			}
			for _, k := range []string{"hire", "future hire", "termination", "future termination", "transfer",
				"rescinded hire", "conversion keeping the ID"} {
				require.Positive(t, kinds[k], "no %s in three weeks: raise the rates", k)
			}

			// Nothing happened since: an empty window.
			again, _ := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Changes(ctx, wm2, fn) })
			require.Empty(t, again)
		})
	}
}

// TestWorkerAsOf: a future-dated hire read as of its hire instant is
// active; an unknown WID is not found.
func TestWorkerAsOf(t *testing.T) {
	tn := newTenant(t, workforce.Config{Seed: 3, Workers: 200, Shape: apacShape(), Rates: lifecycleRates()}, "v34.0", nil)
	var hire *workforce.Event
	for hire == nil {
		for _, e := range tn.advance(1) {
			if e.Kind == workforce.Hire && e.Effective.After(tn.wf.Now().Add(48*time.Hour)) {
				hire = &e
				break
			}
		}
	}
	ctx := context.Background()
	r, ok, err := tn.c.Worker(ctx, hire.WID, tn.wf.Now())
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "0", str(r, "Active"))
	require.Equal(t, []time.Time{hire.Effective}, r.Wake)
	r, ok, err = tn.c.Worker(ctx, hire.WID, hire.Effective)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "1", str(r, "Active"), "as of the hire instant")
	_, ok, err = tn.c.Worker(ctx, "0123456789abcdef0123456789abcdef", tn.wf.Now())
	require.NoError(t, err)
	require.False(t, ok)
}

func TestErrorKinds(t *testing.T) {
	ctx := context.Background()
	noop := func(source.Record) error { return nil }

	t.Run("bad password", func(t *testing.T) {
		tn := newTenant(t, workforce.Config{Seed: 1, Workers: 20}, "v34.0", func(c *workday.Config) { c.Password = "wrong" })
		_, err := tn.c.Full(ctx, noop)
		require.Equal(t, source.Authentication, source.KindOf(err), "%v", err)
		require.Contains(t, err.Error(), "invalid username or password")
		require.NotContains(t, err.Error(), "wrong", "the password is not in the error")
		require.Equal(t, int64(1), tn.sim.Stats().Requests, "an authentication fault is not retried")
	})
	t.Run("bad user", func(t *testing.T) {
		tn := newTenant(t, workforce.Config{Seed: 1, Workers: 20}, "", func(c *workday.Config) { c.Username = "ISU_hrsync@other" })
		_, _, err := tn.c.Worker(ctx, "x", start)
		require.Equal(t, source.Authentication, source.KindOf(err))
	})
	t.Run("unknown tenant", func(t *testing.T) {
		tn := newTenant(t, workforce.Config{Seed: 1, Workers: 20}, "v34.0", nil)
		c, err := workday.New(workday.Config{URL: tn.url[:len(tn.url)-len(tn.sim.Path("v34.0"))] + "/ccx/service/nobody/Human_Resources",
			Username: "u", Password: "p", RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
		require.NoError(t, err)
		_, err = c.Full(ctx, noop)
		require.Equal(t, source.Validation, source.KindOf(err))
	})
	t.Run("the callback's error is returned as is", func(t *testing.T) {
		tn := newTenant(t, workforce.Config{Seed: 1, Workers: 20}, "v34.0", nil)
		stop := errors.New("stop")
		_, err := tn.c.Full(ctx, func(source.Record) error { return stop })
		require.Same(t, stop, err)
	})
	t.Run("unreachable", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		url := ts.URL + "/ccx/service/acme/Human_Resources"
		ts.Close()
		c, err := workday.New(workday.Config{URL: url, Username: "u", Password: "p", RetryMax: 2,
			RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
		require.NoError(t, err)
		_, err = c.Full(ctx, noop)
		require.Equal(t, source.Unavailable, source.KindOf(err))
	})
	t.Run("not a SOAP response", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>maintenance")) }))
		defer ts.Close()
		c, err := workday.New(workday.Config{URL: ts.URL + "/ccx/service/acme", Username: "u", Password: "p"})
		require.NoError(t, err)
		_, err = c.Full(ctx, noop)
		require.Equal(t, source.Protocol, source.KindOf(err))
	})
	t.Run("server failure is retried, then Unavailable", func(t *testing.T) {
		calls := 0
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			calls++
			http.Error(w, "boom", http.StatusInternalServerError)
		}))
		defer ts.Close()
		c, err := workday.New(workday.Config{URL: ts.URL + "/ccx/service/acme", Username: "u", Password: "p", RetryMax: 3,
			RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
		require.NoError(t, err)
		_, err = c.Full(ctx, noop)
		require.Equal(t, source.Unavailable, source.KindOf(err))
		require.Equal(t, 4, calls)
	})
	t.Run("no watermark", func(t *testing.T) {
		tn := newTenant(t, workforce.Config{Seed: 1, Workers: 20}, "v34.0", nil)
		_, err := tn.c.Changes(ctx, nil, noop)
		require.Error(t, err)
		_, err = tn.c.Changes(ctx, source.Watermark(`{"at":"yesterday"}`), noop)
		require.Error(t, err)
	})
}

func TestThrottling(t *testing.T) {
	ctx := context.Background()
	t.Run("retried then success", func(t *testing.T) {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
			tn := newTenant(t, workforce.Config{Seed: 5, Workers: 150}, "v34.0", func(c *workday.Config) { c.PageSize = 25 })
			clean, _ := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Full(ctx, fn) })
			require.NoError(t, tn.sim.SetFaults(workdaysim.Faults{ThrottleEvery: 2, Status: status, RetryAfter: time.Second}))
			got, _ := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Full(ctx, fn) })
			require.Positive(t, tn.sim.Stats().Throttled)
			require.Equal(t, clean, got, "HTTP %d: the same records, despite the throttling", status)
		}
	})
	t.Run("persistent throttling is Throttling with Retry-After", func(t *testing.T) {
		tn := newTenant(t, workforce.Config{Seed: 5, Workers: 20}, "v34.0", func(c *workday.Config) { c.RetryMax = 3 })
		require.NoError(t, tn.sim.SetFaults(workdaysim.Faults{ThrottleShare: 1, RetryAfter: 7 * time.Second}))
		_, err := tn.c.Full(ctx, func(source.Record) error { return nil })
		var se *source.Error
		require.ErrorAs(t, err, &se)
		require.Equal(t, source.Throttling, se.Kind)
		require.Equal(t, 7*time.Second, se.RetryAfter)
		require.Equal(t, int64(4), tn.sim.Stats().Requests, "the first try and three retries")
	})
}

func TestWriteBack(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t, workforce.Config{Seed: 9, Workers: 100}, "v34.0", func(c *workday.Config) {
		c.Attributes = []source.Attribute{{Name: "EmailAddress"}, {Name: "UserID"}, {Name: "PrimaryWorkTelephone"}, {Name: "Mobile"},
			{Name: "UserName", Path: "wd:Worker/wd:Worker_Data/wd:User_Account_Data/wd:User_Name/text()"}}
	})
	var w workforce.Worker
	for r := range tn.wf.Records(tn.wf.Now(), tn.wf.Now()) {
		if r.Status == workforce.Active && r.Phone != nil && r.Phone.CountryCode != "44" {
			w = r
			break
		}
	}
	require.NotEmpty(t, w.WID, "an active worker with a phone outside the UK")
	cc := w.Phone.CountryCode
	_, wm := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Full(ctx, fn) })

	err := tn.c.WriteBack(ctx, w.WID, map[string]string{
		"EmailAddress":         "søren.kjær@acme.example",
		"PrimaryWorkTelephone": "+" + cc + " 33 12 34 56 x204",
		"Mobile":               "+" + cc + " (20) 12-34-56",
		"UserID":               "skjaer",
	})
	require.NoError(t, err)
	r, ok, err := tn.c.Worker(ctx, w.WID, tn.clock.Now())
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "søren.kjær@acme.example", str(r, "EmailAddress"))
	require.Equal(t, "+"+cc+" 33123456 x204", str(r, "PrimaryWorkTelephone"))
	require.Equal(t, "+"+cc+" 20123456", str(r, "Mobile"))
	require.Equal(t, "skjaer", str(r, "UserID"))
	require.Equal(t, "skjaer", str(r, "UserName"), "User_Account_Data follows")

	// The contact change is a transaction: the next incremental read sees it.
	recs, _ := collect(t, func(fn func(source.Record) error) (source.Watermark, error) { return tn.c.Changes(ctx, wm, fn) })
	require.Contains(t, recs, w.WID)
	require.Equal(t, "søren.kjær@acme.example", str(recs[w.WID], "EmailAddress"))

	refused := []struct {
		name   string
		values map[string]string
		kind   source.Kind
		attr   string
	}{
		{"not an address", map[string]string{"EmailAddress": "Søren <s@x>"}, source.Validation, "EmailAddress"},
		{"not writable", map[string]string{"FirstName": "Bob"}, source.Validation, "FirstName"},
		{"no country code", map[string]string{"Mobile": "20123456"}, source.Validation, "Mobile"},
		{"mobile extension", map[string]string{"Mobile": "+" + cc + " 20123456 x1"}, source.Validation, "Mobile"},
		{"Workday refuses the country code", map[string]string{"Mobile": "+44 7700 900123"}, source.Validation, "Mobile"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			err := tn.c.WriteBack(ctx, w.WID, tt.values)
			var se *source.Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.kind, se.Kind, "%v", err)
			require.Equal(t, "WriteBack "+tt.attr, se.Op)
			require.Contains(t, err.Error(), tt.attr)
		})
	}
	err = tn.c.WriteBack(ctx, "0123456789abcdef0123456789abcdef", map[string]string{"EmailAddress": "a@b.example"})
	require.Equal(t, source.NotFound, source.KindOf(err))
	require.NoError(t, tn.c.WriteBack(ctx, w.WID, map[string]string{"EmailAddress": ""}), "an empty value is skipped")
}
