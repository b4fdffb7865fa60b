package sfsim

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// Picklist option IDs of this tenant. Real tenants number their options
// differently; only the external codes are standard (SAP note 2505526).
var (
	emplStatusIDs = map[string]string{
		"A": "741", "U": "742", "P": "743", "S": "744", "F": "745", "T": "746", "D": "747", "R": "748", "O": "749",
	}
	emplStatusLabels = map[string]string{"A": "Active", "T": "Terminated"}
)

const (
	emailBusiness = "8448"
	emailPersonal = "8449"
	phoneBusiness = "10605"
	phoneCell     = "10606"
)

var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) // /Date(253402214400000)/

// view is one request's look at the workforce: as known at now, as of
// asOf (or now when hasAsOf is false).
type view struct {
	s       *Server
	now     time.Time
	asOf    workforce.Date
	hasAsOf bool
	states  map[string]*pstate
	fo      map[string]*entity
}

func (s *Server) view(now time.Time, asOf workforce.Date, hasAsOf bool) *view {
	return &view{s: s, now: now, asOf: asOf, hasAsOf: hasAsOf, states: map[string]*pstate{}, fo: map[string]*entity{}}
}

// pstate is one persona (EmpEmployment + User) in a view.
type pstate struct {
	wid       string
	p         *person
	keyed     time.Time
	zone      *time.Location
	at        time.Time // the effective instant the view reads this persona as of
	base      workforce.Worker
	cur, fin  workforce.Worker // as of at, and as finally known
	events    []*workforce.Event
	successor bool
	emp, user *entity
}

// persona returns the persona with wid as the view sees it, or nil when it
// was not yet keyed.
func (v *view) persona(wid string) *pstate {
	if st, ok := v.states[wid]; ok {
		return st
	}
	s := v.s
	wf := s.cfg.Workforce
	var st *pstate
	if keyed, ok := wf.Keyed(wid); ok && !keyed.After(v.now) {
		st = &pstate{wid: wid, p: s.persons[s.ofWID[wid]], keyed: keyed}
		st.fin, _ = wf.Record(wid, farFuture, v.now)
		st.base, _ = wf.Record(wid, time.Time{}, v.now)
		now, _ := wf.Record(wid, v.now, v.now)
		st.zone = s.zone(now.TimeZone)
		st.at = v.now
		if v.hasAsOf {
			st.at = v.asOf.Time(st.zone)
		}
		st.cur, _ = wf.Record(wid, st.at, v.now)
		evs := wf.Events()
		for _, i := range s.events[wid] {
			if e := &evs[i]; !e.Entered.After(v.now) {
				st.events = append(st.events, e)
			}
		}
	}
	v.states[wid] = st
	return st
}

// mainOf returns the person's latest known persona, whose record carries
// the person-level data (names, e-mail, phones).
func (v *view) mainOf(p *person) *pstate {
	var main *pstate
	for _, wid := range p.wids {
		if st := v.persona(wid); st != nil {
			main = st
		}
	}
	return main
}

// root builds the PerPerson for p, or nil when none of its personas is
// known yet.
func (v *view) root(p *person) *entity {
	var ps []*pstate
	for _, wid := range p.wids {
		if st := v.persona(wid); st != nil {
			ps = append(ps, st)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	for _, st := range ps {
		for _, o := range ps {
			if o.fin.PreviousWID == st.wid {
				st.successor = true
			}
		}
	}
	main := ps[len(ps)-1]
	e := newEntity("PerPerson", "PerPerson("+keyString(p.pid)+")").
		str("personIdExternal", p.pid).str("personId", p.num).str("perPersonUuid", p.uuid).
		when("createdDateTime", ps[0].keyed).when("lastModifiedDateTime", ps[0].keyed)
	e.link("personalInfoNav", func() []*entity { return one(v.personal(p, ps, main)) })
	e.link("emailNav", func() []*entity { return v.emailRows(p, main) })
	e.link("phoneNav", func() []*entity { return v.phones(p, main) })
	e.link("personEmpTerminationInfoNav", func() []*entity { return one(v.termination(p, ps)) })
	e.link("employmentNav", func() []*entity {
		out := make([]*entity, len(ps))
		for i, st := range ps {
			out[i] = v.employment(st)
		}
		// SuccessFactors does not promise ascending order; neither do we.
		slices.SortStableFunc(out, func(a, b *entity) int { return cmp.Compare(scramble(a.key), scramble(b.key)) })
		return out
	})
	return e
}

func scramble(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

// day is a date-only value as SuccessFactors stores it: midnight UTC.
func day(d workforce.Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.Time(time.UTC)
}

// localDay is the calendar date of instant t in zone, as a date-only value.
func localDay(t time.Time, zone *time.Location) time.Time {
	return day(workforce.DateOf(t.In(zone)))
}

func lastName(n workforce.Name) string {
	if n.SecondaryLast == "" {
		return n.Last
	}
	return n.Last + " " + n.SecondaryLast
}

func displayName(w *workforce.Worker) string {
	n := w.Name()
	return strings.TrimSpace(n.First + " " + lastName(n))
}

// slice is one time slice of an effective-dated entity.
type slice struct {
	start    time.Time // instant it takes effect
	modified time.Time // when it was keyed
	event    string
	reason   string
}

// current returns the slice effective at at, the start of the next one (or
// the zero time) and every slice's modification instant.
func current(sl []slice, at time.Time) (cur slice, next time.Time, mods []time.Time, ok bool) {
	slices.SortStableFunc(sl, func(a, b slice) int { return a.start.Compare(b.start) })
	for i, s := range sl {
		mods = append(mods, s.modified)
		if !s.start.After(at) {
			cur, ok, next = s, true, time.Time{}
			for _, n := range sl[i+1:] {
				if n.start.After(s.start) {
					next = n.start
					break
				}
			}
		}
	}
	return cur, next, mods, ok
}

func endDate(next time.Time, zone *time.Location) time.Time {
	if next.IsZero() {
		return endOfTime
	}
	return localDay(next, zone).AddDate(0, 0, -1)
}

// personal is the PerPersonal slice effective for the person: the first
// slice starts when the person was first keyed (or hired, if earlier);
// every legal name change starts another.
func (v *view) personal(p *person, ps []*pstate, main *pstate) *entity {
	first := ps[0]
	start := first.base.HireDate.Time(first.zone)
	if k := workforce.DateOf(first.keyed.In(first.zone)).Time(first.zone); k.Before(start) {
		start = k
	}
	sl := []slice{{start: start, modified: first.keyed}}
	for _, st := range ps {
		for _, e := range st.events {
			if e.Kind == workforce.NameChange {
				sl = append(sl, slice{start: e.Effective, modified: e.Entered})
			}
		}
	}
	cur, next, mods, ok := current(sl, main.at)
	if !ok {
		return nil
	}
	w := &main.cur
	sd := localDay(cur.start, main.zone)
	e := newEntity("PerPersonal", "PerPersonal(personIdExternal="+keyString(p.pid)+",startDate=datetime'"+sd.Format("2006-01-02T15:04:05")+"')").
		str("personIdExternal", p.pid).when("startDate", sd).when("endDate", endDate(next, main.zone)).
		str("firstName", w.Legal.First).str("lastName", lastName(w.Legal)).str("middleName", w.Legal.Middle).
		str("displayName", displayName(w)).str("formalName", w.Legal.Full()).str("gender", w.Gender).
		str("salutation", w.Legal.Prefix).str("firstNameAlt1", w.Legal.LocalFirst).str("lastNameAlt1", w.Legal.LocalLast).
		str("nativePreferredLang", v.s.locs[w.Location].Locale).when("lastModifiedDateTime", cur.modified)
	if w.Preferred != nil {
		e.str("preferredName", w.Preferred.First).str("businessFirstName", w.Preferred.First)
	}
	e.modified = mods
	return e
}

// emailRow is a PerEmail written through upsert.
type emailRow struct {
	address  string
	primary  bool
	modified time.Time
	deleted  bool
}

func (v *view) emailRows(p *person, main *pstate) []*entity {
	rows := map[string]emailRow{}
	if main.cur.Email != "" {
		rows[emailBusiness] = emailRow{address: main.cur.Email, primary: true, modified: main.keyed}
	}
	for typ, r := range v.s.emails[p.pid] {
		if !r.modified.After(v.now) {
			rows[typ] = r
		}
	}
	var out []*entity
	for _, typ := range slices.Sorted(mapKeys(rows)) {
		r := rows[typ]
		if r.deleted {
			continue
		}
		out = append(out, newEntity("PerEmail", "PerEmail(emailType="+keyString(typ)+",personIdExternal="+keyString(p.pid)+")").
			str("personIdExternal", p.pid).str("emailType", typ).str("emailAddress", r.address).
			boolean("isPrimary", r.primary).when("lastModifiedDateTime", r.modified))
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (v *view) phones(p *person, main *pstate) []*entity {
	var out []*entity
	add := func(typ string, ph *workforce.Phone, primary bool) {
		if ph == nil {
			return
		}
		out = append(out, newEntity("PerPhone", "PerPhone(personIdExternal="+keyString(p.pid)+",phoneType="+keyString(typ)+")").
			str("personIdExternal", p.pid).str("phoneType", typ).str("countryCode", ph.CountryCode).
			str("areaCode", ph.AreaCode).str("phoneNumber", ph.Number).str("extension", ph.Extension).
			boolean("isPrimary", primary).when("lastModifiedDateTime", main.keyed))
	}
	add(phoneBusiness, main.cur.Phone, true)
	add(phoneCell, main.cur.Mobile, main.cur.Phone == nil)
	return out
}

// termination is PersonEmpTerminationInfo. Like SuccessFactors it counts
// an employment as inactive from the start of its last day of work, which
// is why Microsoft warns that activeEmploymentsCount can disable an account
// a day early.
func (v *view) termination(p *person, ps []*pstate) *entity {
	count := int64(0)
	var latest workforce.Date
	for _, st := range ps {
		last := st.fin.LastDayOfWork
		if st.cur.Status == workforce.Active && (last.IsZero() || st.at.Before(last.Time(st.zone))) {
			count++
		}
		if st.fin.Status == workforce.Terminated && latest.Before(last) {
			latest = last
		}
	}
	return newEntity("PersonEmpTerminationInfo", "PersonEmpTerminationInfo("+keyString(p.pid)+")").
		str("personIdExternal", p.pid).num("activeEmploymentsCount", count).when("latestTerminationDate", day(latest))
}

func (v *view) employment(st *pstate) *entity {
	if st.emp != nil {
		return st.emp
	}
	f := &st.fin
	e := newEntity("EmpEmployment", "EmpEmployment(personIdExternal="+keyString(st.p.pid)+",userId="+keyString(f.UserID)+")").
		str("personIdExternal", st.p.pid).str("userId", f.UserID).
		when("startDate", day(f.HireDate)).when("firstDateWorked", day(f.HireDate)).
		when("originalStartDate", day(f.OriginalHireDate)).when("seniorityDate", day(f.OriginalHireDate)).
		boolean("isContingentWorker", f.Type == workforce.Contingent).str("assignmentClass", "ST")
	switch f.Status {
	case workforce.Terminated:
		e.when("endDate", day(f.LastDayOfWork)).when("lastDateWorked", day(f.LastDayOfWork)).
			boolean("okToRehire", f.EligibleForRehire).boolean("regretTermination", f.TerminationReason == workforce.Voluntary)
	case workforce.Rescinded:
		e.when("endDate", day(f.HireDate.AddDays(-1)))
	}
	if f.PreviousWID != "" {
		if prev := v.persona(f.PreviousWID); prev != nil {
			e.str("prevEmployeeId", prev.fin.UserID)
		}
	}
	mod := st.keyed
	for _, ev := range st.events {
		switch ev.Kind {
		case workforce.Rehire, workforce.Termination, workforce.RescindHire, workforce.ContractExtension:
			mod = later(mod, ev.Entered)
		}
	}
	e.when("lastModifiedDateTime", mod)
	e.link("jobInfoNav", func() []*entity { return one(v.job(st)) })
	e.link("userNav", func() []*entity {
		if st.successor {
			return nil // a rehire or conversion moved the user to the new employment
		}
		return one(v.userOf(st))
	})
	st.emp = e
	return e
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// jobSlices lists the persona's EmpJob slices: the hire, and every keyed
// job change, rehire and termination on its effective date.
func (v *view) jobSlices(st *pstate) []slice {
	sl := []slice{{start: st.base.HireDate.Time(v.s.zone(st.base.TimeZone)), modified: st.keyed, event: "H", reason: "HIRNEW"}}
	if st.base.PreviousWID != "" {
		sl[0].reason = "HIRCNV"
	}
	terminated := false
	for _, e := range st.events {
		s := slice{start: e.Effective, modified: e.Entered, event: "5"}
		switch e.Kind {
		case workforce.Rehire:
			s.event, s.reason = "R", "REHREH"
		case workforce.Termination:
			s.event, s.reason, terminated = "26", reasonCode(e.Reason), true
		case workforce.RescindHire:
			s.event, s.reason = "26", "TERNOSHOW"
		case workforce.TitleChange:
			s.reason = "DCTITLE"
		case workforce.Transfer:
			s.reason = "DCORG"
		case workforce.LocationChange:
			s.reason = "DCLOC"
		case workforce.ManagerChange:
			s.reason = "DCMGR"
		case workforce.ContractExtension:
			s.reason = "DCCONT"
		default:
			continue
		}
		sl = append(sl, s)
	}
	if !terminated && !st.fin.TerminationAt.IsZero() && st.fin.Status == workforce.Terminated {
		// An alumnus: terminated before the log begins.
		sl = append(sl, slice{start: st.fin.TerminationAt, modified: st.fin.TerminationAt, event: "26", reason: reasonCode(st.fin.TerminationReason)})
	}
	return sl
}

func (v *view) job(st *pstate) *entity {
	cur, next, mods, ok := current(v.jobSlices(st), st.at)
	if !ok {
		return nil // a pre-hire has no job information before its start date
	}
	w := &st.cur
	zone := v.s.zone(w.TimeZone)
	sd := localDay(cur.start, zone)
	code := "A"
	if w.Status == workforce.Terminated || w.Status == workforce.Rescinded {
		code = "T"
	}
	loc := v.s.locs[w.Location]
	org := v.s.orgs[w.SupOrg]
	div := v.s.division[w.SupOrg]
	manager := "NO_MANAGER"
	var mgr *pstate
	if w.ManagerWID != "" {
		if mgr = v.persona(w.ManagerWID); mgr != nil {
			manager = mgr.fin.UserID
		}
	}
	e := newEntity("EmpJob", "EmpJob(seqNumber=1L,startDate=datetime'"+sd.Format("2006-01-02T15:04:05")+"',userId="+keyString(w.UserID)+")").
		str("userId", w.UserID).when("startDate", sd).when("endDate", endDate(next, zone)).num("seqNumber", 1).
		str("company", w.Company).str("businessUnit", "BU-"+div.ID).str("division", div.ID).str("department", w.SupOrg).
		str("costCenter", org.CostCenter).str("location", w.Location).str("jobCode", w.JobFamily).str("jobTitle", w.Title).
		str("managerId", manager).str("emplStatus", emplStatusIDs[code]).str("event", cur.event).str("eventReason", cur.reason).
		str("countryOfCompany", v.s.iso3[v.s.companies[w.Company].Country]).str("standardHours", "40").str("fte", "1").
		boolean("isFulltimeEmployee", true).str("regularTemp", regularTemp(w)).str("timezone", w.TimeZone).
		str("workLocation", loc.Name).str("employeeClass", employeeClass(w)).when("lastModifiedDateTime", cur.modified)
	e.modified = mods
	e.link("emplStatusNav", func() []*entity {
		return one(v.picklist("emplStatus", emplStatusIDs[code], code, emplStatusLabels[code]))
	})
	e.link("departmentNav", func() []*entity {
		return one(v.foEntity("FODepartment", org.ID, org.Name, func(e *entity) { e.str("costCenter", org.CostCenter).str("parent", org.Parent) }))
	})
	e.link("divisionNav", func() []*entity { return one(v.foEntity("FODivision", div.ID, div.Name, nil)) })
	e.link("businessUnitNav", func() []*entity { return one(v.foEntity("FOBusinessUnit", "BU-"+div.ID, div.Name, nil)) })
	e.link("costCenterNav", func() []*entity {
		return one(v.foEntity("FOCostCenter", org.CostCenter, "Cost centre "+org.CostCenter, func(e *entity) { e.str("description", org.Name) }))
	})
	e.link("jobCodeNav", func() []*entity { return one(v.foEntity("FOJobCode", w.JobFamily, w.JobFamily, nil)) })
	e.link("companyNav", func() []*entity { return one(v.company(w.Company)) })
	e.link("locationNav", func() []*entity { return one(v.location(loc)) })
	e.link("eventReasonNav", func() []*entity {
		return one(v.foEntity("FOEventReason", cur.reason, cur.reason, func(e *entity) { e.str("event", cur.event) }))
	})
	e.link("managerUserNav", func() []*entity {
		if mgr == nil {
			return nil
		}
		return one(v.userOf(mgr))
	})
	return e
}

// reasonCode is the event reason of a termination, e.g. TERVOL.
func reasonCode(r workforce.Reason) string {
	code := strings.ToUpper(string(r))
	if len(code) > 3 {
		code = code[:3]
	}
	return "TER" + code
}

func regularTemp(w *workforce.Worker) string {
	if w.Type == workforce.Contingent {
		return "T"
	}
	return "R"
}

func employeeClass(w *workforce.Worker) string {
	if w.Type == workforce.Contingent {
		return "CONTINGENT"
	}
	return "EMPLOYEE"
}

func (v *view) picklist(list, id, code, label string) *entity {
	return v.cached("PicklistOption("+id+"L)", func() *entity {
		return newEntity("PicklistOption", "PicklistOption("+id+"L)").str("id", id).str("externalCode", code).str("localeLabel", label)
	})
}

func (v *view) cached(key string, build func() *entity) *entity {
	if e, ok := v.fo[key]; ok {
		return e
	}
	e := build()
	v.fo[key] = e
	return e
}

// foEntity is a foundation object keyed by external code and start date.
func (v *view) foEntity(typ, code, name string, more func(*entity)) *entity {
	if code == "" {
		return nil
	}
	key := typ + "(externalCode=" + keyString(code) + ",startDate=datetime'1900-01-01T00:00:00')"
	return v.cached(key, func() *entity {
		e := newEntity(typ, key).str("externalCode", code).str("name", name).str("name_localized", name).str("status", "A")
		if more != nil {
			more(e)
		}
		return e
	})
}

func (v *view) company(id string) *entity {
	c, ok := v.s.companies[id]
	if !ok {
		return nil
	}
	return v.foEntity("FOCompany", c.ID, c.Name, func(e *entity) {
		iso3 := v.s.iso3[c.Country]
		e.str("country", iso3)
		e.link("countryOfRegistrationNav", func() []*entity {
			return one(v.cached("Territory("+keyString(iso3)+")", func() *entity {
				return newEntity("Territory", "Territory("+keyString(iso3)+")").
					str("territoryCode", iso3).str("twoCharCountryCode", c.Country)
			}))
		})
	})
}

func (v *view) location(l workforce.Location) *entity {
	if l.ID == "" {
		return nil
	}
	return v.foEntity("FOLocation", l.ID, l.Name, func(e *entity) {
		e.str("timezone", l.TimeZone).str("customString4", l.Locale)
		e.link("addressNavDEFLT", func() []*entity {
			key := "FOCorporateAddressDEFLT(addressId=" + keyString("ADDR-"+l.ID) + ")"
			return one(v.cached(key, func() *entity {
				a := newEntity("FOCorporateAddressDEFLT", key).str("addressId", "ADDR-"+l.ID).
					str("address1", l.AddressLine).str("city", l.Municipality).str("state", l.Region).
					str("zipCode", l.PostalCode).str("country", l.CountryISO3)
				a.link("stateNav", func() []*entity {
					if l.Region == "" {
						return nil
					}
					return one(v.picklist("state", "ST-"+l.Region, l.Region, l.Region))
				})
				return a
			}))
		})
	})
}

// userOf is the persona's User. Before the start date SuccessFactors
// returns only minimal data for a pre-hire: no user name, contact or job
// fields.
func (v *view) userOf(st *pstate) *entity {
	if st.user != nil {
		return st.user
	}
	w := &st.cur
	status := "t"
	if w.Status == workforce.Terminated || w.Status == workforce.Rescinded {
		status = "f"
	}
	e := newEntity("User", "User("+keyString(w.UserID)+")").
		str("userId", w.UserID).str("status", status).str("firstName", w.Legal.First).str("lastName", lastName(w.Legal)).
		when("hireDate", day(w.HireDate))
	mod := st.keyed
	if start := st.base.HireDate.Time(st.zone); !st.at.Before(start) {
		mod = later(mod, start) // the user is activated on the start date
	}
	for _, ev := range st.events {
		if !ev.Effective.After(st.at) {
			mod = later(mod, later(ev.Entered, ev.Effective))
		}
	}
	if mod.After(v.now) {
		mod = v.now
	}
	e.when("lastModifiedDateTime", mod)
	if w.Status != workforce.PreHire {
		loc := v.s.locs[w.Location]
		e.str("username", w.UserName).str("email", w.Email).str("empId", w.WorkerID).
			str("department", w.SupOrg).str("division", v.s.division[w.SupOrg].ID).str("location", w.Location).
			str("jobCode", w.JobFamily).str("jobTitle", w.Title).str("jobFamily", w.JobFamily).
			str("city", loc.Municipality).str("state", loc.Region).str("country", loc.CountryName).
			str("zipCode", loc.PostalCode).str("addressLine1", loc.AddressLine).
			str("timeZone", w.TimeZone).str("defaultLocale", loc.Locale)
		if r := []rune(w.Legal.Middle); len(r) > 0 {
			e.str("mi", string(r[:1]))
		}
		if w.Preferred != nil {
			e.str("nickname", w.Preferred.First)
		}
		if w.Phone != nil {
			e.str("businessPhone", w.Phone.Formatted)
		}
		if w.Mobile != nil {
			e.str("cellPhone", w.Mobile.Formatted)
		}
	}
	e.link("empInfo", func() []*entity { return one(v.employment(st)) })
	e.link("manager", func() []*entity {
		if w.ManagerWID == "" {
			return nil
		}
		if m := v.persona(w.ManagerWID); m != nil {
			return one(v.userOf(m))
		}
		return nil
	})
	st.user = e
	return e
}
