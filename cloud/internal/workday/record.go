package workday

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// child returns n's first element child named local in the Workday
// namespace, or nil. The connector reads its own fields (anchor, status,
// site, transaction log) by walking the tree: faster than XPath, and safe
// to share, where a compiled antchfx expression keeps state while it runs.
func child(n *xmlquery.Node, local string) *xmlquery.Node {
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode && c.Data == local && c.NamespaceURI == nsWD {
			return c
		}
	}
	return nil
}

// walk follows a path of Workday element names from n.
func walk(n *xmlquery.Node, path ...string) *xmlquery.Node {
	for _, p := range path {
		n = child(n, p)
	}
	return n
}

// attrWD returns n's attribute local in the Workday namespace.
func attrWD(n *xmlquery.Node, local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Name.Local == local && a.NamespaceURI == nsWD {
			return a.Value
		}
	}
	return ""
}

// idOf returns the ID of the given wd:type in a reference element.
func idOf(ref *xmlquery.Node, typ string) string {
	if ref == nil {
		return ""
	}
	for c := ref.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode && c.Data == "ID" && c.NamespaceURI == nsWD && attrWD(c, "type") == typ {
			return text(c)
		}
	}
	return ""
}

func text(n *xmlquery.Node) string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.InnerText())
}

// position returns the primary job's Position_Data in either shape: under
// Worker_Job_Data[@wd:Primary_Job=1] (v26.1 on) or flat (v21.1).
func position(worker *xmlquery.Node) *xmlquery.Node {
	emp := walk(worker, "Worker_Data", "Employment_Data")
	if emp == nil {
		return nil
	}
	if p := child(emp, "Position_Data"); p != nil {
		return p
	}
	for c := emp.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode && c.Data == "Worker_Job_Data" && c.NamespaceURI == nsWD && truthy(attrWD(c, "Primary_Job")) {
			return child(c, "Position_Data")
		}
	}
	return nil
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
	var body *xmlquery.Node
	env := doc.FirstChild
	for env != nil && env.Type != xmlquery.ElementNode {
		env = env.NextSibling // an XML declaration, a comment
	}
	if env != nil && env.Data == "Envelope" && env.NamespaceURI == nsSOAP {
		for c := env.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xmlquery.ElementNode && c.Data == "Body" && c.NamespaceURI == nsSOAP {
				body = c
			}
		}
	}
	resp := child(body, "Get_Workers_Response")
	if resp == nil {
		return nil, errors.New("no Get_Workers_Response in the SOAP Body")
	}
	var p page
	results := child(resp, "Response_Results")
	for _, f := range []struct {
		dst *int
		el  string
	}{{&p.total, "Total_Results"}, {&p.last, "Total_Pages"}, {&p.number, "Page"}} {
		s := text(child(results, f.el))
		var err error
		if *f.dst, err = strconv.Atoi(s); err != nil {
			return nil, fmt.Errorf("Response_Results/%s is %q, not a number", f.el, s)
		}
	}
	data := child(resp, "Response_Data")
	if data == nil {
		return &p, nil
	}
	for w := data.FirstChild; w != nil; {
		next := w.NextSibling
		if w.Type == xmlquery.ElementNode && w.Data == "Worker" && w.NamespaceURI == nsWD {
			iso := &xmlquery.Node{Type: xmlquery.DocumentNode}
			w.Parent, w.PrevSibling, w.NextSibling = iso, nil, nil
			iso.FirstChild, iso.LastChild = w, w
			p.workers = append(p.workers, iso)
		}
		w = next
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
	log        *xmlquery.Node // Transaction_Log_Entry_Data
}

func (c *Connector) readWorker(doc *xmlquery.Node) (*worker, error) {
	root := doc.FirstChild
	ref := child(root, "Worker_Reference")
	w := &worker{doc: doc, wid: idOf(ref, "WID")}
	if w.wid == "" {
		return nil, errors.New("a Worker has no Worker_Reference WID (is Include_Reference off?)")
	}
	w.workerID = text(walk(root, "Worker_Data", "Worker_ID"))
	w.contingent = idOf(ref, "Contingent_Worker_ID") != ""
	status := walk(root, "Worker_Data", "Employment_Data", "Worker_Status_Data")
	w.active = truthy(text(child(status, "Active")))
	w.terminated = truthy(text(child(status, "Terminated")))
	w.rescinded = truthy(text(child(status, "Hire_Rescinded")))
	w.hireDate = datePart(text(child(status, "Hire_Date")))
	w.lastDay = datePart(text(child(status, "Termination_Last_Day_of_Work")))
	site := child(position(root), "Business_Site_Summary_Data")
	country := walk(site, "Address_Data", "Country_Reference")
	w.iso3 = idOf(country, "ISO_3166-1_Alpha-3_Code")
	w.zone = c.s.defaultZone
	for _, k := range []string{idOf(child(site, "Location_Reference"), "Location_ID"), idOf(country, "ISO_3166-1_Alpha-2_Code"), w.iso3} {
		if z, ok := c.s.zones[k]; ok && k != "" {
			w.zone = z
			break
		}
	}
	w.log = walk(root, "Worker_Data", "Transaction_Log_Entry_Data")
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
	for e := child(w.log, "Transaction_Log_Entry"); e != nil; e = e.NextSibling {
		data := child(e, "Transaction_Log_Data")
		if data == nil || truthy(text(child(data, "Is_Rescind_Or_Rescinded"))) {
			continue
		}
		d := datePart(text(child(data, "Transaction_Effective_Moment")))
		if d == "" {
			continue
		}
		days := 0
		if terminationTypes[idOf(child(data, "Transaction_Log_Type_Reference"), "Business_Process_Type")] {
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
	attrs := <-c.evals
	defer func() { c.evals <- attrs }()
	return c.recordWith(attrs, w, now)
}

// recordWith is record with a set of compiled attributes the caller owns.
func (c *Connector) recordWith(attrs []compiled, w *worker, now time.Time) source.Record {
	vals := make(map[string]expr.Value, len(attrs))
	for i := range attrs {
		a := &attrs[i]
		if v, ok := a.value(w.doc); ok {
			vals[a.Name] = v
		}
	}
	return source.Record{Anchor: w.wid, Attributes: vals, Wake: w.wake(now)}
}
