package sfsim

import (
	"strconv"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// static is what does not change as the workforce advances: the
// organisation, the sites and the legal entities.
type static struct {
	orgs      map[string]workforce.Org
	division  map[string]workforce.Org // org ID -> its ancestor just below the top
	locs      map[string]workforce.Location
	companies map[string]workforce.Company
	iso3      map[string]string // ISO 3166-1 alpha-2 -> alpha-3
	zones     map[string]*time.Location
}

func newStatic(wf *workforce.Workforce) static {
	st := static{
		orgs:      map[string]workforce.Org{},
		division:  map[string]workforce.Org{},
		locs:      map[string]workforce.Location{},
		companies: map[string]workforce.Company{},
		iso3:      map[string]string{},
		zones:     map[string]*time.Location{},
	}
	for _, o := range wf.Orgs() { // parents before children
		st.orgs[o.ID] = o
		switch {
		case o.Level <= 1:
			st.division[o.ID] = o
		default:
			st.division[o.ID] = st.division[o.Parent]
		}
	}
	for _, l := range wf.Locations() {
		st.locs[l.ID] = l
		st.iso3[l.Country] = l.CountryISO3
		if z, err := time.LoadLocation(l.TimeZone); err == nil {
			st.zones[l.TimeZone] = z
		}
	}
	for _, c := range wf.Companies() {
		st.companies[c.ID] = c
	}
	return st
}

func (st *static) zone(name string) *time.Location {
	if z, ok := st.zones[name]; ok {
		return z
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		z = time.UTC
	}
	st.zones[name] = z
	return z
}

// person is one PerPerson: the personas (EmpEmployments) of one human.
type person struct {
	pid, uuid string
	num       string // personId, SF's internal numeric ID
	wids      []string
}

// idx indexes the workforce by person; refresh keeps it current as the
// workforce advances (personas and events are only ever appended).
type idx struct {
	persons  []*person
	byPID    map[string]int32
	byUUID   map[string]int32
	ofWID    map[string]int32
	events   map[string][]int32 // WID -> indices into Workforce.Events, in entry order
	nPersona int
	nEvents  int
}

var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func (x *idx) refresh(wf *workforce.Workforce) {
	if x.byPID == nil {
		x.byPID, x.byUUID, x.ofWID, x.events = map[string]int32{}, map[string]int32{}, map[string]int32{}, map[string][]int32{}
	}
	if wf.Len() != x.nPersona {
		i := 0
		for r := range wf.Records(farFuture, farFuture) {
			i++
			if i <= x.nPersona {
				continue
			}
			pi, ok := x.byPID[r.PersonIDExternal]
			if !ok {
				pi = int32(len(x.persons))
				x.persons = append(x.persons, &person{
					pid: r.PersonIDExternal, uuid: r.PersonUUID, num: strconv.Itoa(5000 + int(pi)),
				})
				x.byPID[r.PersonIDExternal], x.byUUID[r.PersonUUID] = pi, pi
			}
			x.persons[pi].wids = append(x.persons[pi].wids, r.WID)
			x.ofWID[r.WID] = pi
		}
		x.nPersona = i
	}
	evs := wf.Events()
	for i := x.nEvents; i < len(evs); i++ {
		x.events[evs[i].WID] = append(x.events[evs[i].WID], int32(i))
	}
	x.nEvents = len(evs)
}
