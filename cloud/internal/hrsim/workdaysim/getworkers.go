package workdaysim

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/wws"
)

// The xsd:sequence orders of the Get_Workers request (v26.1 to v31.2).
var (
	orderRequest    = []string{"Request_References", "Request_Criteria", "Response_Filter", "Response_Group"}
	orderReferences = []string{"Worker_Reference"}
	orderCriteria   = []string{"Transaction_Log_Criteria_Data", "Organization_Reference", "Country_Reference",
		"Include_Subordinate_Organizations", "Position_Reference", "Event_Reference", "Benefit_Plan_Reference",
		"Field_And_Parameter_Criteria_Data", "National_ID_Criteria_Data", "Exclude_Inactive_Workers",
		"Exclude_Employees", "Exclude_Contingent_Workers", "Eligibility_Criteria_Data", "Universal_ID_Reference"}
	orderLogCriteria = []string{"Transaction_Date_Range_Data", "Transaction_Type_References", "Subscriber_Reference"}
	orderDateRange   = []string{"Updated_From", "Updated_Through", "Effective_From", "Effective_Through"}
	orderFilter      = []string{"As_Of_Effective_Date", "As_Of_Entry_DateTime", "Page", "Count"}
	// orderGroup is the Response_Group sequence.
	orderGroup = wws.ResponseGroupOrder
	// supportedCriteria are the Request_Criteria children the emulator evaluates.
	supportedCriteria = map[string]bool{"Transaction_Log_Criteria_Data": true, "Organization_Reference": true,
		"Include_Subordinate_Organizations": true, "Exclude_Inactive_Workers": true, "Exclude_Employees": true,
		"Exclude_Contingent_Workers": true}
)

// query is a parsed Get_Workers request.
type query struct {
	refs        []idRef
	skipMissing bool
	criteria    []logCriteria
	orgs        []string
	subOrgs     bool
	exInactive  bool
	exEmployees bool
	exCont      bool
	at, known   time.Time
	page, count int
	group       map[string]bool // Response_Group flags set true
	groupSent   []string        // the flags as sent, for the echo
	grouped     bool            // a Response_Group was sent
}

type idRef struct{ typ, value string }

// logCriteria is one Transaction_Log_Criteria_Data; a zero bound is open.
type logCriteria struct {
	updFrom, updThrough, effFrom, effThrough time.Time
	updated, effective                       bool
	types                                    map[string]bool
}

func (c logCriteria) dated() bool { return c.updated || c.effective }

func (c logCriteria) matches(x *txn) bool {
	if c.types != nil && !c.types[x.typ] {
		return false
	}
	if c.updated && (x.entered.Before(c.updFrom) || x.entered.After(c.updThrough)) {
		return false
	}
	if c.effective && (x.effective.Before(c.effFrom) || x.effective.After(c.effThrough)) {
		return false
	}
	return true
}

// key identifies the query's result set: everything but paging and the
// response group.
func (q *query) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v|%v|%d|%d|%v|%v|%v|%v|%v|", q.refs, q.skipMissing, q.at.UnixNano(), q.known.UnixNano(),
		q.orgs, q.subOrgs, q.exInactive, q.exEmployees, q.exCont)
	for _, c := range q.criteria {
		types := make([]string, 0, len(c.types))
		for t := range c.types {
			types = append(types, t)
		}
		sort.Strings(types)
		fmt.Fprintf(&b, "[%v %v %d %d %d %d %v]", c.updated, c.effective, c.updFrom.UnixNano(), c.updThrough.UnixNano(),
			c.effFrom.UnixNano(), c.effThrough.UnixNano(), types)
	}
	return b.String()
}

// parseGetWorkers reads a Get_Workers_Request; now fills the As_Of defaults.
func (s *Server) parseGetWorkers(op *node, now time.Time) (*query, error) {
	const root = "/Get_Workers_Request"
	q := &query{at: now, known: now, page: 1, count: 100}
	kids, err := sequence(op, root, orderRequest...)
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		p := root + "/" + k.Data
		switch k.Data {
		case "Request_References":
			err = q.parseReferences(k, p)
		case "Request_Criteria":
			err = q.parseCriteria(k, p, s.tz, now)
		case "Response_Filter":
			err = q.parseFilter(k, p, s.tz, now)
		case "Response_Group":
			err = q.parseGroup(k, p)
		}
		if err != nil {
			return nil, err
		}
	}
	if !q.grouped {
		q.group = map[string]bool{"Include_Reference": true, "Include_Personal_Information": true,
			"Include_Employment_Information": true, "Include_Compensation": true, "Include_Organizations": true,
			"Include_Roles": true}
	}
	return q, nil
}

func (q *query) parseReferences(n *node, path string) error {
	switch v := attr(n, "Skip_Non_Existing_Instances"); v {
	case "", "0", "false":
	case "1", "true":
		q.skipMissing = true
	default:
		return validation("Invalid request", fmt.Sprintf("%q is not a boolean.", v), path+"/@Skip_Non_Existing_Instances")
	}
	refs, err := sequence(n, path, orderReferences...)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return validation("Invalid request", "Request_References needs at least one Worker_Reference.", path)
	}
	for i, r := range refs {
		ids := elements(r)
		if len(ids) == 0 {
			return validation("Invalid request", "A Worker_Reference needs an ID.", fmt.Sprintf("%s/Worker_Reference[%d]", path, i+1))
		}
		for j, id := range ids {
			p := fmt.Sprintf("%s/Worker_Reference[%d]/ID[%d]", path, i+1, j+1)
			if id.Data != "ID" || id.NamespaceURI != nsWD {
				return validation("Invalid request", fmt.Sprintf("The element %s is not expected in Worker_Reference.", id.Data), p)
			}
			typ := attr(id, "type")
			switch typ {
			case "WID", "Employee_ID", "Contingent_Worker_ID":
			default:
				return validation("Invalid request", fmt.Sprintf("%q is not a valid ID type for a Worker.", typ), p+"/@type")
			}
			q.refs = append(q.refs, idRef{typ, text(id)})
		}
	}
	return nil
}

func (q *query) parseCriteria(n *node, path string, tz *time.Location, now time.Time) error {
	kids, err := sequence(n, path, orderCriteria...)
	if err != nil {
		return err
	}
	for _, k := range kids {
		p := path + "/" + k.Data
		if !supportedCriteria[k.Data] {
			return validation("Invalid request", fmt.Sprintf("The emulator does not support %s.", k.Data), p)
		}
		switch k.Data {
		case "Transaction_Log_Criteria_Data":
			c, err := parseLogCriteria(k, p, tz, now)
			if err != nil {
				return err
			}
			q.criteria = append(q.criteria, c)
		case "Organization_Reference":
			id := child(k, nsWD, "ID")
			if id == nil || attr(id, "type") != "Organization_Reference_ID" {
				return validation("Invalid request", "Organization_Reference needs an ID of type Organization_Reference_ID.", p)
			}
			q.orgs = append(q.orgs, text(id))
		case "Include_Subordinate_Organizations":
			q.subOrgs, err = boolean(k, p)
		case "Exclude_Inactive_Workers":
			q.exInactive, err = boolean(k, p)
		case "Exclude_Employees":
			q.exEmployees, err = boolean(k, p)
		case "Exclude_Contingent_Workers":
			q.exCont, err = boolean(k, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parseLogCriteria(n *node, path string, tz *time.Location, now time.Time) (logCriteria, error) {
	var c logCriteria
	kids, err := sequence(n, path, orderLogCriteria...)
	if err != nil {
		return c, err
	}
	for _, k := range kids {
		p := path + "/" + k.Data
		switch k.Data {
		case "Transaction_Date_Range_Data":
			if err := c.parseRange(k, p, tz, now); err != nil {
				return c, err
			}
		case "Transaction_Type_References":
			refs, err := sequence(k, p, "Transaction_Type_Reference")
			if err != nil {
				return c, err
			}
			c.types = map[string]bool{}
			for i, r := range refs {
				rp := fmt.Sprintf("%s/Transaction_Type_Reference[%d]/ID", p, i+1)
				id := child(r, nsWD, "ID")
				if id == nil || attr(id, "type") != "Business_Process_Type" {
					return c, validation("Invalid request", "A Transaction_Type_Reference needs an ID of type Business_Process_Type.", rp)
				}
				if !bpTypes[text(id)] {
					return c, invalidID(text(id), "Business_Process_Type", rp)
				}
				c.types[text(id)] = true
			}
		case "Subscriber_Reference":
			return c, validation("Invalid request", "The emulator does not support Subscriber_Reference.", p)
		}
	}
	return c, nil
}

func (c *logCriteria) parseRange(n *node, path string, tz *time.Location, now time.Time) error {
	kids, err := sequence(n, path, orderDateRange...)
	if err != nil {
		return err
	}
	set := map[string]time.Time{}
	for _, k := range kids {
		t, err := instant(k, path+"/"+k.Data, tz)
		if err != nil {
			return err
		}
		set[k.Data] = t
	}
	bound := func(from, through string, on *bool, f, t *time.Time) error {
		a, okA := set[from]
		b, okB := set[through]
		if !okA && !okB {
			return nil
		}
		*on = true
		if !okA {
			return validation("Invalid request", from+" is required with "+through+".", path+"/"+from)
		}
		if !okB {
			b = now
		}
		if b.Before(a) {
			return validation("Invalid request", through+" must not be before "+from+".", path+"/"+through)
		}
		*f, *t = a, b
		return nil
	}
	if err := bound("Updated_From", "Updated_Through", &c.updated, &c.updFrom, &c.updThrough); err != nil {
		return err
	}
	if err := bound("Effective_From", "Effective_Through", &c.effective, &c.effFrom, &c.effThrough); err != nil {
		return err
	}
	if !c.dated() {
		return validation("Invalid request", "Transaction_Date_Range_Data needs Updated_From or Effective_From.", path)
	}
	return nil
}

func (q *query) parseFilter(n *node, path string, tz *time.Location, now time.Time) error {
	kids, err := sequence(n, path, orderFilter...)
	if err != nil {
		return err
	}
	for _, k := range kids {
		p := path + "/" + k.Data
		switch k.Data {
		case "As_Of_Effective_Date":
			q.at, err = instant(k, p, tz)
		case "As_Of_Entry_DateTime":
			q.known, err = instant(k, p, tz)
		case "Page", "Count":
			v, perr := strconv.ParseFloat(text(k), 64)
			switch {
			case perr != nil || v != float64(int(v)):
				err = validation("Invalid request", fmt.Sprintf("%q is not a whole number.", text(k)), p)
			case k.Data == "Page" && v < 1:
				err = validation("Invalid request", "Page cannot be zero or negative.", p)
			case k.Data == "Count" && (v < 1 || v > 999):
				err = validation("Invalid request", "Count must be between 1 and 999.", p)
			case k.Data == "Page":
				q.page = int(v)
			default:
				q.count = int(v)
			}
		}
		if err != nil {
			return err
		}
	}
	if q.known.After(now) {
		q.known = now // nothing is known from the future
	}
	return nil
}

func (q *query) parseGroup(n *node, path string) error {
	kids, err := sequence(n, path, orderGroup...)
	if err != nil {
		return err
	}
	q.grouped, q.group = true, map[string]bool{}
	for _, k := range kids {
		on, err := boolean(k, path+"/"+k.Data)
		if err != nil {
			return err
		}
		if on {
			q.group[k.Data] = true
		}
		q.groupSent = append(q.groupSent, k.Data, strconv.FormatBool(on))
	}
	return nil
}

// result is a query's full result set, kept so the pages of one query come
// from one evaluation.
type result struct {
	key    string
	gen    uint64
	recs   []workforce.Worker
	chains map[string][]link // management chains by manager WID
}

// resultFor returns the cached result of q or evaluates it. The caller
// holds mu.
func (s *Server) resultFor(q *query) (*result, error) {
	key := q.key()
	for _, r := range s.cache {
		if r.key == key && r.gen == s.gen {
			return r, nil
		}
	}
	recs, err := s.evaluate(q)
	if err != nil {
		return nil, err
	}
	r := &result{key: key, gen: s.gen, recs: recs, chains: map[string][]link{}}
	s.cache = append(s.cache, r)
	if len(s.cache) > 4 {
		s.cache = s.cache[1:]
	}
	return r, nil
}

// evaluate finds the workers q asks for, as of q.at as known at q.known,
// in a stable order: the order of the references, else creation order.
func (s *Server) evaluate(q *query) ([]workforce.Worker, error) {
	if len(q.refs) > 0 {
		return s.byReference(q)
	}
	orgs := s.orgSet(q)
	keep := func(r *workforce.Worker) bool {
		switch {
		case q.exInactive && (r.Status == workforce.Terminated || r.Status == workforce.Rescinded),
			q.exEmployees && r.Type == workforce.Employee,
			q.exCont && r.Type == workforce.Contingent,
			orgs != nil && !orgs[r.SupOrg]:
			return false
		}
		return true
	}
	var out []workforce.Worker
	allDated := len(q.criteria) > 0
	for _, c := range q.criteria {
		allDated = allDated && c.dated()
	}
	if allDated { // windows: only the workers with a transaction in them
		wids := s.windowed(q)
		for _, wid := range wids {
			r, ok := s.wf.Record(wid, q.at, q.known)
			if ok && keep(&r) {
				s.apply(&r, q.at, q.known)
				out = append(out, r)
			}
		}
		return out, nil
	}
	for r := range s.wf.Records(q.at, q.known) {
		if !keep(&r) || (len(q.criteria) > 0 && !s.anyTxn(&r, q)) {
			continue
		}
		s.apply(&r, q.at, q.known)
		out = append(out, r)
	}
	return out, nil
}

// anyTxn reports whether one of r's transactions meets one of q's criteria.
func (s *Server) anyTxn(r *workforce.Worker, q *query) bool {
	hire := bpType(workforce.Hire, s.ptype[r.WID])
	for _, c := range q.criteria {
		if !c.dated() && c.types[hire] { // every persona was hired or contracted
			return true
		}
	}
	for _, x := range s.txns(r, q.known) {
		for _, c := range q.criteria {
			if c.matches(&x) {
				return true
			}
		}
	}
	return false
}

// windowed returns, in creation order, the WIDs with a logged transaction
// or a write-back meeting one of q's dated criteria.
func (s *Server) windowed(q *query) []string {
	seen := map[string]bool{}
	log := s.wf.Events()
	for _, c := range q.criteria {
		lo, hi := 0, len(log)
		if c.updated { // the log is in entry order
			lo = sort.Search(len(log), func(i int) bool { return !log[i].Entered.Before(c.updFrom) })
			hi = sort.Search(len(log), func(i int) bool { return log[i].Entered.After(c.updThrough) })
		}
		for i := lo; i < hi; i++ {
			e := &log[i]
			if seen[e.WID] || e.Entered.After(q.known) {
				continue
			}
			x := s.eventTxn(e, s.ptype[e.WID], "")
			if c.matches(&x) {
				seen[e.WID] = true
			}
		}
		for _, ch := range s.changes {
			if x := ch.txn(); !seen[ch.wid] && !ch.entered.After(q.known) && ch.field != "username" && c.matches(&x) {
				seen[ch.wid] = true
			}
		}
	}
	wids := make([]string, 0, len(seen))
	for w := range seen {
		wids = append(wids, w)
	}
	slices.SortFunc(wids, func(a, b string) int { return s.order[a] - s.order[b] })
	return wids
}

// orgSet returns the supervisory organisations q is limited to, or nil.
func (s *Server) orgSet(q *query) map[string]bool {
	if len(q.orgs) == 0 {
		return nil
	}
	set := map[string]bool{}
	var add func(string)
	add = func(id string) {
		if set[id] {
			return
		}
		set[id] = true
		if q.subOrgs {
			for _, k := range s.kids[id] {
				add(k)
			}
		}
	}
	for _, o := range q.orgs {
		add(o)
	}
	return set
}

func (s *Server) byReference(q *query) ([]workforce.Worker, error) {
	var out []workforce.Worker
	seen := map[string]bool{}
	for i, ref := range q.refs {
		wid := s.resolve(ref, q.known)
		var r workforce.Worker
		ok := wid != ""
		if ok {
			r, ok = s.wf.Record(wid, q.at, q.known)
		}
		if !ok {
			if q.skipMissing {
				continue
			}
			return nil, invalidID(ref.value, ref.typ, fmt.Sprintf("/Get_Workers_Request/Request_References/Worker_Reference[%d]/ID", i+1))
		}
		if seen[wid] {
			continue
		}
		seen[wid] = true
		s.apply(&r, q.at, q.known)
		out = append(out, r)
	}
	return out, nil
}

// resolve finds the WID a worker reference names, or "". A Worker_ID two
// personas share (a conversion that kept it) names the one of the ID's
// type; of several, the latest known at known.
func (s *Server) resolve(ref idRef, known time.Time) string {
	if ref.typ == "WID" {
		if _, ok := s.order[ref.value]; ok {
			return ref.value
		}
		return ""
	}
	want := workforce.Employee
	if ref.typ == "Contingent_Worker_ID" {
		want = workforce.Contingent
	}
	wids := s.byWorkerID[ref.value]
	for i := len(wids) - 1; i >= 0; i-- {
		if s.ptype[wids[i]] != want {
			continue
		}
		if _, ok := s.wf.Record(wids[i], known, known); ok {
			return wids[i]
		}
	}
	return ""
}

// getWorkers answers a Get_Workers_Request.
func (s *Server) getWorkers(op *node, v version) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index()
	q, err := s.parseGetWorkers(op, s.now())
	if err != nil {
		return nil, err
	}
	res, err := s.resultFor(q)
	if err != nil {
		return nil, err
	}
	total := len(res.recs)
	pages := (total + q.count - 1) / q.count
	lo := min((q.page-1)*q.count, total)
	hi := min(lo+q.count, total)
	s.log.Debug("get_workers", "version", v.String(), "page", q.page, "count", q.count, "total", total)
	return soapOK(1024+(hi-lo)*8192, func(b *bytes.Buffer) {
		w := xw{b}
		b.WriteString(`<wd:Get_Workers_Response xmlns:wd="` + nsWD + `" wd:version="` + v.String() + `">`)
		w.open("Response_Filter")
		w.leaf("As_Of_Effective_Date", s.date(workforce.DateOf(q.at.In(s.tz))))
		w.leaf("As_Of_Entry_DateTime", s.dateTime(q.known))
		w.leaf("Page", strconv.Itoa(q.page))
		w.leaf("Count", strconv.Itoa(q.count))
		w.close("Response_Filter")
		if q.grouped {
			w.open("Response_Group")
			for i := 0; i+1 < len(q.groupSent); i += 2 {
				w.boolean(q.groupSent[i], q.groupSent[i+1] == "true")
			}
			w.close("Response_Group")
		}
		w.open("Response_Results")
		w.leaf("Total_Results", strconv.Itoa(total))
		w.leaf("Total_Pages", strconv.Itoa(pages))
		w.leaf("Page_Results", strconv.Itoa(hi-lo))
		w.leaf("Page", strconv.Itoa(q.page))
		w.close("Response_Results")
		w.open("Response_Data")
		for i := lo; i < hi; i++ {
			s.writeWorker(w, &res.recs[i], q, v, res)
		}
		w.close("Response_Data")
		b.WriteString(`</wd:Get_Workers_Response>`)
	}), nil
}

// date writes an xsd:date the way Workday does: with the tenant zone's
// offset on that day, e.g. 2025-03-17-07:00.
func (s *Server) date(d workforce.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time(s.tz).Format("2006-01-02-07:00")
}

// dateTime writes an xsd:dateTime in the tenant's zone with milliseconds.
func (s *Server) dateTime(t time.Time) string {
	return t.In(s.tz).Format("2006-01-02T15:04:05.000-07:00")
}
