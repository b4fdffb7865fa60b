package workday_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/workday"
)

// recorder keeps the requests a connector sends, to replay them.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	url  string
	hdr  http.Header
	body []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{url: req.URL.String(), hdr: req.Header.Clone(), body: body})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// BenchmarkFullSync reads a whole tenant of HRSYNC_BENCH_READ workers
// (default 100,000) from the emulator over a loopback HTTP server, with the
// default v30+ attribute table and page size, and reports workers per
// second. The emulator's time is included: it renders the XML the
// connector parses. The baseline, in the same run, replays the same SOAP
// requests and discards the answers (the emulator serves them from the
// cache of its last render): the bytes over loopback, the floor under the
// connector's own parsing and XPath work.
//
//	HRSYNC_BENCH_READ=100000 go test -run '^$' -bench FullSync -benchtime 1x ./internal/workday
func BenchmarkFullSync(b *testing.B) {
	n := 100_000
	if s := os.Getenv("HRSYNC_BENCH_READ"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("HRSYNC_BENCH_READ=%q is not a positive number", s)
		}
		n = v
	}
	rec := &recorder{}
	tn := newTenant(b, workforce.Config{Seed: 1, Workers: n}, "v34.0", func(c *workday.Config) {
		c.HTTPClient = &http.Client{Transport: rec, Timeout: 2 * time.Minute}
	})
	ctx := context.Background()
	read := 0
	b.Run("connector", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tn.clock.Advance(time.Second) // a new As_Of_Entry_DateTime: nothing cached
			read = 0
			rec.mu.Lock()
			rec.reqs = nil
			rec.mu.Unlock()
			if _, err := tn.c.Full(ctx, func(source.Record) error { read++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		if read < n {
			b.Fatalf("read %d workers, want at least %d", read, n)
		}
		b.ReportMetric(float64(read)*float64(b.N)/b.Elapsed().Seconds(), "workers/s")
		b.ReportMetric(float64(read), "workers")
	})
	b.Run("baseline", func(b *testing.B) {
		if len(rec.reqs) == 0 {
			b.Fatal("the connector run recorded no requests")
		}
		for b.Loop() {
			tn.clock.Advance(time.Second)
			for _, r := range rec.reqs {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(r.body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header = r.hdr.Clone()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("replayed request: HTTP %d", resp.StatusCode)
				}
			}
		}
		b.ReportMetric(float64(read)*float64(b.N)/b.Elapsed().Seconds(), "workers/s")
	})
}
