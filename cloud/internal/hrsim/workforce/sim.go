package workforce

import (
	"container/heap"
	"slices"
	"time"
)

// Advance simulates the given number of days from Now and returns the
// events keyed during them, in entry order (a view of Events; treat it as
// read-only). HR keys transactions on weekdays only. days <= 0 does
// nothing. Advancing in several calls yields exactly the events of one
// call over the same days.
func (w *Workforce) Advance(days int) []Event {
	from := len(w.log)
	for range max(days, 0) {
		w.step()
	}
	return w.log[from:len(w.log):len(w.log)]
}

// txKind is a kind of transaction the simulation keys.
type txKind uint8

const (
	txHire txKind = iota
	txContractHire
	txTerminate
	txTitle
	txTransfer
	txLocation
	txName
	txRotate
	txFill
	txToEmployee
	txToContingent
	txRescind        // scheduled: rescind a future hire
	txContractReview // scheduled: extend or end a contract
)

type txn struct {
	kind txKind
	p    int32 // the persona, for scheduled transactions
}

// action is a transaction scheduled for a day (counted from Start).
type action struct {
	day, seq int
	txn
}

type actions []action

func (a actions) Len() int { return len(a) }
func (a actions) Less(i, j int) bool {
	return a[i].day < a[j].day || (a[i].day == a[j].day && a[i].seq < a[j].seq)
}
func (a actions) Swap(i, j int) { a[i], a[j] = a[j], a[i] }
func (a *actions) Push(x any)   { *a = append(*a, x.(action)) }
func (a *actions) Pop() any {
	old := *a
	x := old[len(old)-1]
	*a = old[:len(old)-1]
	return x
}

// schedule plans t for day (at the earliest tomorrow).
func (w *Workforce) schedule(day int, t txn) {
	w.dueSeq++
	h := (*actions)(&w.due)
	heap.Push(h, action{day: max(day, w.day), seq: w.dueSeq, txn: t})
}

// dayOf returns the simulation day on which d starts in zone.
func (w *Workforce) dayOf(d Date, zone *time.Location) int {
	return int(d.Time(zone).Sub(w.cfg.Start) / (24 * time.Hour))
}

// step simulates one day: the scheduled transactions that are due and a
// Poisson-distributed number of each kind, in random order, keyed at
// random sorted instants of the day.
func (w *Workforce) step() {
	day := w.day
	from := w.Now()
	w.day++
	if w.weekend(day) {
		return
	}
	var plan []txn
	for len(w.due) > 0 && w.due[0].day <= day {
		plan = append(plan, heap.Pop((*actions)(&w.due)).(action).txn)
	}
	plan = w.drawTransactions(from, plan)
	w.r.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	at := make([]int64, len(plan))
	for i := range at {
		at[i] = w.r.Int64N(int64(24 * time.Hour / time.Second))
	}
	slices.Sort(at)
	w.csepToday = 0
	for i, t := range plan {
		w.run(t, from.Add(time.Duration(at[i])*time.Second))
	}
	w.csep = 0.95*w.csep + 0.05*float64(w.csepToday)
}

// weekend reports whether simulation day d starts on a Saturday or Sunday
// in UTC.
func (w *Workforce) weekend(d int) bool {
	wd := w.cfg.Start.Add(time.Duration(d) * 24 * time.Hour).UTC().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// perWeekday turns a monthly rate into one per weekday (261 a year).
const perWeekday = 12.0 / 261

// drawTransactions appends the day's unscheduled transactions. Rates are
// Config.Rates; hires and terminations get hr-data-shapes.md §2.1's
// seasonality (January ×1.25, September ×1.10). Contract hires replace
// the contingent workers who leave and close a twentieth of the gap to
// Shape.ContingentShare each day, so the share holds.
func (w *Workforce) drawTransactions(from time.Time, plan []txn) []txn {
	rt := w.cfg.Rates
	emp, cont := float64(len(w.live)-w.nCont), float64(w.nCont)
	all := emp + cont
	season := 1.0
	switch from.UTC().Month() {
	case time.January:
		season = 1.25
	case time.September:
		season = 1.10
	}
	share := w.cfg.Shape.ContingentShare
	target := 0.0
	if share < 1 {
		target = share / (1 - share) * emp
	}
	for _, k := range []struct {
		kind   txKind
		lambda float64
	}{
		{txHire, emp * rt.Hire * perWeekday * season},
		{txContractHire, max(0, w.csep+(target-cont)/20)},
		{txTerminate, emp * rt.Termination * perWeekday * season},
		{txTitle, all * rt.TitleChange * perWeekday},
		{txTransfer, all * rt.Transfer * perWeekday},
		{txLocation, all * rt.LocationChange * perWeekday},
		{txName, all * rt.NameChange * perWeekday},
		{txRotate, float64(len(w.orgs)) * rt.ManagerChange * perWeekday},
		{txFill, float64(len(w.vacant)) / 10}, // a vacancy lasts about two weeks
		{txToEmployee, cont * rt.ToEmployee * perWeekday},
		{txToContingent, emp * rt.ToContingent * perWeekday},
	} {
		for range poisson(w.r, k.lambda) {
			plan = append(plan, txn{kind: k.kind})
		}
	}
	return plan
}

// run carries out one transaction keyed at entered. A discretionary
// transaction tries up to five candidates and is dropped when none can be
// keyed consistently.
func (w *Workforce) run(t txn, entered time.Time) {
	try := func(f func(time.Time) bool) {
		for range 5 {
			if f(entered) {
				return
			}
		}
	}
	switch t.kind {
	case txHire:
		w.hire(entered, false)
	case txContractHire:
		w.hire(entered, true)
	case txTerminate:
		try(w.resign)
	case txTitle:
		try(w.changeTitle)
	case txTransfer:
		try(w.transfer)
	case txLocation:
		try(w.relocate)
	case txName:
		try(w.changeName)
	case txRotate:
		try(w.rotate)
	case txFill:
		w.fillVacancy(entered)
	case txToEmployee:
		try(func(e time.Time) bool { return w.convert(e, true) })
	case txToContingent:
		try(func(e time.Time) bool { return w.convert(e, false) })
	case txRescind:
		w.rescind(t.p, entered)
	case txContractReview:
		w.reviewContract(t.p, entered)
	}
}

// emit appends e, about persona p, to the log. An event that creates the
// persona becomes its base record; any other is filed with the persona's
// events by effective instant.
func (w *Workforce) emit(p int32, e Event) {
	ps := &w.ps[p]
	e.Seq = len(w.log) + 1
	e.WID, e.WorkerID = ps.base.WID, ps.base.WorkerID
	i := int32(len(w.log))
	w.log = append(w.log, e)
	if e.Effective.After(ps.st.last) {
		ps.st.last = e.Effective
	}
	switch e.Kind {
	case Hire, RehireNewID, Conversion:
		return
	}
	k, _ := slices.BinarySearchFunc(ps.events, e.Effective, func(j int32, t time.Time) int {
		if w.log[j].Effective.After(t) {
			return 1
		}
		return -1 // equal instants keep entry order
	})
	ps.events = slices.Insert(ps.events, k, i)
}

// addLive marks persona p employed in the projection.
func (w *Workforce) addLive(p int32) {
	st := &w.ps[p].st
	st.employed, st.livePos = true, int32(len(w.live))
	w.live = append(w.live, p)
	if st.contingent {
		w.nCont++
	}
	w.people[st.person].employed = p
}

// removeLive marks persona p no longer employed and takes it out of its org.
func (w *Workforce) removeLive(p int32) {
	st := &w.ps[p].st
	last := w.live[len(w.live)-1]
	w.live[st.livePos] = last
	w.ps[last].st.livePos = st.livePos
	w.live = w.live[:len(w.live)-1]
	if st.contingent {
		w.nCont--
	}
	st.employed, st.livePos = false, -1
	if w.people[st.person].employed == p {
		w.people[st.person].employed = -1
	}
	m := w.os[st.org].members
	if i := slices.Index(m, p); i >= 0 {
		w.os[st.org].members = slices.Delete(m, i, i+1)
	}
}

// settled reports whether persona p may get a discretionary change keyed
// at entered: employed, started, not the top of the house.
func (w *Workforce) settled(p int32, entered time.Time) bool {
	st := &w.ps[p].st
	return st.employed && p != w.ceo && !st.start.After(entered)
}

// pick draws up to 20 employed personas and returns the first that ok
// accepts, or -1.
func (w *Workforce) pick(ok func(int32) bool) int32 {
	for range 20 {
		if len(w.live) == 0 {
			return -1
		}
		if p := w.live[w.r.IntN(len(w.live))]; ok(p) {
			return p
		}
	}
	return -1
}

// zone returns the time zone persona p works in (in the projection).
func (w *Workforce) zone(p int32) *time.Location { return w.sites[w.ps[p].st.loc].zone }
