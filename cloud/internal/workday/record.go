package workday

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// The connector's own XPaths: what it reads besides the configured
// attributes. Job data is found in either shape (v21.1 flat, v26.1+
// wrapped), so they do not depend on the version.
const (
	pathWorker   = "wd:Worker"
	pathPosition = "(wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=1]/wd:Position_Data" +
		" | wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Position_Data)[1]"
	pathStatus = "wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Status_Data"
	pathSite   = pathPosition + "/wd:Business_Site_Summary_Data"
)

var internal = struct {
	wid, workerID, contingentID, active, hireDate, lastDay, rescinded, terminated *xpath.Expr
	location, country2, country3                                                  *xpath.Expr
	logEntries, logMoment, logType, logRescind                                    *xpath.Expr
	responseWorkers, total, pages, page                                           *xpath.Expr
}{
	wid:             mustXPath("wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='WID']"),
	workerID:        mustXPath("wd:Worker/wd:Worker_Data/wd:Worker_ID"),
	contingentID:    mustXPath("wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='Contingent_Worker_ID']"),
	active:          mustXPath(pathStatus + "/wd:Active"),
	hireDate:        mustXPath(pathStatus + "/wd:Hire_Date"),
	lastDay:         mustXPath(pathStatus + "/wd:Termination_Last_Day_of_Work"),
	rescinded:       mustXPath(pathStatus + "/wd:Hire_Rescinded"),
	terminated:      mustXPath(pathStatus + "/wd:Terminated"),
	location:        mustXPath(pathSite + "/wd:Location_Reference/wd:ID[@wd:type='Location_ID']"),
	country2:        mustXPath(pathSite + "/wd:Address_Data/wd:Country_Reference/wd:ID[@wd:type='ISO_3166-1_Alpha-2_Code']"),
	country3:        mustXPath(pathSite + "/wd:Address_Data/wd:Country_Reference/wd:ID[@wd:type='ISO_3166-1_Alpha-3_Code']"),
	logEntries:      mustXPath("wd:Worker/wd:Worker_Data/wd:Transaction_Log_Entry_Data/wd:Transaction_Log_Entry/wd:Transaction_Log_Data"),
	logMoment:       mustXPath("wd:Transaction_Effective_Moment"),
	logType:         mustXPath("wd:Transaction_Log_Type_Reference/wd:ID[@wd:type='Business_Process_Type']"),
	logRescind:      mustXPath("wd:Is_Rescind_Or_Rescinded"),
	responseWorkers: mustXPath("/*[local-name()='Envelope']/*[local-name()='Body']/wd:Get_Workers_Response/wd:Response_Data/wd:Worker"),
	total:           mustXPath("/*[local-name()='Envelope']/*[local-name()='Body']/wd:Get_Workers_Response/wd:Response_Results/wd:Total_Results"),
	pages:           mustXPath("/*[local-name()='Envelope']/*[local-name()='Body']/wd:Get_Workers_Response/wd:Response_Results/wd:Total_Pages"),
	page:            mustXPath("/*[local-name()='Envelope']/*[local-name()='Body']/wd:Get_Workers_Response/wd:Response_Results/wd:Page"),
}

func mustXPath(p string) *xpath.Expr {
	e, err := xpath.CompileWithNS(p, namespaces)
	if err != nil {
		panic(fmt.Sprintf("workday: internal XPath %q: %v", p, err))
	}
	return e
}

// first returns the string value of the first node e selects, or "".
func first(e *xpath.Expr, n *xmlquery.Node) string {
	it := e.Select(xmlquery.CreateXPathNavigator(n))
	if it.MoveNext() {
		return strings.TrimSpace(it.Current().Value())
	}
	return ""
}

// page is one parsed Get_Workers response.
type page struct {
	workers     []*xmlquery.Node // each a document holding one wd:Worker
	total, last int              // Total_Results, Total_Pages
	number      int              // Page
}

// parsePage reads a Get_Workers response. Each Worker is moved into a
// document of its own, so the XPaths (which start at wd:Worker) see one
// worker at a time.
func parsePage(doc *xmlquery.Node) (*page, error) {
	var p page
	var err error
	for _, f := range []struct {
		e   *xpath.Expr
		dst *int
		el  string
	}{{internal.total, &p.total, "Total_Results"}, {internal.pages, &p.last, "Total_Pages"}, {internal.page, &p.number, "Page"}} {
		s := first(f.e, doc)
		if *f.dst, err = strconv.Atoi(s); err != nil {
			return nil, fmt.Errorf("Response_Results/%s is %q, not a number", f.el, s)
		}
	}
	workers := xmlquery.QuerySelectorAll(doc, internal.responseWorkers)
	for _, w := range workers { // detach only after the query is done
		iso := &xmlquery.Node{Type: xmlquery.DocumentNode}
		w.Parent, w.PrevSibling, w.NextSibling = iso, nil, nil
		iso.FirstChild, iso.LastChild = w, w
		p.workers = append(p.workers, iso)
	}
	return &p, nil
}

// worker is what the connector reads of a Worker for itself.
type worker struct {
	doc        *xmlquery.Node
	wid        string
	workerID   string
	contingent bool
	active     bool
	terminated bool
	rescinded  bool
	hireDate   string // yyyy-mm-dd, or ""
	lastDay    string
	zone       *time.Location
	iso3       string
}

func (c *Connector) readWorker(doc *xmlquery.Node) (*worker, error) {
	w := &worker{doc: doc, wid: first(internal.wid, doc)}
	if w.wid == "" {
		return nil, errors.New("a Worker has no Worker_Reference WID (is Include_Reference off?)")
	}
	w.workerID = first(internal.workerID, doc)
	w.contingent = first(internal.contingentID, doc) != ""
	w.active = truthy(first(internal.active, doc))
	w.terminated = truthy(first(internal.terminated, doc))
	w.rescinded = truthy(first(internal.rescinded, doc))
	w.hireDate = datePart(first(internal.hireDate, doc))
	w.lastDay = datePart(first(internal.lastDay, doc))
	w.iso3 = first(internal.country3, doc)
	w.zone = c.s.defaultZone
	for _, k := range []string{first(internal.location, doc), first(internal.country2, doc), w.iso3} {
		if z, ok := c.s.zones[k]; ok && k != "" {
			w.zone = z
			break
		}
	}
	return w, nil
}

func truthy(s string) bool { return s == "1" || s == "true" }

// datePart returns the yyyy-mm-dd of an xsd:date or dateTime, or "".
func datePart(s string) string {
	if len(s) < 10 {
		return ""
	}
	if _, err := time.Parse("2006-01-02", s[:10]); err != nil {
		return ""
	}
	return s[:10]
}

// midnight returns the start of the date d (yyyy-mm-dd) in zone, plus days.
func midnight(d string, zone *time.Location, days int) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day()+days, 0, 0, 0, 0, zone), true
}

// hireAt is the instant a future-dated hire starts: midnight at the start
// of the hire date in the worker's zone.
func (w *worker) hireAt() (time.Time, bool) {
	if w.hireDate == "" {
		return time.Time{}, false
	}
	return midnight(w.hireDate, w.zone, 0)
}

// preHire reports whether the worker is hired in the future: not active,
// not terminated, the hire not rescinded, its hire instant after now.
func (w *worker) preHire(now time.Time) (time.Time, bool) {
	at, ok := w.hireAt()
	return at, ok && !w.active && !w.terminated && !w.rescinded && at.After(now)
}

// terminationTypes are the business processes that end employment; their
// effective date is the last day, so they take effect at the end of it.
var terminationTypes = map[string]bool{"Terminate Employee": true, "End Contingent Worker Contract": true}

// wake lists the future instants at which the worker's record changes:
// a future hire date (midnight at its start in the worker's zone), a future
// last day of work (midnight after it), and every transaction in the log
// that takes effect later and is not rescinded, at midnight of its
// effective date in the worker's zone (after it, for terminations).
func (w *worker) wake(now time.Time) []time.Time {
	var out []time.Time
	add := func(t time.Time, ok bool) {
		if ok && t.After(now) && !slices.ContainsFunc(out, t.Equal) {
			out = append(out, t)
		}
	}
	if !w.rescinded {
		add(w.hireAt())
	}
	if w.lastDay != "" {
		add(midnight(w.lastDay, w.zone, 1))
	}
	for _, e := range xmlquery.QuerySelectorAll(w.doc, internal.logEntries) {
		if truthy(first(internal.logRescind, e)) {
			continue
		}
		d := datePart(first(internal.logMoment, e))
		if d == "" {
			continue
		}
		days := 0
		if terminationTypes[first(internal.logType, e)] {
			days = 1
		}
		add(midnight(d, w.zone, days))
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// record builds the source record of a worker: every configured attribute
// evaluated, the WID as anchor, the Wake instants.
func (c *Connector) record(w *worker, now time.Time) source.Record {
	attrs := make(map[string]expr.Value, len(c.s.attrs))
	c.evalMu.Lock()
	for i := range c.s.attrs {
		a := &c.s.attrs[i]
		if v, ok := a.value(w.doc); ok {
			attrs[a.Name] = v
		}
	}
	c.evalMu.Unlock()
	return source.Record{Anchor: w.wid, Attributes: attrs, Wake: w.wake(now)}
}
