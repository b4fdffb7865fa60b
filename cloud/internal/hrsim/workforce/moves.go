package workforce

import (
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// moveDate picks when a move keyed at entered for persona p takes effect
// (changeDate), or, with probability back, a day 1-20 days before it was
// keyed. It falls back to the day it was keyed when that would put it
// before the persona's latest change; ok is false when even that would.
func (w *Workforce) moveDate(p int32, entered time.Time, back float64) (Date, time.Time, bool) {
	zone := w.zone(p)
	today := DateOf(entered.In(zone))
	d := changeDate(w.r, today)
	if weighted.Chance(w.r, back) {
		d = today.AddDays(-between(w.r, 1, 20))
	}
	st := &w.ps[p].st
	for _, c := range [...]Date{d, today} {
		if at := c.Time(zone); !at.Before(st.last) && !at.Before(st.start) {
			return c, at, true
		}
	}
	return Date{}, time.Time{}, false
}

// changeTitle keys a job change (§2.2): mostly a step up the ladder,
// otherwise a lateral move; contractors and the executive office get
// another title of their kind. Managers' titles follow their orgs.
func (w *Workforce) changeTitle(entered time.Time) bool {
	p := w.pick(func(p int32) bool { return w.settled(p, entered) && w.ps[p].st.manages < 0 })
	if p < 0 {
		return false
	}
	_, at, ok := w.moveDate(p, entered, w.cfg.Rates.BackdatedShare)
	if !ok {
		return false
	}
	st := &w.ps[p].st
	f := w.famOf(st.org)
	e := Event{Kind: TitleChange, Effective: at, Entered: entered, JobFamily: "EXEC"}
	switch {
	case f == nil:
		e.Title = officeTitles[w.r.IntN(len(officeTitles))]
	case st.contingent:
		e.Title, e.JobFamily = f.contingent[w.r.IntN(len(f.contingent))], f.id
	default:
		lvl := int(st.level) + 1
		if lvl >= len(f.ladder) || lvl < 0 || weighted.Chance(w.r, 0.3) {
			lvl = w.r.IntN(len(f.ladder))
		}
		st.level = int8(lvl)
		e.Title, e.JobFamily = f.ladder[lvl], f.id
	}
	w.emit(p, e)
	return true
}

// transfer keys a move to another supervisory organisation (§2.2); a
// move across families brings a title in the new family, and three in
// ten moves also change the site to the new org's.
func (w *Workforce) transfer(entered time.Time) bool {
	p := w.pick(func(p int32) bool { return w.settled(p, entered) && w.ps[p].st.manages < 0 })
	if p < 0 {
		return false
	}
	st := &w.ps[p].st
	from := st.org
	var to int32 = -1
	for range 8 {
		if o := w.ps[w.live[w.r.IntN(len(w.live))]].st.org; o != from {
			to = o
			break
		}
	}
	_, at, ok := w.moveDate(p, entered, 0)
	if to < 0 || !ok {
		return false
	}
	seen := []int32{from, to}
	saved := st.org
	st.org = to
	m := w.resolve(to, p, &seen)
	st.org = saved
	if !w.free(at, seen) {
		return false
	}
	w.emit(p, Event{Kind: Transfer, Effective: at, Entered: entered, SupOrg: w.orgs[to].ID})
	w.removeMember(p)
	st.org = to
	w.os[to].members = append(w.os[to].members, p)
	if m != st.manager && m >= 0 {
		st.manager = m
		w.emit(p, Event{Kind: ManagerChange, Effective: at, Entered: entered, ManagerWID: w.ps[m].base.WID})
	}
	if nf := int8(w.os[to].family); nf != st.family {
		st.family = nf
		rec := *w.ps[p].base
		w.drawTitle(p, &rec)
		w.emit(p, Event{Kind: TitleChange, Effective: at, Entered: entered, Title: rec.Title, JobFamily: familyID(nf)})
	}
	if site := w.os[to].site; weighted.Chance(w.r, 0.3) && int32(site) != st.loc {
		w.moveSite(p, site, at, entered)
	}
	w.freeze(at, seen)
	return true
}

// familyID returns the Job_Family_ID of family index f.
func familyID(f int8) string {
	if f < 0 {
		return "EXEC"
	}
	return families[f].id
}

// removeMember takes persona p out of its org's member list.
func (w *Workforce) removeMember(p int32) {
	o := w.ps[p].st.org
	m := w.os[o].members
	for i, q := range m {
		if q == p {
			w.os[o].members = append(m[:i], m[i+1:]...)
			return
		}
	}
}

// relocate keys a change of work location (§2.2): half the time to another
// site in the same country, else anywhere — then the company and time zone
// change too. The effective date is in the old zone.
func (w *Workforce) relocate(entered time.Time) bool {
	p := w.pick(func(p int32) bool { return w.settled(p, entered) })
	if p < 0 {
		return false
	}
	cur := int(w.ps[p].st.loc)
	site := -1
	for range 8 {
		c := w.drawSite()
		if weighted.Chance(w.r, 0.5) {
			same := w.byCountry[w.countryOf(cur)]
			c = same[w.r.IntN(len(same))]
		}
		if c != cur {
			site = c
			break
		}
	}
	_, at, ok := w.moveDate(p, entered, w.cfg.Rates.BackdatedShare)
	if site < 0 || !ok {
		return false
	}
	w.moveSite(p, site, at, entered)
	return true
}

// moveSite emits persona p's move to site.
func (w *Workforce) moveSite(p int32, site int, at, entered time.Time) {
	w.ps[p].st.loc = int32(site)
	l := &w.locs[site]
	w.emit(p, Event{Kind: LocationChange, Effective: at, Entered: entered, Location: l.ID, Company: l.Company, TimeZone: l.TimeZone})
}

// countryOf returns the index into byCountry of site s's country.
func (w *Workforce) countryOf(s int) int {
	for i, idx := range w.byCountry {
		for _, x := range idx {
			if x == s {
				return i
			}
		}
	}
	return 0
}

// changeName keys a legal surname change (marriage, divorce; §2.2: ~1 % a
// year), sometimes double-barrelled. E-mail and user name stay: matching
// must use the Worker_ID, never the name.
func (w *Workforce) changeName(entered time.Time) bool {
	p := w.pick(func(p int32) bool { return w.settled(p, entered) })
	if p < 0 {
		return false
	}
	rec, _ := w.record(p, farFuture, entered)
	d := names.For(rec.Culture)
	if d == nil || rec.Legal.Last == "" {
		return false
	}
	n := rec.Legal
	n.Last = d.Surname(w.r, rec.Gender)
	if weighted.Chance(w.r, 0.3) {
		n.Last = rec.Legal.Last + "-" + n.Last
	}
	_, at, ok := w.moveDate(p, entered, 0)
	if !ok || n.Last == rec.Legal.Last || !w.claim(&n) {
		return false
	}
	w.names[names.Key(&rec.Legal)]--
	w.emit(p, Event{Kind: NameChange, Effective: at, Entered: entered, Name: &n})
	return true
}

// rotate gives an org a new manager from among its members (§2.2's
// manager changes beyond those caused by departures); the old manager
// stays on as a senior individual contributor.
func (w *Workforce) rotate(entered time.Time) bool {
	o := int32(1 + w.r.IntN(max(1, len(w.orgs)-1)))
	if int(o) >= len(w.orgs) || w.os[o].manager < 0 {
		return false
	}
	return w.appoint(o, entered)
}

// fillVacancy appoints a manager to an org that fell vacant.
func (w *Workforce) fillVacancy(entered time.Time) {
	for len(w.vacant) > 0 {
		o := w.vacant[0]
		w.vacant = w.vacant[1:]
		if w.os[o].manager < 0 {
			if !w.appoint(o, entered) {
				w.vacant = append(w.vacant, o) // try again another day
			}
			return
		}
	}
}

// appoint makes a member of org o its manager from today in the new
// manager's zone. It reports whether it did.
func (w *Workforce) appoint(o int32, entered time.Time) bool {
	for range 3 {
		s := w.successor(o, -1, farFuture, entered)
		if s < 0 {
			return false
		}
		at := DateOf(entered.In(w.zone(s))).Time(w.zone(s))
		if w.ps[s].st.last.After(at) {
			continue
		}
		ra, ok := w.planReassign(o, s, -1, at)
		if ok {
			w.applyReassign(ra, at, entered)
			return true
		}
	}
	return false
}
