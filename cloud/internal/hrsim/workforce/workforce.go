package workforce

import (
	"iter"
	"math/rand/v2"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// Workforce is a generated workforce and its history. It is not safe for
// concurrent use; the records and events it hands out share memory with it
// and must be treated as read-only.
type Workforce struct {
	cfg   Config
	r     *rand.Rand
	ids   ids
	day   int // days advanced
	ceo   int32
	names map[uint64]int32 // legal full names in use, by names.Key

	companies []Company
	locs      []Location
	sites     []site
	countryT  weighted.Table // draws a country index into byCountry
	byCountry [][]int        // site indices per drawn country

	orgs    []Org
	os      []orgState
	orgByID map[string]int32

	ps      []persona
	byWID   map[string]int32
	userIDs map[string]bool // SF userIds with a suffix, handed out by conversions
	people  []person
	log     []Event

	live      []int32  // personas employed in the projection
	nCont     int      // contingent workers among them
	alumni    []int32  // terminated personas, the rehire pool
	vacant    []int32  // orgs that became vacant (some may be staffed again)
	due       []action // scheduled follow-ups, a heap by (day, seq)
	dueSeq    int
	csep      float64 // contingent separations per weekday, moving average
	csepToday int
}

// site is what generation needs to know about a location.
type site struct {
	zone     *time.Location
	country  *country
	area     string
	company  int
	cultures []*names.Drawer
	cultureT weighted.Table
}

// orgState is an organisation as the simulation sees it: the projection of
// everything keyed so far.
type orgState struct {
	parent   int32 // -1 at the top
	children []int32
	members  []int32 // employed personas in the org, its manager included
	manager  int32   // -1 when vacant
	family   int     // index into families; -1 for the executive office
	site     int     // primary site
	// frozen is the latest effective instant of any event that touched the
	// org. An event may touch the org only at or after it, so each org's
	// changes take effect in the order they were keyed and a decision made
	// from the projection holds at its effective instant.
	frozen time.Time
}

// persona is one Worker record over time: the record as created and the
// events applied to it since.
type persona struct {
	base    *Worker   // as hired (or, for alumni, as terminated)
	hireAt  time.Time // when base's hire takes effect
	entered time.Time // when base was keyed
	events  []int32   // indices into the log, by (Effective, Seq)
	st      pstate
}

// pstate is the projection of a persona: everything keyed so far applied,
// as of the end of time.
type pstate struct {
	employed    bool // active or pre-hire
	contingent  bool
	rehiring    bool // picked for a rehire already
	eligible    bool // may be rehired
	level       int8 // ladder step, or -1 for a manager title
	family      int8 // -1 for the executive office
	org, loc    int32
	manages     int32 // -1 when not a manager
	manager     int32 // -1 for the top
	person      int32
	livePos     int32 // index in Workforce.live, -1 when not employed
	start       time.Time
	last        time.Time // latest effective instant of the persona's events
	lastDay     Date      // last day of work, when terminated
	contractEnd Date
}

// person ties the personas of one human together.
type person struct {
	employed int32 // persona employed now, or -1
}

// Config returns (a copy of) the configuration with defaults filled in.
func (w *Workforce) Config() Config { return w.cfg.withDefaults() }

// Now returns the simulated clock: Start plus the days advanced.
func (w *Workforce) Now() time.Time { return w.cfg.Start.Add(time.Duration(w.day) * 24 * time.Hour) }

// Companies returns the legal entities.
func (w *Workforce) Companies() []Company { return w.companies }

// Locations returns the business sites.
func (w *Workforce) Locations() []Location { return w.locs }

// Orgs returns the supervisory organisations, parents before children.
func (w *Workforce) Orgs() []Org { return w.orgs }

// Events returns every event generated so far, in entry order. Events
// before Start are not in the log: the initial workers' hires are implied
// by their records.
func (w *Workforce) Events() []Event { return w.log }

// Len returns the number of personas known so far, terminated and
// rescinded ones included.
func (w *Workforce) Len() int { return len(w.ps) }

// Record returns the record of the persona with the given WID as of the
// effective instant at, as HR knew it at the instant known: events keyed
// after known are ignored, and so is a persona whose hire was keyed after
// it. Record(wid, Now(), Now()) is the current record; Record(wid,
// hireDate, Now()) is Workday's future-dated hire lookup.
func (w *Workforce) Record(wid string, at, known time.Time) (Worker, bool) {
	i, ok := w.byWID[wid]
	if !ok {
		return Worker{}, false
	}
	return w.record(i, at, known)
}

// Records yields every persona known at known, as of at, in the order the
// personas were created.
func (w *Workforce) Records(at, known time.Time) iter.Seq[Worker] {
	return func(yield func(Worker) bool) {
		for i := range w.ps {
			if r, ok := w.record(int32(i), at, known); ok && !yield(r) {
				return
			}
		}
	}
}

func (w *Workforce) record(i int32, at, known time.Time) (Worker, bool) {
	p := &w.ps[i]
	if p.entered.After(known) {
		return Worker{}, false
	}
	r := *p.base
	switch {
	case at.Before(p.hireAt):
		r.Status = PreHire
	case !r.TerminationAt.IsZero() && at.Before(r.TerminationAt):
		r.Status = Active // an alumnus before leaving
		r.LastDayOfWork, r.TerminationAt, r.TerminationReason, r.EligibleForRehire = Date{}, time.Time{}, "", false
	}
	for _, ei := range p.events {
		e := &w.log[ei]
		if e.Entered.After(known) || e.Effective.After(at) {
			continue
		}
		e.apply(&r)
	}
	return r, true
}
