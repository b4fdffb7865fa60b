package successfactors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/source"
)

var (
	_ source.Source    = (*Connector)(nil)
	_ source.WriteBack = (*Connector)(nil)
)

// watermark is what Changes starts from: the CurrentExecutionTime of the
// previous read, which becomes the next LastExecutionTimestamp.
type watermark struct {
	At time.Time `json:"at"`
}

func (w watermark) encode() source.Watermark {
	b, _ := json.Marshal(w) // a struct with a time always marshals
	return b
}

// dto formats a datetimeoffset literal.
func dto(t time.Time) string {
	return "datetimeoffset'" + t.UTC().Format("2006-01-02T15:04:05Z") + "'"
}

// quote makes an OData string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// FullFilter is the $filter of a full sync at now: every person with
// termination information (active and terminated workers) modified by now.
func FullFilter(now time.Time) string {
	return "(personEmpTerminationInfoNav/activeEmploymentsCount ne null) and (lastModifiedDateTime le " + dto(now) + ")"
}

// ChangesFilter is the $filter of an incremental read of the window
// [last, now] (successfactors-protocol.md §7): anything keyed in the
// window, effective-dated rows that started in it, and terminations whose
// date was the previous day (UTC).
func ChangesFilter(last, now time.Time) string {
	L, C := dto(last), dto(now)
	in := func(p string) string { return "(" + p + " ge " + L + " and " + p + " le " + C + ")" }
	current := func(nav string) string {
		return "(" + nav + "/startDate le " + C + " and (" + nav + "/endDate ge " + C + " or " + nav + "/endDate eq null))"
	}
	modified := func(nav string) string {
		return "((" + nav + "/lastModifiedDateTime ge " + L + " and " + nav + "/lastModifiedDateTime le " + C + ") and " + current(nav) + ")"
	}
	prev := now.UTC().AddDate(0, 0, -1).Format("2006-01-02")
	clauses := []string{
		in("lastModifiedDateTime"),
		in("personalInfoNav/startDate"), modified("personalInfoNav"),
		in("employmentNav/startDate"), modified("employmentNav"),
		in("employmentNav/jobInfoNav/startDate"), modified("employmentNav/jobInfoNav"),
		in("phoneNav/lastModifiedDateTime"),
		in("emailNav/lastModifiedDateTime"),
		"(personEmpTerminationInfoNav/latestTerminationDate ge datetime'" + prev + "T00:00:00' and personEmpTerminationInfoNav/latestTerminationDate le datetime'" + prev + "T23:59:59')",
		in("employmentNav/userNav/lastModifiedDateTime"),
	}
	return "(personEmpTerminationInfoNav/activeEmploymentsCount ne null) and (" + strings.Join(clauses, " or ") + ")"
}

// Full reads every person with termination information, active and
// terminated, as of now.
func (c *Connector) Full(ctx context.Context, fn func(source.Record) error) (source.Watermark, error) {
	now := c.clock.Now()
	n, err := c.read(ctx, "full sync", FullFilter(now), time.Time{}, now, fn)
	if err != nil {
		return nil, err
	}
	c.log.Info("full sync read", "records", n)
	return watermark{At: now}.encode(), nil
}

// Changes reads the persons changed since the watermark: it counts them
// with PerPerson/$count, as Entra does, then reads them.
func (c *Connector) Changes(ctx context.Context, w source.Watermark, fn func(source.Record) error) (source.Watermark, error) {
	var wm watermark
	if err := json.Unmarshal(w, &wm); err != nil || wm.At.IsZero() {
		return nil, &source.Error{Kind: source.Validation, Op: "incremental sync", Err: fmt.Errorf("watermark %q is not a SuccessFactors watermark", string(w))}
	}
	now := c.clock.Now()
	if now.Before(wm.At) {
		now = wm.At
	}
	f := ChangesFilter(wm.At, now)
	b, err := c.do(ctx, "GET PerPerson/$count", http.MethodGet, c.odataURL("PerPerson/$count", url.Values{"$filter": {f}}), nil, "")
	if err != nil {
		return nil, err
	}
	count, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, &source.Error{Kind: source.Protocol, Op: "GET PerPerson/$count", Err: errors.New("the count is not a number")}
	}
	n, err := c.read(ctx, "incremental sync", f, time.Time{}, now, fn)
	if err != nil {
		return nil, err
	}
	c.log.Info("incremental sync read", "counted", count, "records", n)
	return watermark{At: now}.encode(), nil
}

// Worker reads the person with perPersonUuid anchor as of at: asOfDate is
// the date of at in the worker's time zone.
func (c *Connector) Worker(ctx context.Context, anchor string, at time.Time) (source.Record, bool, error) {
	f := "perPersonUuid eq " + quote(anchor)
	c.mu.Lock()
	zone, known := c.zones[anchor]
	c.mu.Unlock()
	if !known {
		// Learn the worker's zone from the current record first.
		var found bool
		if _, err := c.read(ctx, "worker", f, time.Time{}, c.clock.Now(), func(source.Record) error { found = true; return nil }); err != nil {
			return source.Record{}, false, err
		}
		if !found {
			return source.Record{}, false, nil
		}
		c.mu.Lock()
		zone = c.zones[anchor]
		c.mu.Unlock()
	}
	var rec source.Record
	var found bool
	_, err := c.read(ctx, "worker", f, asOfDate(at, c.zone(zone)), at, func(r source.Record) error {
		rec, found = r, true
		return nil
	})
	return rec, found, err
}

// asOfDate is the calendar date of at in zone, as a date-only value.
func asOfDate(at time.Time, zone *time.Location) time.Time {
	y, m, d := at.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// read pages through PerPerson with filter f (as of asOf when it is set)
// and calls fn for each record; ref is the instant the read stands at, for
// Wake and pre-hire detection. It returns how many records it passed on.
func (c *Connector) read(ctx context.Context, op, f string, asOf, ref time.Time, fn func(source.Record) error) (int, error) {
	q := url.Values{
		"$format":        {"json"},
		"$filter":        {f},
		"$expand":        {c.expand},
		"customPageSize": {strconv.Itoa(c.pageSize)},
		"paging":         {"snapshot"},
	}
	if !asOf.IsZero() {
		q.Set("asOfDate", asOf.Format("2006-01-02"))
	}
	n := 0
	err := c.pages(ctx, op, c.odataURL("PerPerson", q), func(rows []any) error {
		recs, err := c.records(ctx, op, rows, ref)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// pages follows __next from u and calls fn with each page's rows. The next
// page is fetched and parsed while fn works on the current one.
func (c *Connector) pages(ctx context.Context, op, u string, fn func(rows []any) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cur := c.page(ctx, op, 1, u)
	for page := 1; ; page++ {
		if cur.err != nil {
			return cur.err
		}
		var next chan fetched
		if cur.next != "" {
			next = make(chan fetched, 1)
			go func(u string) { next <- c.page(ctx, op, page+1, u) }(cur.next)
		}
		if err := fn(cur.rows); err != nil {
			if next != nil {
				cancel()
				<-next
			}
			return err
		}
		if next == nil {
			return nil
		}
		cur = <-next
	}
}

// fetched is one page read.
type fetched struct {
	rows []any
	next string
	err  error
}

func (c *Connector) page(ctx context.Context, op string, page int, u string) fetched {
	pop := fmt.Sprintf("GET PerPerson (%s) page %d", op, page)
	b, err := c.do(ctx, pop, http.MethodGet, u, nil, "")
	if err != nil {
		return fetched{err: err}
	}
	data, err := parseJSON(b)
	if err != nil {
		return fetched{err: &source.Error{Kind: source.Protocol, Op: pop, Err: fmt.Errorf("response is not JSON: %w", err)}}
	}
	d := field(data, "d")
	rows, ok := field(d, "results").([]any)
	if !ok {
		return fetched{err: &source.Error{Kind: source.Protocol, Op: pop, Err: errors.New(`response has no d.results array`)}}
	}
	next, _ := field(d, "__next").(string)
	c.log.Debug("page read", "op", op, "page", page, "rows", len(rows), "more", next != "")
	return fetched{rows: rows, next: next}
}

// records turns one page of PerPerson rows into records. A pre-hire (an
// employment starting after ref) gets the values SuccessFactors holds only
// from the start date by a second read as of that date, as Entra's
// pre-hire processing does; values the record has now take precedence, and
// status attributes (emplStatus, activeEmploymentsCount) are never taken
// from the future: the account is prepared but not enabled before the
// first day, when Wake has the worker read again.
func (c *Connector) records(ctx context.Context, op string, rows []any, ref time.Time) ([]source.Record, error) {
	out := make([]source.Record, 0, len(rows))
	at := map[string]int{}              // anchor -> index in out
	raw := map[string]any{}             // anchor -> the row of a pre-hire
	byStart := map[time.Time][]string{} // start date -> personIdExternal of pre-hires
	skipped := 0
	for _, row := range rows {
		anchor, _ := field(row, "perPersonUuid").(string)
		if anchor == "" {
			skipped++
			continue
		}
		pid, _ := field(row, "personIdExternal").(string)
		zone := c.knownZone(row)
		c.mu.Lock()
		c.zones[anchor], c.pids[anchor] = zone, pid
		c.mu.Unlock()
		at[anchor] = len(out)
		out = append(out, source.Record{Anchor: anchor, Attributes: attributes(c.attrs, row), Wake: c.wakes(row, ref, zone, nil)})
		if start, ok := c.futureStart(row, ref); ok && pid != "" {
			byStart[start] = append(byStart[start], pid)
			raw[anchor] = row
		}
	}
	if skipped > 0 {
		c.log.Warn("PerPerson rows without perPersonUuid skipped", "op", op, "rows", skipped)
	}
	starts := slices.SortedFunc(mapKeys(byStart), time.Time.Compare)
	for _, start := range starts {
		pids := byStart[start]
		for len(pids) > 0 {
			chunk := pids[:min(len(pids), c.pageSize)]
			pids = pids[len(chunk):]
			quoted := make([]string, len(chunk))
			for i, p := range chunk {
				quoted[i] = quote(p)
			}
			q := url.Values{
				"$format":        {"json"},
				"$filter":        {"(personIdExternal in " + strings.Join(quoted, ",") + " and employmentNav/userNav/status in 't','f','e')"},
				"$expand":        {c.expand},
				"customPageSize": {strconv.Itoa(c.pageSize)},
				"asOfDate":       {start.Format("2006-01-02")},
			}
			err := c.pages(ctx, op+" pre-hire", c.odataURL("PerPerson", q), func(rows []any) error {
				for _, row := range rows {
					anchor, _ := field(row, "perPersonUuid").(string)
					i, ok := at[anchor]
					if !ok {
						continue
					}
					r := &out[i]
					for k, v := range attributes(c.attrs, row) {
						if _, has := r.Attributes[k]; !has && !c.statusAttr[k] {
							r.Attributes[k] = v
						}
					}
					// The start-date record names the zone the minimal
					// one may lack.
					zone := c.knownZone(row)
					r.Wake = c.wakes(raw[anchor], ref, zone, nil)
					r.Wake = c.wakes(row, ref, zone, r.Wake)
					c.mu.Lock()
					c.zones[anchor] = zone
					c.mu.Unlock()
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// WriteBack writes values back to the person with perPersonUuid anchor.
// SuccessFactors takes "EmailAddress": a PerEmail upsert of the business
// e-mail (WriteBack.EmailType) with isPrimary. Each upsert row's status is
// checked; a refused row fails with a *source.Error naming it.
func (c *Connector) WriteBack(ctx context.Context, anchor string, values map[string]string) error {
	const op = "upsert PerEmail"
	for _, k := range slices.Sorted(mapKeys(values)) {
		if k != "EmailAddress" {
			return &source.Error{Kind: source.Validation, Op: "write-back", Err: fmt.Errorf("attribute %s cannot be written back to SuccessFactors (supported: EmailAddress)", k)}
		}
	}
	email, ok := values["EmailAddress"]
	if !ok {
		return nil
	}
	pid, err := c.personID(ctx, anchor)
	if err != nil {
		return err
	}
	primary := true
	if c.wb.EmailIsPrimary != nil {
		primary = *c.wb.EmailIsPrimary
	}
	body, _ := json.Marshal([]map[string]any{{ // plain data always marshals
		"__metadata": map[string]string{
			"uri":  "PerEmail(emailType=" + quote(c.wb.EmailType) + ",personIdExternal=" + quote(pid) + ")",
			"type": "SFOData.PerEmail",
		},
		"emailAddress": email,
		"isPrimary":    primary,
	}})
	b, err := c.do(ctx, op, http.MethodPost, c.odataURL("upsert", url.Values{"$format": {"json"}}), body, "application/json")
	if err != nil {
		return err
	}
	var resp struct {
		D []struct {
			Key      *string `json:"key"`
			Status   string  `json:"status"`
			Message  *string `json:"message"`
			Index    int     `json:"index"`
			HTTPCode int     `json:"httpCode"`
		} `json:"d"`
	}
	if err := json.Unmarshal(b, &resp); err != nil || len(resp.D) != 1 {
		return &source.Error{Kind: source.Protocol, Op: op, Err: errors.New("the upsert response does not have one status per row sent")}
	}
	for _, r := range resp.D {
		if strings.EqualFold(r.Status, "OK") {
			continue
		}
		kind := source.Validation
		if r.HTTPCode == http.StatusNotFound {
			kind = source.NotFound
		}
		msg := "refused"
		if r.Message != nil {
			msg = *r.Message
		}
		key := ""
		if r.Key != nil {
			key = ", " + *r.Key
		}
		c.log.Info("write-back row refused", "op", op, "attribute", "EmailAddress", "http_code", r.HTTPCode)
		return &source.Error{Kind: kind, Op: op, Err: fmt.Errorf("row %d (EmailAddress%s): %s: %s", r.Index, key, r.Status, msg)}
	}
	return nil
}

// personID returns the personIdExternal of the person with anchor, from
// the last read or by asking.
func (c *Connector) personID(ctx context.Context, anchor string) (string, error) {
	c.mu.Lock()
	pid := c.pids[anchor]
	c.mu.Unlock()
	if pid != "" {
		return pid, nil
	}
	q := url.Values{"$format": {"json"}, "$filter": {"perPersonUuid eq " + quote(anchor)}, "$select": {"personIdExternal"}}
	err := c.pages(ctx, "write-back lookup", c.odataURL("PerPerson", q), func(rows []any) error {
		for _, r := range rows {
			if p, ok := field(r, "personIdExternal").(string); ok && pid == "" {
				pid = p
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if pid == "" {
		return "", &source.Error{Kind: source.NotFound, Op: "write-back lookup", Err: errors.New("no PerPerson has the anchor")}
	}
	return pid, nil
}
