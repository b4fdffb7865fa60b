package workday

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/hrsync/hrsync/cloud/internal/source"
)

// Connector reads workers from a Workday tenant and writes contact data
// and user names back. It implements source.Source and source.WriteBack.
type Connector struct {
	s     *settings
	http  *retryablehttp.Client
	log   *slog.Logger
	group []string // Response_Group flags, from the attributes' XPaths

	// evals pools compiled copies of the attributes, one per CPU: a
	// compiled antchfx expression keeps state while it runs, so each
	// goroutine evaluating XPaths takes a set of its own.
	evals chan []compiled
}

var (
	_ source.Source    = (*Connector)(nil)
	_ source.WriteBack = (*Connector)(nil)
)

// New validates cfg (errors name the field) and returns a Connector. It
// makes no request.
func New(cfg Config) (*Connector, error) {
	s, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	c := &Connector{s: s, http: newHTTP(s), group: responseGroup(s.attrs),
		log: s.Logger.With("component", "workday", "tenant", s.ep.tenant)}
	k := min(max(runtime.GOMAXPROCS(0), 1), 8)
	c.evals = make(chan []compiled, k)
	c.evals <- s.attrs
	for range k - 1 {
		attrs, errs := compileAttributes(c.Attributes(), s.ep.version != "")
		if len(errs) > 0 { // compiled once already: cannot happen
			return nil, fmt.Errorf("workday: %w", errors.Join(errs...))
		}
		c.evals <- attrs
	}
	return c, nil
}

// Version returns the WWS version of the Get_Workers requests: the URL's,
// or v21.1 when it names none.
func (c *Connector) Version() string { return c.s.ep.requestVersion() }

// Attributes returns the attributes the connector reads, default paths
// filled in.
func (c *Connector) Attributes() []source.Attribute {
	out := make([]source.Attribute, len(c.s.attrs))
	for i, a := range c.s.attrs {
		out[i] = a.Attribute
	}
	return out
}

// ResponseGroup returns the Response_Group flags every Get_Workers request
// sets, derived from the attributes' XPaths.
func (c *Connector) ResponseGroup() []string { return append([]string(nil), c.group...) }

// watermark is the JSON of a Watermark: where the next Changes starts.
type watermark struct {
	At time.Time `json:"at"`
}

func marshalWatermark(t time.Time) (source.Watermark, error) {
	b, err := json.Marshal(watermark{At: t.UTC()})
	if err != nil {
		return nil, fmt.Errorf("workday: watermark: %w", err)
	}
	return b, nil
}

func parseWatermark(w source.Watermark) (time.Time, error) {
	if len(w) == 0 {
		return time.Time{}, errors.New("workday: no watermark: run Full first")
	}
	var wm watermark
	if err := json.Unmarshal(w, &wm); err != nil || wm.At.IsZero() {
		return time.Time{}, fmt.Errorf("workday: watermark %q is not {\"at\":\"<RFC 3339 instant>\"}", w)
	}
	return wm.At, nil
}

// Full reads every worker ever hired or contracted (terminated ones too)
// as of now, paging through Total_Pages with As_Of_Entry_DateTime pinned to
// the instant the read began, which is the watermark.
func (c *Connector) Full(ctx context.Context, fn func(source.Record) error) (source.Watermark, error) {
	start := c.s.Clock.Now()
	q := getWorkers{types: hireTypes, at: start, known: start, count: c.s.PageSize, group: c.group}
	n, pages, err := c.each(ctx, "Get_Workers full", q, start, nil, fn)
	if err != nil {
		return nil, err
	}
	c.log.InfoContext(ctx, "full read done", "workers", n, "pages", pages, "took", time.Since(start).Round(time.Millisecond))
	return marshalWatermark(start)
}

// Changes reads the workers with a transaction entered since the watermark
// (Updated_From/Through) and those with one that took effect since
// (Effective_From/Through), each once, as of now; now is the next watermark.
func (c *Connector) Changes(ctx context.Context, w source.Watermark, fn func(source.Record) error) (source.Watermark, error) {
	from, err := parseWatermark(w)
	if err != nil {
		return nil, err
	}
	now := c.s.Clock.Now()
	through := now
	if through.Before(from) { // a clock that went back: an empty window
		through = from
	}
	seen := map[string]bool{}
	total := 0
	for _, x := range []struct {
		op string
		q  getWorkers
	}{
		{"Get_Workers updated", getWorkers{updated: &window{from, through}}},
		{"Get_Workers effective", getWorkers{effective: &window{from, through}}},
	} {
		x.q.at, x.q.known, x.q.count, x.q.group = through, through, c.s.PageSize, c.group
		n, _, err := c.each(ctx, x.op, x.q, now, seen, fn)
		if err != nil {
			return nil, err
		}
		total += n
	}
	c.log.InfoContext(ctx, "incremental read done", "workers", total, "window_start", from, "window_end", through)
	return marshalWatermark(through)
}

// Worker reads one worker by WID as of at, with everything known now.
func (c *Connector) Worker(ctx context.Context, anchor string, at time.Time) (source.Record, bool, error) {
	now := c.s.Clock.Now()
	const op = "Get_Workers by WID"
	q := getWorkers{wids: []string{anchor}, at: at, known: now, count: 1, group: c.group}
	doc, err := c.call(ctx, op, q.xml(c.Version()))
	if err != nil {
		return source.Record{}, false, err
	}
	p, err := parsePage(doc)
	if err != nil {
		return source.Record{}, false, &source.Error{Kind: source.Protocol, Op: op, Err: err}
	}
	if len(p.workers) == 0 {
		return source.Record{}, false, nil
	}
	wk, err := c.readWorker(p.workers[0])
	switch {
	case err != nil:
		return source.Record{}, false, &source.Error{Kind: source.Protocol, Op: op, Err: err}
	case wk.wid != anchor:
		return source.Record{}, false, &source.Error{Kind: source.Protocol, Op: op, Err: fmt.Errorf("asked for WID %s, got %s", anchor, wk.wid)}
	}
	return c.record(wk, now), true, nil
}

// each pages through q and calls fn with the record of each worker not in
// seen (nil: no de-duplication). An error of fn is returned as is. The next
// page is fetched and parsed in the background while this one's XPaths are
// evaluated; that goroutine ends before each returns.
func (c *Connector) each(ctx context.Context, op string, q getWorkers, now time.Time, seen map[string]bool,
	fn func(source.Record) error) (n, pages int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	type fetched struct {
		doc *xmlquery.Node
		err error
	}
	fetch := func(page int) <-chan fetched {
		ch := make(chan fetched, 1)
		pq := q
		pq.page = page
		body := pq.xml(c.Version())
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := c.call(ctx, fmt.Sprintf("%s page %d", op, page), body)
			ch <- fetched{doc, err}
		}()
		return ch
	}
	next := fetch(1)
	for page := 1; next != nil; page++ {
		f := <-next
		if f.err != nil {
			return n, pages, f.err
		}
		pop := fmt.Sprintf("%s page %d", op, page)
		p, err := parsePage(f.doc)
		if err == nil && p.number != page {
			err = fmt.Errorf("asked for page %d, got page %d", page, p.number)
		}
		if err != nil {
			return n, pages, &source.Error{Kind: source.Protocol, Op: pop, Err: err}
		}
		pages++
		next = nil
		if page < p.last && len(p.workers) > 0 {
			next = fetch(page + 1)
		}
		c.log.DebugContext(ctx, "page read", "op", op, "page", page, "total_pages", p.last, "workers", len(p.workers))
		ws := make([]*worker, 0, len(p.workers))
		for _, d := range p.workers {
			w, err := c.readWorker(d)
			if err != nil {
				return n, pages, &source.Error{Kind: source.Protocol, Op: pop, Err: err}
			}
			if seen != nil {
				if seen[w.wid] {
					continue
				}
				seen[w.wid] = true
			}
			ws = append(ws, w)
		}
		for i, rec := range c.records(ws, now) {
			if rec, err = c.resolve(ctx, ws[i], rec, now); err != nil {
				return n, pages, err
			}
			if err := fn(rec); err != nil {
				return n, pages, err
			}
			n++
		}
	}
	return n, pages, nil
}

// records evaluates the attributes of a page's workers on every CPU and
// returns their records in order.
func (c *Connector) records(ws []*worker, now time.Time) []source.Record {
	out := make([]source.Record, len(ws))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(cap(c.evals), len(ws)) {
		wg.Go(func() {
			attrs := <-c.evals
			defer func() { c.evals <- attrs }()
			for i := next.Add(1) - 1; i < int64(len(ws)); i = next.Add(1) - 1 {
				out[i] = c.recordWith(attrs, ws[i], now)
			}
		})
	}
	wg.Wait()
	return out
}

// resolve returns a worker's record: rec, or for a future-dated hire
// within the lookahead its record read again as of its hire instant
// (Entra's future-dated hire lookup).
func (c *Connector) resolve(ctx context.Context, w *worker, rec source.Record, now time.Time) (source.Record, error) {
	if at, ok := w.preHire(now); ok && c.s.PrehireLookahead >= 0 &&
		(c.s.PrehireLookahead == 0 || at.Sub(now) <= c.s.PrehireLookahead) {
		ahead, found, err := c.Worker(ctx, w.wid, at)
		if err != nil {
			return source.Record{}, err
		}
		if found {
			return ahead, nil
		}
	}
	return rec, nil
}
