package successfactors

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/sfsim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// testStart is a Monday morning in UTC.
var testStart = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

// testKey is one OAuth client key for every test (RSA generation is slow).
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// env is an emulator over a generated workforce, on a loopback server,
// sharing one fake clock with the connectors it makes.
type env struct {
	wf    *workforce.Workforce
	sf    *sfsim.Server
	ts    *httptest.Server
	clock *clockwork.FakeClock

	mu   sync.Mutex
	urls []string // request URIs seen, in order
}

// newEnv generates workers (in India, the US and Denmark) and serves them.
func newEnv(t testing.TB, workers int, mutate func(*sfsim.Config)) *env {
	t.Helper()
	shape := workforce.DefaultShape()
	shape.Countries = []workforce.CountryWeight{{Country: "IN", Weight: 0.5}, {Country: "US", Weight: 0.3}, {Country: "DK", Weight: 0.2}}
	wf, err := workforce.Generate(workforce.Config{Seed: 11, Workers: workers, Start: testStart, Shape: &shape})
	require.NoError(t, err)
	e := &env{wf: wf, clock: clockwork.NewFakeClockAt(wf.Now())}
	cfg := sfsim.Config{Workforce: wf, Password: "s3cret", ClientKey: testKey(), Clock: e.clock}
	if mutate != nil {
		mutate(&cfg)
	}
	e.sf, err = sfsim.New(cfg)
	require.NoError(t, err)
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.urls = append(e.urls, r.Method+" "+r.URL.RequestURI())
		e.mu.Unlock()
		e.sf.ServeHTTP(w, r)
	}))
	t.Cleanup(e.ts.Close)
	return e
}

func (e *env) seen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.urls...)
}

// connector returns a Basic-auth connector to the emulator with short
// retry waits; mutate adjusts the config.
func (e *env) connector(t testing.TB, mutate func(*Config)) *Connector {
	t.Helper()
	cfg := Config{
		BaseURL:   e.ts.URL,
		CompanyID: e.sf.CompanyID(),
		Auth:      Auth{Username: e.sf.User(), Password: e.sf.Password()},
		PageSize:  50,
		Clock:     e.clock,
		Retry:     Retry{Max: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// full runs a full sync and returns the records by anchor.
func full(t testing.TB, c *Connector) (map[string]source.Record, source.Watermark) {
	t.Helper()
	recs := map[string]source.Record{}
	wm, err := c.Full(context.Background(), func(r source.Record) error {
		_, dup := recs[r.Anchor]
		require.False(t, dup, "anchor %s reported twice", r.Anchor)
		recs[r.Anchor] = r
		return nil
	})
	require.NoError(t, err)
	return recs, wm
}

func changes(t testing.TB, c *Connector, wm source.Watermark) (map[string]source.Record, source.Watermark) {
	t.Helper()
	recs := map[string]source.Record{}
	next, err := c.Changes(context.Background(), wm, func(r source.Record) error {
		recs[r.Anchor] = r
		return nil
	})
	require.NoError(t, err)
	return recs, next
}

// attr returns the string form of a record's attribute, or "" when absent.
func attr(r source.Record, name string) string {
	v, ok := r.Attributes[name]
	if !ok {
		return ""
	}
	return v.AsString()
}

// persons returns the current record of each person's latest persona, by
// perPersonUuid, as the workforce knows it now.
func persons(e *env) map[string]workforce.Worker {
	out := map[string]workforce.Worker{}
	e.sf.View(func(wf *workforce.Workforce) {
		now := e.clock.Now()
		for r := range wf.Records(now, now) {
			out[r.PersonUUID] = r
		}
	})
	return out
}

func clockAt(t time.Time) *clockwork.FakeClock { return clockwork.NewFakeClockAt(t) }
