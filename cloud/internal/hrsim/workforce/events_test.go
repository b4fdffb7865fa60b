package workforce

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lifecycle is one simulated year shared by the event tests.
type lifecycle struct {
	wf     *Workforce
	events []Event
	now    time.Time
	byWID  map[string][]Event
}

func simulate(t *testing.T, seed int64, n, days int) *lifecycle {
	t.Helper()
	wf := generate(t, seed, n)
	lc := &lifecycle{wf: wf, events: wf.Advance(days), now: wf.Now(), byWID: map[string][]Event{}}
	for _, e := range lc.events {
		lc.byWID[e.WID] = append(lc.byWID[e.WID], e)
	}
	return lc
}

func (lc *lifecycle) at(t *testing.T, wid string, at time.Time) Worker {
	t.Helper()
	r, ok := lc.wf.Record(wid, at, lc.now)
	require.True(t, ok, "no record for %s", wid)
	return r
}

func zoneOf(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	require.NoError(t, err)
	return z
}

func TestLifecycle(t *testing.T) {
	const n = 3000
	lc := simulate(t, 11, n, 365)
	kinds := map[Kind][]Event{}
	for _, e := range lc.events {
		kinds[e.Kind] = append(kinds[e.Kind], e)
	}

	t.Run("log", func(t *testing.T) {
		require.Equal(t, lc.wf.Config().Start.Add(365*24*time.Hour), lc.now)
		for i, e := range lc.events {
			require.Equal(t, i+1, e.Seq)
			if i > 0 {
				require.False(t, e.Entered.Before(lc.events[i-1].Entered), "event %d keyed before event %d", e.Seq, e.Seq-1)
			}
			require.False(t, e.Entered.Before(testStart))
			require.True(t, e.Entered.Before(lc.now))
			wd := e.Entered.Sub(testStart) / (24 * time.Hour)
			day := testStart.Add(wd * 24 * time.Hour).Weekday()
			require.NotContains(t, []time.Weekday{time.Saturday, time.Sunday}, day, "event %d keyed on a %s", e.Seq, day)
			r := lc.at(t, e.WID, e.Effective)
			require.Equal(t, r.WorkerID, e.WorkerID)
		}
		for _, k := range []Kind{Hire, Rehire, RehireNewID, Conversion, Termination, RescindHire, TitleChange, Transfer,
			LocationChange, ManagerChange, ManagesChange, NameChange, ContractExtension} {
			require.NotEmpty(t, kinds[k], "no %s in a year", k)
		}
		future, back := 0, 0
		for _, e := range lc.events {
			switch d := e.Effective.Sub(e.Entered); {
			case d > 7*24*time.Hour:
				future++
			case d < -24*time.Hour:
				back++
			}
		}
		require.Greater(t, future, len(lc.events)/10, "future-dated events")
		require.Greater(t, back, 10, "back-dated events")
	})

	t.Run("terminations end at the end of the last day in the worker's zone", func(t *testing.T) {
		apac := 0
		for _, e := range kinds[Termination] {
			before := lc.at(t, e.WID, e.Effective.Add(-time.Nanosecond))
			require.Equal(t, Active, before.Status, "%s just before its termination", e.WorkerID)
			zone := zoneOf(t, before.TimeZone)
			require.True(t, e.Date.AddDays(1).Time(zone).Equal(e.Effective), "%s in %s", e.WorkerID, before.TimeZone)
			if _, off := e.Effective.In(zone).Zone(); off >= 8*3600 {
				apac++
				require.NotZero(t, e.Effective.UTC().Hour(), "an APAC termination ends before UTC midnight")
			}
			after := lc.at(t, e.WID, e.Effective)
			require.Equal(t, Terminated, after.Status)
			require.Equal(t, e.Date, after.LastDayOfWork)
			require.True(t, e.Effective.Equal(after.TerminationAt))
			require.Equal(t, e.Reason, after.TerminationReason)
			require.Empty(t, after.Manages)
		}
		require.Positive(t, apac, "no termination in a UTC+8 or later zone")
	})

	t.Run("a rehire with the same ID re-activates the persona", func(t *testing.T) {
		for _, e := range kinds[Rehire] {
			before := lc.at(t, e.WID, e.Effective.Add(-time.Nanosecond))
			require.Equal(t, Terminated, before.Status)
			after := lc.at(t, e.WID, e.Effective)
			require.Equal(t, Active, after.Status)
			require.Equal(t, before.WorkerID, after.WorkerID)
			require.True(t, after.Rehire)
			require.Equal(t, DateOf(e.Effective.In(zoneOf(t, after.TimeZone))), after.HireDate)
			require.Equal(t, before.OriginalHireDate, after.OriginalHireDate)
			require.True(t, after.LastDayOfWork.IsZero())
		}
	})

	t.Run("a rehire with a new ID is a new persona of the same person", func(t *testing.T) {
		for _, e := range kinds[RehireNewID] {
			old := lc.at(t, e.Worker.PreviousWID, e.Effective)
			require.Equal(t, Terminated, old.Status)
			cur := lc.at(t, e.WID, e.Effective)
			require.Equal(t, Active, cur.Status)
			require.NotEqual(t, old.WorkerID, cur.WorkerID)
			require.Equal(t, old.PersonIDExternal, cur.PersonIDExternal)
			require.Equal(t, old.PersonUUID, cur.PersonUUID)
			require.Equal(t, PreHire, lc.at(t, e.WID, e.Effective.Add(-time.Nanosecond)).Status)
		}
	})

	t.Run("a conversion creates a new persona and ends the old one at the same instant", func(t *testing.T) {
		ends := map[string]Event{}
		for _, e := range kinds[Termination] {
			if e.Reason == Converted {
				ends[e.WID] = e
			}
		}
		kept := 0
		for _, e := range kinds[Conversion] {
			prev := e.Worker.PreviousWID
			end, ok := ends[prev]
			require.True(t, ok, "conversion %s has no termination of %s", e.WorkerID, prev)
			require.Equal(t, e.Effective, end.Effective)
			require.Equal(t, e.WID, end.Related)
			oldBefore, oldAfter := lc.at(t, prev, e.Effective.Add(-time.Nanosecond)), lc.at(t, prev, e.Effective)
			newBefore, newAfter := lc.at(t, e.WID, e.Effective.Add(-time.Nanosecond)), lc.at(t, e.WID, e.Effective)
			require.Equal(t, Active, oldBefore.Status)
			require.Equal(t, Terminated, oldAfter.Status)
			require.Equal(t, PreHire, newBefore.Status)
			require.Equal(t, Active, newAfter.Status)
			require.NotEqual(t, oldBefore.Type, newAfter.Type)
			require.NotEqual(t, oldBefore.UserID, newAfter.UserID)
			if oldBefore.WorkerID == newAfter.WorkerID {
				kept++ // Workday's "same Worker_ID, new WID"
				require.True(t, strings.HasPrefix(newAfter.UserID, newAfter.WorkerID+"_"), newAfter.UserID)
			} else {
				require.Equal(t, newAfter.WorkerID, newAfter.UserID)
			}
			require.Equal(t, oldBefore.PersonUUID, newAfter.PersonUUID)
			require.Equal(t, oldBefore.PersonIDExternal, newAfter.PersonIDExternal)
			asKeyed, ok := lc.wf.Record(e.WID, e.Effective, e.Entered) // a later move may share the instant
			require.True(t, ok)
			require.Equal(t, oldBefore.SupOrg, asKeyed.SupOrg)
		}
		require.Positive(t, kept, "no conversion kept its Worker_ID")
		require.Less(t, kept, len(kinds[Conversion]), "every conversion kept its Worker_ID")
	})

	t.Run("a rescinded hire never becomes active", func(t *testing.T) {
		hires := map[string]Event{}
		for _, e := range kinds[Hire] {
			hires[e.WID] = e
		}
		for _, e := range kinds[RescindHire] {
			h, ok := hires[e.WID]
			require.True(t, ok)
			require.True(t, e.Entered.Before(h.Effective), "rescinded after the start")
			for _, at := range []time.Time{h.Entered, h.Effective, h.Effective.Add(24 * time.Hour), lc.now, farFuture} {
				require.NotEqual(t, Active, lc.at(t, e.WID, at).Status, "%s as of %s", e.WorkerID, at)
			}
			// Before the rescind was keyed, HR expected the start.
			r, ok := lc.wf.Record(e.WID, h.Effective, e.Entered.Add(-time.Nanosecond))
			require.True(t, ok)
			require.Equal(t, Active, r.Status)
		}
	})

	t.Run("a future-dated hire is a pre-hire until its start", func(t *testing.T) {
		pending := 0
		for _, e := range kinds[Hire] {
			if !e.Effective.After(lc.now) || lc.at(t, e.WID, farFuture).Status == Rescinded {
				continue
			}
			pending++
			require.Equal(t, PreHire, lc.at(t, e.WID, lc.now).Status)
			require.Equal(t, Active, lc.at(t, e.WID, e.Effective).Status)
		}
		require.Positive(t, pending)
	})

	t.Run("records follow what was known when", func(t *testing.T) {
		for _, e := range kinds[Transfer] {
			was, ok := lc.wf.Record(e.WID, e.Effective, e.Entered.Add(-time.Nanosecond))
			require.True(t, ok)
			require.NotEqual(t, e.SupOrg, was.SupOrg)
			is, ok := lc.wf.Record(e.WID, e.Effective, e.Entered)
			require.True(t, ok)
			require.Equal(t, e.SupOrg, is.SupOrg)
		}
		for _, e := range kinds[Hire] {
			_, ok := lc.wf.Record(e.WID, farFuture, e.Entered.Add(-time.Nanosecond))
			require.False(t, ok, "a hire is unknown before it is keyed")
		}
	})

	t.Run("every active worker has an active manager at every moment", func(t *testing.T) {
		var moments []time.Time
		for d := 0; d <= 365; d += 7 {
			moments = append(moments, testStart.Add(time.Duration(d)*24*time.Hour))
		}
		for _, e := range lc.events { // the instants managers leave at
			if e.Kind == Termination && lc.at(t, e.WID, e.Effective.Add(-time.Nanosecond)).Manages != "" {
				moments = append(moments, e.Effective)
			}
		}
		require.Greater(t, len(moments), 60)
		sort.Slice(moments, func(i, j int) bool { return moments[i].Before(moments[j]) })
		for _, m := range moments {
			for _, known := range []time.Time{m, lc.now} {
				if known.After(lc.now) {
					continue
				}
				snap := snapshot(lc.wf, m, known)
				label := fmt.Sprintf("as of %s known %s", m.Format(time.RFC3339), known.Format(time.RFC3339))
				checkManagers(t, snap, label)
				managers := map[string]string{}
				for wid, r := range snap {
					if r.Status != Active || r.Manages == "" {
						continue
					}
					if r.Type == Contingent || managers[r.Manages] != "" {
						t.Fatalf("%s: %s (%s) manages %s, which has %q", label, r.WorkerID, r.Type, r.Manages, managers[r.Manages])
					}
					managers[r.Manages] = wid
				}
			}
		}
	})

	t.Run("rates", func(t *testing.T) {
		end := snapshot(lc.wf, lc.now, lc.now)
		emp, cont := 0, 0
		for _, r := range end {
			if r.Status == Active {
				if r.Type == Contingent {
					cont++
				} else {
					emp++
				}
			}
		}
		share := float64(cont) / float64(emp+cont)
		require.True(t, share > 0.17 && share < 0.23, "contingent share %.3f", share)
		require.InDelta(t, n, emp+cont, 0.1*n, "headcount after a year")

		monthly := func(k int, of float64) float64 { return float64(k) / of / 12 }
		count := func(k Kind, ok func(e Event) bool) int {
			c := 0
			for _, e := range kinds[k] {
				if ok(e) {
					c++
				}
			}
			return c
		}
		employees := float64(n) * 0.8
		quits := count(Termination, func(e Event) bool { return e.Reason != ContractEnd && e.Reason != Converted })
		changed := map[string]bool{}
		for _, e := range kinds[ManagerChange] {
			changed[e.WID+e.Effective.Format("2006-01")] = true
		}
		// Promotions to manager, the step-downs that go with them and new
		// titles that come with a transfer are counted with those.
		appointed := map[string]bool{}
		for _, e := range append(kinds[ManagesChange], kinds[Transfer]...) {
			appointed[e.WID+e.Effective.String()] = true
		}
		jobChanges := count(TitleChange, func(e Event) bool { return !appointed[e.WID+e.Effective.String()] })
		for _, tc := range []struct {
			name     string
			got      float64
			min, max float64
		}{
			{"employee terminations (§2.1: 1.1-1.5 %)", monthly(quits, employees), 0.010, 0.017},
			{"employee hires (§2.1: 1.3-1.8 %)", monthly(count(Hire, func(e Event) bool { return e.Worker.Type == Employee }), employees), 0.011, 0.019},
			{"title changes (§2.2: 1-1.5 %)", monthly(jobChanges, n), 0.009, 0.016},
			{"transfers (§2.2: 0.5-1 %)", monthly(len(kinds[Transfer]), n), 0.004, 0.01},
			{"location changes (§2.2: 0.3-0.5 %)", monthly(len(kinds[LocationChange]), n), 0.003, 0.008},
			{"manager changes (§2.2: 2-4 %)", monthly(len(changed), n), 0.015, 0.045},
			{"rehires (§2.4: 3-5 % of hires)", float64(len(kinds[Rehire])+len(kinds[RehireNewID])) / float64(len(kinds[Hire])+len(kinds[Rehire])+len(kinds[RehireNewID])), 0.02, 0.06},
			{"rescinded hires (§2.5: 1-2 %)", float64(len(kinds[RescindHire])) / float64(len(kinds[Hire])), 0.005, 0.03},
		} {
			require.True(t, tc.got >= tc.min && tc.got <= tc.max, "%s: %.4f outside %.4f..%.4f", tc.name, tc.got, tc.min, tc.max)
		}
	})
}

// TestEdgeConfigs runs a year of small and lopsided workforces: nothing
// panics and the manager invariant holds at the end.
func TestEdgeConfigs(t *testing.T) {
	maxShape := DefaultShape()
	maxShape.ContingentShare, maxShape.DuplicateNameShare, maxShape.VacantOrgShare, maxShape.AlumniShare = 0.8, 0.5, 0.5, 2
	oneCountry := DefaultShape()
	oneCountry.Countries = []CountryWeight{{"NZ", 1}}
	busy := DefaultRates()
	busy.Hire, busy.Termination, busy.Transfer, busy.ManagerChange, busy.ToEmployee, busy.RescindShare = 0.2, 0.2, 0.2, 0.5, 0.3, 0.5
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"one worker", Config{Workers: 1}},
		{"two workers", Config{Workers: 2}},
		{"no rates", Config{Workers: 200, Rates: &Rates{}}},
		{"no shape", Config{Workers: 200, Shape: &Shape{}}},
		{"maximal shares", Config{Workers: 300, Shape: &maxShape}},
		{"one country", Config{Workers: 300, Shape: &oneCountry}},
		{"busy", Config{Workers: 500, Rates: &busy}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Seed, tc.cfg.Start = 5, testStart
			wf, err := Generate(tc.cfg)
			require.NoError(t, err)
			require.NotPanics(t, func() { wf.Advance(365) })
			checkManagers(t, snapshot(wf, wf.Now(), wf.Now()), tc.name)
		})
	}
}
