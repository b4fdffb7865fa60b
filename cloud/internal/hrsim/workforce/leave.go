package workforce

import (
	"strconv"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
)

// terminate keys the end of persona p's employment on its last day of work
// last, in its own time zone: the termination takes effect at the end of
// that day. A manager is succeeded at the same instant by a member of the
// org, or the org falls vacant. It returns the Termination's index in the
// log, or -1, changing nothing, when the termination cannot be keyed
// consistently.
func (w *Workforce) terminate(p int32, last Date, reason Reason, entered time.Time) int {
	ps := &w.ps[p]
	at := last.AddDays(1).Time(w.zone(p))
	// Strictly after the persona's latest change, so the zone the last day
	// of work is counted in is the one the projection has.
	if p == w.ceo || !ps.st.employed || !at.After(ps.st.last) || !at.After(ps.st.start) {
		return -1
	}
	o := ps.st.org
	touched := []int32{o}
	managed := ps.st.manages >= 0
	var ra reassignment
	if managed {
		var ok bool
		ra, ok = w.planReassign(o, w.successor(o, p, at, entered), p, at)
		if !ok {
			return -1
		}
		ra.old = -1 // leaves; the termination itself ends the managing
	}
	if !w.free(at, touched) {
		return -1
	}
	i := len(w.log)
	w.emit(p, Event{Kind: Termination, Effective: at, Entered: entered, Date: last, Reason: reason})
	if ps.st.contingent {
		w.csepToday++
	}
	w.removeLive(p)
	ps.st.lastDay, ps.st.manages = last, -1
	ps.st.eligible = reason != Involuntary && reason != Converted
	w.alumni = append(w.alumni, p)
	if managed {
		w.applyReassign(ra, at, entered)
	}
	w.freeze(at, touched)
	return i
}

// resign keys an employee's termination with §2.1's reason mix and §2.5's
// timing: a resignation's last day is a Friday or month end after the
// country's notice; an involuntary exit is the same day or, four times in
// ten, back-dated 1-10 days; other exits (retirement …) end a month or two
// ahead at a month end.
func (w *Workforce) resign(entered time.Time) bool {
	p := w.pick(func(p int32) bool { return w.settled(p, entered) && !w.ps[p].st.contingent })
	if p < 0 {
		return false
	}
	today := DateOf(entered.In(w.zone(p)))
	reason := terminationReason(w.r)
	var last Date
	switch reason {
	case Voluntary:
		n := w.sites[w.ps[p].st.loc].country.notice
		last = leavingDate(w.r, today.AddDays(between(w.r, n[0], n[1])))
	case Involuntary:
		last = today
		if w.ps[p].st.manages < 0 && weighted.Chance(w.r, 0.4) {
			last = today.AddDays(-between(w.r, 1, 10))
		}
	default:
		last = monthEnd(today.AddDays(between(w.r, 28, 56)))
	}
	return w.terminate(p, last, reason, entered) >= 0 || (last.Before(today) && w.terminate(p, today, reason, entered) >= 0)
}

// convert keys a conversion between employee and contingent worker: the
// old persona ends at the end of the day before the effective date and a
// new persona of the same person, with a new WID, starts at that instant
// (hr-data-shapes.md §2.3). Rates.ConversionKeepsID of them keep the
// Worker_ID (Workday's "same Worker_ID, new WID"); the others get one of
// the new type. The effective date is the next
// 1st of a month or a Monday at least a week ahead; one in ten is keyed
// late, effective the 1st of the current month (the reference's "entered
// 15 Jan, effective 1 Jan").
func (w *Workforce) convert(entered time.Time, toEmployee bool) bool {
	p := w.pick(func(p int32) bool {
		st := &w.ps[p].st
		return w.settled(p, entered) && st.contingent == toEmployee && st.manages < 0
	})
	if p < 0 {
		return false
	}
	ps := &w.ps[p]
	zone := w.zone(p)
	today := DateOf(entered.In(zone))
	eff := nextFirst(today.AddDays(7))
	switch x := w.r.Float64(); {
	case x < 0.1:
		eff = today.AddDays(1 - today.Day())
	case x < 0.5:
		eff = onOrAfter(today.AddDays(7), time.Monday)
	}
	at := eff.Time(zone)
	o := ps.st.org
	seen := []int32{o}
	w.resolve(o, -1, &seen)
	if at.Before(ps.st.last) || !at.After(ps.st.start) || !w.free(at, seen) {
		return false
	}
	old, _ := w.record(p, farFuture, entered)
	ti := w.terminate(p, eff.AddDays(-1), Converted, entered)
	if ti < 0 {
		return false
	}
	rec := old
	rec.PreviousWID, rec.Rehire = old.WID, false
	q := w.addPersona(&rec, o, int(ps.st.loc), !toEmployee, ps.st.person)
	rec.WorkerID, rec.UserID = w.ids.workerID(rec.Type), ""
	if weighted.Chance(w.r, w.cfg.Rates.ConversionKeepsID) {
		rec.WorkerID = old.WorkerID
		for k := 2; rec.UserID == "" || w.userIDs[rec.UserID]; k++ {
			rec.UserID = old.WorkerID + "_" + strconv.Itoa(k)
		}
		w.userIDs[rec.UserID] = true
	} else {
		rec.UserID = rec.WorkerID
	}
	w.log[ti].Related = rec.WID
	w.drawTitle(q, &rec)
	w.ps[q].hireAt, w.ps[q].entered = at, entered
	w.join(q, &rec, o, int(w.ps[q].st.loc), eff, at, seen)
	w.emit(q, Event{Kind: Conversion, Effective: at, Entered: entered, Worker: &rec})
	return true
}

// scheduleContractReview plans the review of contingent persona p's
// contract two weeks before it ends.
func (w *Workforce) scheduleContractReview(p int32) {
	st := &w.ps[p].st
	w.schedule(w.dayOf(st.contractEnd.AddDays(-14), w.zone(p)), txn{kind: txContractReview, p: p})
}

// reviewContract extends contingent persona p's contract by 3-12 months
// with probability Rates.ContractExtension, and otherwise ends the worker
// on the contract end date (§2.3).
func (w *Workforce) reviewContract(p int32, entered time.Time) {
	st := &w.ps[p].st
	if !st.employed || !st.contingent {
		return
	}
	if st.start.After(entered) {
		w.scheduleContractReview(p)
		return
	}
	today := DateOf(entered.In(w.zone(p)))
	end := st.contractEnd
	if !weighted.Chance(w.r, w.cfg.Rates.ContractExtension) {
		if end.Before(today) {
			end = today
		}
		if w.terminate(p, end, ContractEnd, entered) >= 0 {
			return
		}
	}
	st.contractEnd = monthEnd(end.AddDays(between(w.r, 90, 365)))
	w.emit(p, Event{Kind: ContractExtension, Effective: today.Time(w.zone(p)), Entered: entered, Date: st.contractEnd})
	w.scheduleContractReview(p)
}
