package workforce

import (
	"slices"
	"time"
)

// resolve returns persona self's manager when it sits in org o: the
// manager of o, or, when o is vacant or self manages it, of the nearest
// org above that has another manager; -1 for the top of the house. Every
// org it looks at is appended to seen when seen is not nil.
func (w *Workforce) resolve(o, self int32, seen *[]int32) int32 {
	for o >= 0 {
		if seen != nil {
			*seen = append(*seen, o)
		}
		if m := w.os[o].manager; m >= 0 && m != self {
			return m
		}
		o = w.os[o].parent
	}
	return -1
}

// free reports whether an event effective at may touch every org in os:
// none of them has an event keyed earlier that takes effect later.
func (w *Workforce) free(at time.Time, os []int32) bool {
	for _, o := range os {
		if w.os[o].frozen.After(at) {
			return false
		}
	}
	return true
}

// freeze records that an event effective at touched the orgs in os.
func (w *Workforce) freeze(at time.Time, os []int32) {
	for _, o := range os {
		if at.After(w.os[o].frozen) {
			w.os[o].frozen = at
		}
	}
}

// reassignment is a planned change of an org's manager: who manages it
// before and after (-1 for vacant) and whose direct manager changes.
type reassignment struct {
	org      int32
	old, new int32
	changes  []managerChange
	touched  []int32
}

type managerChange struct{ p, manager int32 }

// planReassign works out what making persona m the manager of org o (or
// leaving o vacant when m is -1) at instant at changes, without changing
// anything. leaving is a persona that departs at the same instant and
// needs no new manager. ok is false when an org involved has a change
// keyed earlier that takes effect later.
func (w *Workforce) planReassign(o, m, leaving int32, at time.Time) (reassignment, bool) {
	ra := reassignment{org: o, old: w.os[o].manager, new: m}
	saved := w.os[o].manager
	w.os[o].manager = m
	defer func() { w.os[o].manager = saved }()
	var affected []int32
	var collect func(o int32)
	collect = func(o int32) {
		ra.touched = append(ra.touched, o)
		affected = append(affected, w.os[o].members...)
		for _, c := range w.os[o].children {
			if w.os[c].manager >= 0 {
				ra.touched = append(ra.touched, c)
				affected = append(affected, w.os[c].manager)
			} else {
				collect(c)
			}
		}
	}
	collect(o)
	for _, a := range affected {
		if a == leaving {
			continue
		}
		if nm := w.resolve(w.ps[a].st.org, a, &ra.touched); nm != w.ps[a].st.manager {
			ra.changes = append(ra.changes, managerChange{a, nm})
		}
	}
	slices.Sort(ra.touched)
	ra.touched = slices.Compact(ra.touched)
	for _, p := range [...]int32{ra.old, ra.new} {
		if p >= 0 && p != leaving && w.ps[p].st.last.After(at) {
			return ra, false
		}
	}
	return ra, w.free(at, ra.touched)
}

// applyReassign carries out a planned reassignment, keyed at entered. A
// manager who steps down without leaving becomes a senior individual
// contributor; the new one gets the title for the org's level.
func (w *Workforce) applyReassign(ra reassignment, at, entered time.Time) {
	o := ra.org
	if p := ra.old; p >= 0 && w.ps[p].st.employed {
		w.emit(p, Event{Kind: ManagesChange, Effective: at, Entered: entered})
		w.ps[p].st.manages = -1
		if f := w.famOf(o); f != nil {
			w.ps[p].st.level = 3
			w.emit(p, Event{Kind: TitleChange, Effective: at, Entered: entered, Title: f.ladder[3], JobFamily: f.id})
		}
	}
	if p := ra.new; p >= 0 {
		w.emit(p, Event{Kind: ManagesChange, Effective: at, Entered: entered, Org: w.orgs[o].ID})
		w.ps[p].st.manages, w.ps[p].st.level = o, -1
		if f := w.famOf(o); f != nil {
			w.emit(p, Event{Kind: TitleChange, Effective: at, Entered: entered, Title: f.managerTitle(w.orgs[o].Level), JobFamily: f.id})
		}
	} else {
		w.vacant = append(w.vacant, o)
	}
	w.os[o].manager = ra.new
	for _, c := range ra.changes {
		wid := ""
		if c.manager >= 0 {
			wid = w.ps[c.manager].base.WID
		}
		w.emit(c.p, Event{Kind: ManagerChange, Effective: at, Entered: entered, ManagerWID: wid})
		w.ps[c.p].st.manager = c.manager
	}
	w.freeze(at, ra.touched)
}

// successor picks who takes over org o at instant at: a random employee
// among its members who has started, manages nothing and has nothing
// keyed for later; -1 when there is nobody.
func (w *Workforce) successor(o, leaving int32, at, entered time.Time) int32 {
	var cands []int32
	for _, p := range w.os[o].members {
		st := &w.ps[p].st
		if p != leaving && !st.contingent && st.manages < 0 && !st.start.After(entered) && !st.last.After(at) {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return -1
	}
	return cands[w.r.IntN(len(cands))]
}
