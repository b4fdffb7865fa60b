package sfsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// maxPageSize is SuccessFactors' hard limit of rows per page.
const maxPageSize = 1000

// maxSnapshots bounds the snapshot key lists kept for paging=snapshot.
const maxSnapshots = 32

// query is a parsed PerPerson request.
type query struct {
	filter   filter
	expand   expansion
	sel      selection
	asOf     workforce.Date
	hasAsOf  bool
	pageSize int
	snapshot bool
	top      int // -1: none
	skip     int
	count    bool // $inlinecount=allpages
	tok      skiptoken
}

// skiptoken is the $skiptoken, base64 JSON as SuccessFactors sends it.
type skiptoken struct {
	StartRow int    `json:"startRow"`
	EndRow   int    `json:"endRow"`
	Cursor   int    `json:"cursor,omitempty"`   // cursor paging: next person to look at
	Snapshot string `json:"snapshot,omitempty"` // snapshot paging: the key list
}

var knownOptions = map[string]bool{
	"$format": true, "$filter": true, "$expand": true, "$select": true, "$skiptoken": true, "$top": true,
	"$skip": true, "$inlinecount": true, "customPageSize": true, "paging": true, "asOfDate": true,
	"fromDate": true, "toDate": true,
}

func parseQuery(q url.Values) (*query, error) {
	out := &query{pageSize: maxPageSize, top: -1}
	for k := range q {
		if !knownOptions[k] {
			if strings.HasPrefix(k, "$") {
				return nil, badQuery("COE_BAD_REQUEST", "system query option %s is not supported", k)
			}
			return nil, badQuery("COE_BAD_REQUEST", "query parameter %s is not supported", k)
		}
	}
	if f := q.Get("$format"); f != "" && f != "json" {
		return nil, badQuery("COE_BAD_REQUEST", "$format=%s is not supported; use $format=json", f)
	}
	if s := q.Get("$filter"); s != "" {
		f, err := parseFilter(s, types["PerPerson"])
		if err != nil {
			return nil, err
		}
		out.filter = f
	}
	var err error
	if out.expand, err = parseExpand(q.Get("$expand")); err != nil {
		return nil, err
	}
	if out.sel, err = parseSelect(q.Get("$select")); err != nil {
		return nil, err
	}
	if s := q.Get("asOfDate"); s != "" {
		if out.asOf, err = parseDate("asOfDate", s); err != nil {
			return nil, err
		}
		out.hasAsOf = true
	}
	for _, k := range []string{"fromDate", "toDate"} {
		if s := q.Get(k); s != "" {
			if out.hasAsOf {
				return nil, badQuery("COE_BAD_REQUEST", "asOfDate and %s cannot be used together", k)
			}
			// PerPerson is not effective-dated: fromDate and toDate filter
			// only the top-level entity, so they change nothing here.
			if _, err := parseDate(k, s); err != nil {
				return nil, err
			}
		}
	}
	if s := q.Get("customPageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return nil, badQuery("COE_BAD_REQUEST", "customPageSize must be between 1 and %d, got %q", maxPageSize, s)
		}
		out.pageSize = n
	}
	switch p := q.Get("paging"); p {
	case "", "cursor":
	case "snapshot":
		out.snapshot = true
	default:
		return nil, badQuery("COE_BAD_REQUEST", "paging=%s is not supported; use snapshot or cursor", p)
	}
	for _, o := range []struct {
		name string
		into *int
	}{{"$top", &out.top}, {"$skip", &out.skip}} {
		if s := q.Get(o.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, badQuery("COE_BAD_REQUEST", "%s must be a non-negative integer, got %q", o.name, s)
			}
			*o.into = n
		}
	}
	switch c := q.Get("$inlinecount"); c {
	case "", "none":
	case "allpages":
		out.count = true
	default:
		return nil, badQuery("COE_BAD_REQUEST", "$inlinecount=%s is not supported", c)
	}
	if s := q.Get("$skiptoken"); s != "" {
		b, err := base64.StdEncoding.DecodeString(s)
		if err == nil {
			err = json.Unmarshal(b, &out.tok)
		}
		if err != nil || out.tok.StartRow < 0 || out.tok.Cursor < 0 {
			return nil, badQuery("COE_BAD_REQUEST", "invalid $skiptoken")
		}
	}
	return out, nil
}

func parseDate(name, s string) (workforce.Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return workforce.Date{}, badQuery("COE_BAD_REQUEST", "%s must be yyyy-MM-dd, got %q", name, s)
	}
	return workforce.DateOf(t), nil
}

// parseExpand checks every path of $expand against the schema.
func parseExpand(s string) (expansion, error) {
	ex := expansion{}
	if s == "" {
		return ex, nil
	}
	for _, p := range strings.Split(s, ",") {
		t, at := types["PerPerson"], ex
		for _, seg := range strings.Split(strings.TrimSpace(p), "/") {
			n, _, ok := t.nav(seg)
			if !ok {
				return nil, badQuery("COE_PROPERTY_NOT_FOUND", "Invalid property names: %s/%s. Please check the property name in $expand.", t.name, seg)
			}
			if at[seg] == nil {
				at[seg] = expansion{}
			}
			t, at = types[n.target], at[seg]
		}
	}
	return ex, nil
}

// parseSelect reads $select paths: properties, or navigations followed
// by the properties wanted from them.
func parseSelect(s string) (selection, error) {
	if s == "" {
		return nil, nil
	}
	sel := selection{}
	for _, p := range strings.Split(s, ",") {
		t, at := types["PerPerson"], sel
		segs := strings.Split(strings.TrimSpace(p), "/")
		for i, seg := range segs {
			if n, _, ok := t.nav(seg); ok {
				if at[seg] == nil {
					at[seg] = selection{}
				}
				t, at = types[n.target], at[seg]
				continue
			}
			if _, ok := t.idx[seg]; ok && i == len(segs)-1 {
				at[seg] = nil
				continue
			}
			return nil, badQuery("COE_PROPERTY_NOT_FOUND", "Invalid property names: %s/%s. Please check the property name in $select.", t.name, seg)
		}
	}
	return sel, nil
}

func (s *Server) servePerPerson(w http.ResponseWriter, r *http.Request, countOnly bool) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		qe := err.(*queryError)
		s.log.Debug("query refused", "code", qe.code)
		writeError(w, http.StatusBadRequest, qe.code, qe.msg)
		return
	}
	v := s.view(s.now(), q.asOf, q.hasAsOf)
	matches := func(i int) *entity {
		e := v.root(s.persons[i])
		if e == nil || (q.filter != nil && !q.filter.match(e)) {
			return nil
		}
		return e
	}
	if countOnly {
		n := 0
		for i := range s.persons {
			if matches(i) != nil {
				n++
			}
		}
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		_, _ = w.Write([]byte(strconv.Itoa(n)))
		return
	}

	var page []*entity
	total := -1
	next := skiptoken{StartRow: q.tok.StartRow + q.pageSize, EndRow: q.tok.StartRow + 2*q.pageSize}
	more := false
	switch {
	case q.top >= 0 || q.skip > 0: // client-side paging
		all := s.collect(matches)
		total = len(all)
		from := min(q.skip, len(all))
		to := len(all)
		if q.top >= 0 {
			to = min(to, from+q.top)
		}
		to = min(to, from+q.pageSize)
		for _, i := range all[from:to] {
			page = append(page, matches(int(i)))
		}
	case q.snapshot:
		keys, ok := s.snapshots[q.tok.Snapshot]
		if q.tok.Snapshot == "" {
			keys = s.collect(matches)
			next.Snapshot = s.keep(keys)
		} else if !ok {
			writeError(w, http.StatusBadRequest, "COE_BAD_REQUEST", "invalid $skiptoken: the paging snapshot has expired")
			return
		} else {
			next.Snapshot = q.tok.Snapshot
		}
		total = len(keys)
		from := min(q.tok.StartRow, len(keys))
		to := min(from+q.pageSize, len(keys))
		for _, i := range keys[from:to] {
			e := v.root(s.persons[i])
			if e == nil {
				continue
			}
			page = append(page, e)
		}
		more = to < len(keys)
		if !more {
			s.drop(next.Snapshot)
		}
	default: // cursor paging
		i := q.tok.Cursor
		for ; i < len(s.persons) && len(page) < q.pageSize; i++ {
			if e := matches(i); e != nil {
				page = append(page, e)
			}
		}
		for ; i < len(s.persons); i++ { // is there another row?
			if matches(i) != nil {
				more = true
				break
			}
		}
		next.Cursor = i
		if q.count {
			total = len(s.collect(matches))
		}
	}

	jw := &jsonWriter{b: make([]byte, 0, 4096*len(page)+64), base: baseURL(r) + "/odata/v2/"}
	jw.b = append(jw.b, `{"d":{"results":[`...)
	for i, e := range page {
		if i > 0 {
			jw.b = append(jw.b, ',')
		}
		jw.entity(e, q.expand, q.sel)
	}
	jw.b = append(jw.b, ']')
	if q.count && total >= 0 {
		jw.b = append(jw.b, `,"__count":`...)
		jw.str(strconv.Itoa(total))
	}
	if more {
		jw.b = append(jw.b, `,"__next":`...)
		jw.str(nextURL(r, next))
	}
	jw.b = append(jw.b, `}}`...)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(jw.b)
	s.log.Debug("PerPerson page served", "rows", len(page), "more", more)
}

func (s *Server) collect(matches func(int) *entity) []int32 {
	var keys []int32
	for i := range s.persons {
		if matches(i) != nil {
			keys = append(keys, int32(i))
		}
	}
	return keys
}

func (s *Server) keep(keys []int32) string {
	id := randomHex(8)
	s.snapshots[id] = keys
	s.snapOrder = append(s.snapOrder, id)
	if len(s.snapOrder) > maxSnapshots {
		delete(s.snapshots, s.snapOrder[0])
		s.snapOrder = s.snapOrder[1:]
	}
	return id
}

func (s *Server) drop(id string) {
	delete(s.snapshots, id)
	for i, o := range s.snapOrder {
		if o == id {
			s.snapOrder = append(s.snapOrder[:i], s.snapOrder[i+1:]...)
			break
		}
	}
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func nextURL(r *http.Request, t skiptoken) string {
	b, _ := json.Marshal(t) // a struct of ints and strings always marshals
	q := r.URL.Query()
	q.Set("$skiptoken", base64.StdEncoding.EncodeToString(b))
	return baseURL(r) + r.URL.Path + "?" + q.Encode()
}
