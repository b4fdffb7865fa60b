package workforce

import (
	"math"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// farFuture is an instant after every simulated one: a record as of it is
// the projection.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// hireInto finds an org to hire into, size-weighted (the org of a random
// employed worker), and a start date from the §2.5 lead times such that
// the org has nothing keyed for later. It returns the org, the site, the
// start date and its instant, the lead in days and the orgs the manager
// was resolved through.
func (w *Workforce) hireInto(entered time.Time, prefer int32) (o int32, st int, start Date, at time.Time, lead int, seen []int32, ok bool) {
	for try := range 8 {
		if len(w.live) == 0 {
			return
		}
		o = w.ps[w.live[w.r.IntN(len(w.live))]].st.org
		if try == 0 && prefer >= 0 {
			o = prefer
		}
		st = w.os[o].site
		if !weighted.Chance(w.r, 0.85) {
			st = w.drawSite()
		}
		zone := w.sites[st].zone
		today := DateOf(entered.In(zone))
		lead = hireLead(w.r)
		start = today.AddDays(lead)
		if lead > 0 {
			start = startDate(w.r, start)
			lead = start.Sub(today)
		}
		at = start.Time(zone)
		seen = append(seen[:0], o)
		w.resolve(o, -1, &seen)
		if w.free(at, seen) {
			return o, st, start, at, lead, seen, true
		}
	}
	return
}

// hire keys a hire: usually a new person, sometimes (Rates.RehireShare) a
// former worker. A future-dated new hire is rescinded before its start
// with probability RescindShare / 0.9 (nine in ten hires are keyed at
// least two days ahead), so RescindShare of all hires are.
func (w *Workforce) hire(entered time.Time, contingent bool) {
	if weighted.Chance(w.r, w.cfg.Rates.RehireShare) && w.rehire(entered, contingent) {
		return
	}
	o, st, start, at, lead, seen, ok := w.hireInto(entered, -1)
	if !ok {
		return
	}
	rec := &Worker{Status: Active}
	if weighted.Chance(w.r, w.cfg.Shape.DuplicateNameShare/2) && len(w.live) > 0 {
		twin := w.ps[w.live[w.r.IntN(len(w.live))]].base
		rec.Legal, rec.Gender, rec.Culture = twin.Legal, twin.Gender, twin.Culture
		w.names[names.Key(&rec.Legal)]++
	} else {
		w.drawPerson(rec, st)
	}
	p := w.addPersona(rec, o, st, contingent, -1)
	rec.WorkerID = w.ids.workerID(rec.Type)
	rec.PersonIDExternal, rec.UserID = rec.WorkerID, rec.WorkerID
	w.drawTitle(p, rec)
	if weighted.Chance(w.r, w.cfg.Shape.PreferredNameShare) {
		w.setPreferred(p)
	}
	w.contact(p)
	w.ps[p].hireAt, w.ps[p].entered = at, entered
	w.join(p, rec, o, st, start, at, seen)
	w.emit(p, Event{Kind: Hire, Effective: at, Entered: entered, Worker: rec})
	if lead >= 2 && weighted.Chance(w.r, w.cfg.Rates.RescindShare/0.9) {
		d := w.day - 1 + between(w.r, 1, lead-1)
		for w.weekend(d) && d > w.day {
			d-- // HR keys on weekdays; keep it before the start
		}
		w.schedule(d, txn{kind: txRescind, p: p})
	}
}

// join makes persona p employed in org o at site st from start (instant
// at); rec is the record it starts with: the base of a new persona, or the
// record a Rehire event carries.
func (w *Workforce) join(p int32, rec *Worker, o int32, st int, start Date, at time.Time, seen []int32) {
	ps := &w.ps[p]
	s := &w.sites[st]
	rec.Company, rec.SupOrg, rec.Location, rec.TimeZone = w.companies[s.company].ID, w.orgs[o].ID, w.locs[st].ID, w.locs[st].TimeZone
	ps.st.org, ps.st.loc, ps.st.family = o, int32(st), int8(w.os[o].family)
	rec.HireDate = start
	if !rec.Rehire {
		rec.OriginalHireDate = start
	}
	ps.st.start, ps.st.rehiring = at, false
	if at.After(ps.st.last) {
		ps.st.last = at
	}
	ps.st.manager = w.resolve(o, p, nil)
	rec.ManagerWID = ""
	if ps.st.manager >= 0 {
		rec.ManagerWID = w.ps[ps.st.manager].base.WID
	}
	rec.ContractEndDate = Date{}
	if ps.st.contingent {
		ps.st.contractEnd = monthEnd(start.AddDays(between(w.r, 90, 365)))
		rec.ContractEndDate = ps.st.contractEnd
		w.scheduleContractReview(p)
	}
	w.os[o].members = append(w.os[o].members, p)
	w.addLive(p)
	w.freeze(at, seen)
}

// rehire brings back a former worker who left about a log-normal gap ago
// (§2.4: median ~15 months, 10 % under 3 months, so sigma = ln(15/3) /
// 1.2816), half under the same persona (Rehire) and half under a new one
// (RehireNewID) of the given type. It reports false when nobody fits.
func (w *Workforce) rehire(entered time.Time, contingent bool) bool {
	if len(w.alumni) == 0 {
		return false
	}
	gap := logNormalDays(w.r, 15*30.44, math.Log(5)/1.2816)
	want := entered.Add(-time.Duration(gap) * 24 * time.Hour)
	a, best := int32(-1), time.Duration(math.MaxInt64)
	for range 8 {
		c := w.alumni[w.r.IntN(len(w.alumni))]
		st := &w.ps[c].st
		if st.employed || st.rehiring || !st.eligible || w.people[st.person].employed >= 0 || st.last.After(entered) {
			continue
		}
		if d := st.last.Sub(want).Abs(); d < best {
			a, best = c, d
		}
	}
	if a < 0 {
		return false
	}
	prefer := w.ps[a].st.org
	if weighted.Chance(w.r, 0.5) {
		prefer = -1
	}
	o, st, start, at, _, seen, ok := w.hireInto(entered, prefer)
	if !ok {
		return false
	}
	old, _ := w.record(a, farFuture, entered)
	rec := old
	rec.Status, rec.Rehire, rec.Manages = Active, true, ""
	rec.LastDayOfWork, rec.TerminationAt, rec.TerminationReason, rec.EligibleForRehire = Date{}, time.Time{}, "", false
	w.ps[a].st.rehiring = true
	if weighted.Chance(w.r, 0.5) { // same WID and Worker_ID
		w.join(a, &rec, o, st, start, at, seen)
		w.drawTitle(a, &rec)
		w.emit(a, Event{Kind: Rehire, Effective: at, Entered: entered, Worker: &rec})
		return true
	}
	p := w.addPersona(&rec, o, st, contingent, w.ps[a].st.person)
	rec.PreviousWID = old.WID
	rec.WorkerID = w.ids.workerID(rec.Type)
	rec.UserID = rec.WorkerID
	w.drawTitle(p, &rec)
	w.ps[p].hireAt, w.ps[p].entered = at, entered
	w.join(p, &rec, o, st, start, at, seen)
	w.emit(p, Event{Kind: RehireNewID, Effective: at, Entered: entered, Worker: &rec})
	return true
}

// rescind cancels persona p's hire if it has not started yet and nothing
// else happened to it. The org stays frozen until the cancelled start;
// that only delays other changes there.
func (w *Workforce) rescind(p int32, entered time.Time) {
	st := &w.ps[p].st
	if !st.employed || !st.start.After(entered) {
		return
	}
	w.emit(p, Event{Kind: RescindHire, Effective: entered, Entered: entered})
	w.removeLive(p)
}
