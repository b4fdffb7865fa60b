package workforce

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// pcgStream is the second PCG parameter; the seed is the first.
const pcgStream = 0x6872_7379_6e63 // "hrsync"

// Generate builds the workforce as it stands at cfg.Start. The same Config
// always yields the same workforce.
func Generate(cfg Config) (*Workforce, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("workforce config: %w", err)
	}
	cfg = cfg.withDefaults()
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), pcgStream))
	w := &Workforce{cfg: cfg, r: r, names: make(map[uint64]int32, cfg.Workers), byWID: make(map[string]int32, cfg.Workers), userIDs: map[string]bool{}}
	w.ids = newIDs(r)
	if err := w.buildPlaces(); err != nil {
		return nil, fmt.Errorf("workforce: %w", err)
	}
	nodes := w.planTree(cfg.Workers)
	w.buildOrgs(nodes)
	alumni := int(cfg.Shape.AlumniShare*float64(cfg.Workers) + 0.5)
	recs := make([]Worker, 0, cfg.Workers+alumni) // one allocation for every initial record
	w.ps = make([]persona, 0, cfg.Workers+alumni)
	w.populate(nodes, &recs)
	w.addAlumni(alumni, &recs)
	w.plantNames()
	w.finish()
	return w, nil
}

// populate creates the workers of every organisation: its manager, then
// its members. Exactly round(ContingentShare × Workers) members are
// contingent.
func (w *Workforce) populate(nodes []node, recs *[]Worker) {
	type slot struct {
		org     int32
		manager bool
	}
	slots := make([]slot, 0, w.cfg.Workers)
	var memberSlots []int
	for i, nd := range nodes {
		if !nd.vacant {
			slots = append(slots, slot{int32(i), true})
		}
		for range nd.members {
			memberSlots = append(memberSlots, len(slots))
			slots = append(slots, slot{int32(i), false})
		}
	}
	contingent := make([]bool, len(slots))
	k := int(w.cfg.Shape.ContingentShare*float64(w.cfg.Workers) + 0.5)
	for _, j := range w.sample(len(memberSlots), k) {
		contingent[memberSlots[j]] = true
	}
	for i, s := range slots {
		nd := &nodes[s.org]
		st := nd.site
		if !s.manager && !weighted.Chance(w.r, 0.9) {
			st = w.drawSite()
		}
		p := w.newPersona(recs, s.org, st, contingent[i])
		rec := w.ps[p].base
		f := w.famOf(s.org)
		switch {
		case s.manager && nd.level == 0:
			rec.Title = ceoTitle
		case s.manager:
			rec.Title = f.managerTitle(nd.level)
		case nd.level == 0:
			rec.Title = officeTitles[w.r.IntN(len(officeTitles))]
		default:
			w.drawTitle(p, rec)
		}
		if s.manager {
			w.ps[p].st.level, w.ps[p].st.manages = -1, s.org
			w.os[s.org].manager = p
			rec.Manages = w.orgs[s.org].ID
		}
		w.initialDates(p, s.manager, nd.level)
	}
}

// famOf returns the family of org o, or nil for the executive office.
func (w *Workforce) famOf(o int32) *family {
	if f := w.os[o].family; f >= 0 {
		return &families[f]
	}
	return nil
}

// addPersona files rec, a record already named, as a new persona of
// person who (or of a new person when who is -1) in org o at site st.
func (w *Workforce) addPersona(rec *Worker, o int32, st int, contingent bool, who int32) int32 {
	s := &w.sites[st]
	rec.WID = w.ids.wid(w.r)
	rec.Type = Employee
	if contingent {
		rec.Type = Contingent
	}
	rec.Company, rec.SupOrg, rec.Location, rec.TimeZone = w.companies[s.company].ID, w.orgs[o].ID, w.locs[st].ID, w.locs[st].TimeZone
	rec.JobFamily = "EXEC"
	if f := w.famOf(o); f != nil {
		rec.JobFamily = f.id
	}
	if who < 0 {
		who = int32(len(w.people))
		w.people = append(w.people, person{employed: -1})
		rec.PersonUUID = w.ids.uuid(w.r)
	}
	i := int32(len(w.ps))
	w.byWID[rec.WID] = i
	w.ps = append(w.ps, persona{base: rec, st: pstate{
		contingent: contingent, org: o, loc: int32(st), manages: -1, manager: -1, person: who,
		livePos: -1, family: int8(w.os[o].family),
	}})
	return i
}

// drawPerson names rec as a new person drawn from a culture of site st.
func (w *Workforce) drawPerson(rec *Worker, st int) {
	s := &w.sites[st]
	d := s.cultures[s.cultureT.Pick(w.r)]
	g := "F"
	switch x := w.r.Float64(); {
	case x < 0.01:
		g = "U"
	case x < 0.505:
		g = "M"
	}
	rec.Legal, rec.Gender, rec.Culture = w.uniqueName(d, g), g, d.Code()
}

// newPersona appends an initial record for a new person at site st in org
// o and returns its index.
func (w *Workforce) newPersona(recs *[]Worker, o int32, st int, contingent bool) int32 {
	*recs = append(*recs, Worker{Status: Active})
	rec := &(*recs)[len(*recs)-1]
	w.drawPerson(rec, st)
	return w.addPersona(rec, o, st, contingent, -1)
}

// drawTitle gives persona p, whose record is rec, an individual
// contributor's title in its org's family: contractors get contractor
// titles, employees a step of the ladder (more juniors than seniors).
func (w *Workforce) drawTitle(p int32, rec *Worker) {
	ps := &w.ps[p]
	f := w.famOf(ps.st.org)
	switch {
	case f == nil:
		rec.Title = officeTitles[w.r.IntN(len(officeTitles))]
	case ps.st.contingent:
		rec.Title = f.contingent[w.r.IntN(len(f.contingent))]
	default:
		ps.st.level = int8(ladderT.Pick(w.r))
		rec.Title = f.ladder[ps.st.level]
	}
}

var ladderT = weighted.NewTable([]float64{0.2, 0.35, 0.25, 0.12, 0.08})

// uniqueName draws a legal name nobody else has. First and last names
// collide as often as real ones do (hr-data-shapes.md §1.3); a colliding
// full name is drawn again, then told apart the way people are, by a
// middle name, then by a second surname, and at last by middle initials,
// which always ends.
func (w *Workforce) uniqueName(d *names.Drawer, g string) Name {
	var n Name
	for range 10 {
		n = d.Draw(w.r, g)
		if w.claim(&n) {
			return n
		}
	}
	if n.First != "" && d.HasMiddleNames() {
		for range 12 {
			m := n
			m.Middle = d.Middle(w.r, g == "F")
			if m.Middle != m.First && w.claim(&m) {
				return m
			}
		}
	}
	for range 8 {
		m := n
		if s := d.Surname(w.r, g); s != m.Last {
			m.Last += "-" + s
		}
		if w.claim(&m) {
			return m
		}
	}
	for i := 0; ; i++ {
		m := n
		m.Middle = initials(i)
		if w.claim(&m) {
			return m
		}
	}
}

// claim registers n's full name if it is free.
func (w *Workforce) claim(n *Name) bool {
	k := names.Key(n)
	if w.names[k] > 0 {
		return false
	}
	w.names[k]++
	return true
}

// initials returns "A.", "B.", … "Z.", "AA.", …
func initials(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s + "."
}

// initialDates sets the hire (and contract end) dates of a worker employed
// at Start. Tenure is exponential with a six-year mean, which matches the
// default 13-18 % annual turnover (hr-data-shapes.md §2.1); managers have
// been around longer; contractors joined within the last 18 months.
func (w *Workforce) initialDates(p int32, manager bool, level int) {
	ps := &w.ps[p]
	zone := w.sites[ps.st.loc].zone
	today := DateOf(w.cfg.Start.In(zone))
	var tenure int
	switch {
	case manager && level == 0:
		tenure = 12 * 365
	case ps.st.contingent:
		tenure = between(w.r, 14, 540)
	default:
		tenure = int(w.r.ExpFloat64() * 6 * 365)
		if manager {
			tenure += between(w.r, 180, 3*365)
		}
	}
	hire := startDate(w.r, today.AddDays(-min(tenure, 30*365)))
	for !hire.Before(today) {
		hire = weekday(hire.AddDays(-7))
	}
	w.setHired(p, hire, zone)
	if ps.st.contingent {
		ps.st.contractEnd = today.AddDays(between(w.r, 14, 365))
		if weighted.Chance(w.r, 0.5) {
			ps.st.contractEnd = monthEnd(ps.st.contractEnd)
		}
		ps.base.ContractEndDate = ps.st.contractEnd
	} else if weighted.Chance(w.r, 0.03) {
		ps.base.Rehire = true
		ps.base.OriginalHireDate = hire.AddDays(-between(w.r, 365, 8*365))
	}
}

// setHired sets the hire date of persona p and when it was keyed.
func (w *Workforce) setHired(p int32, hire Date, zone *time.Location) {
	ps := &w.ps[p]
	ps.base.HireDate, ps.base.OriginalHireDate = hire, hire
	ps.hireAt = hire.Time(zone)
	ps.st.start, ps.st.last = ps.hireAt, ps.hireAt
	ps.entered = hire.AddDays(-max(0, hireLead(w.r))).Time(zone).Add(time.Duration(between(w.r, 8*60, 17*60)) * time.Minute)
}

// addAlumni adds former workers who left within three years before Start,
// in organisations drawn by size. Their org and manager are as of Start.
func (w *Workforce) addAlumni(n int, recs *[]Worker) {
	active := len(w.ps)
	for range n {
		o := w.ps[1+w.r.IntN(max(1, active-1))%active].st.org
		st := w.os[o].site
		if !weighted.Chance(w.r, 0.85) {
			st = w.drawSite()
		}
		p := w.newPersona(recs, o, st, weighted.Chance(w.r, 0.3))
		ps := &w.ps[p]
		w.drawTitle(p, ps.base)
		zone := w.sites[st].zone
		last := DateOf(w.cfg.Start.In(zone)).AddDays(-between(w.r, 1, 3*365))
		tenure := between(w.r, 60, 400)
		reason := ContractEnd
		if !ps.st.contingent {
			tenure = 30 + int(w.r.ExpFloat64()*3*365)
			reason = terminationReason(w.r)
		}
		w.setHired(p, weekday(last.AddDays(-tenure)), zone)
		rec := ps.base
		rec.Status = Terminated
		rec.LastDayOfWork, rec.TerminationAt, rec.TerminationReason = last, last.AddDays(1).Time(zone), reason
		rec.EligibleForRehire = reason != Involuntary
		if ps.st.contingent {
			rec.ContractEndDate = last
		}
		ps.st.lastDay, ps.st.eligible = last, rec.EligibleForRehire
		ps.st.last = rec.TerminationAt
	}
}

// terminationReason draws from hr-data-shapes.md §2.1's mix: ~60 %
// voluntary, ~30 % involuntary, ~10 % other.
func terminationReason(r *rand.Rand) Reason {
	switch x := r.Float64(); {
	case x < 0.6:
		return Voluntary
	case x < 0.9:
		return Involuntary
	}
	return Other
}

// finish derives what depends on every record being there: Worker_IDs in
// hire order, preferred names, contact data, managers, and the simulation's
// projection.
func (w *Workforce) finish() {
	order := make([]int64, len(w.ps)) // hire date, then index
	for i := range order {
		order[i] = int64(w.ps[i].base.HireDate.n)<<32 | int64(i)
	}
	slices.Sort(order)
	for _, k := range order {
		rec := w.ps[int32(k)].base
		rec.WorkerID = w.ids.workerID(rec.Type)
		rec.PersonIDExternal, rec.UserID = rec.WorkerID, rec.WorkerID
	}
	k := int(math.Round(w.cfg.Shape.PreferredNameShare * float64(len(w.ps))))
	for _, i := range w.sample(len(w.ps), len(w.ps)) {
		if k > 0 && w.setPreferred(int32(i)) {
			k--
		}
	}
	for i := range w.ps {
		p := int32(i)
		ps := &w.ps[p]
		w.contact(p)
		if ps.base.Status == Active {
			w.os[ps.st.org].members = append(w.os[ps.st.org].members, p)
		}
	}
	for i := range w.ps {
		p := int32(i)
		ps := &w.ps[p]
		if m := w.resolve(ps.st.org, p, nil); m >= 0 {
			ps.base.ManagerWID = w.ps[m].base.WID
			ps.st.manager = m
		}
		if ps.base.Status == Active {
			ps.st.employed = true
			w.people[ps.st.person].employed = p
			w.addLive(p)
			if ps.st.contingent {
				w.scheduleContractReview(p)
			}
		} else {
			w.alumni = append(w.alumni, p)
		}
	}
}
