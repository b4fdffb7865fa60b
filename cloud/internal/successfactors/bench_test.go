package successfactors

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/sfsim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// BenchmarkFullSync reads a whole workforce from the emulator over a real
// loopback HTTP server with the default attributes and page size (100),
// and reports workers per second, with a same-run baseline (below).
// HRSYNC_BENCH_READ sets the size
// (default 100000):
//
//	go test -run '^$' -bench FullSync -benchtime 1x ./internal/successfactors/
func BenchmarkFullSync(b *testing.B) {
	n := 100_000
	if s := os.Getenv("HRSYNC_BENCH_READ"); s != "" {
		v, err := strconv.Atoi(s)
		require.NoError(b, err, "HRSYNC_BENCH_READ")
		n = v
	}
	wf, err := workforce.Generate(workforce.Config{Seed: 1, Workers: n, Start: testStart})
	require.NoError(b, err)
	clock := clockwork.NewFakeClockAt(wf.Now())
	sf, err := sfsim.New(sfsim.Config{Workforce: wf, Password: "pw", ClientKey: testKey(), Clock: clock})
	require.NoError(b, err)
	ts := httptest.NewServer(sf)
	defer ts.Close()
	var mu sync.Mutex
	var urls []string
	rec := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		urls = append(urls, req.URL.String())
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(req)
	})
	c, err := New(Config{BaseURL: ts.URL, CompanyID: sf.CompanyID(), Auth: Auth{Username: sf.User(), Password: sf.Password()}, Clock: clock,
		HTTPClient: &http.Client{Transport: rec}})
	require.NoError(b, err)

	perOp := 0
	b.Run("connector", func(b *testing.B) {
		records := 0
		for b.Loop() {
			urls = nil
			_, err := c.Full(context.Background(), func(r source.Record) error {
				records++
				return nil
			})
			require.NoError(b, err)
		}
		perOp = records / b.N
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "workers/s")
		b.ReportMetric(float64(perOp), "workers/op")
	})
	// The baseline, in the same run, fetches the same pages and discards
	// them: the emulator and the transport alone, the floor under the
	// connector's JSON and JSONPath work.
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			// Follow __next from the first page, finding it with a byte
			// search rather than a JSON decode (that is the connector's work).
			next := urls[0]
			for next != "" {
				req, err := http.NewRequest(http.MethodGet, next, nil)
				require.NoError(b, err)
				req.SetBasicAuth(sf.User()+"@"+sf.CompanyID(), sf.Password())
				resp, err := http.DefaultClient.Do(req)
				require.NoError(b, err)
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(b, err)
				require.Equal(b, http.StatusOK, resp.StatusCode)
				next = ""
				if i := bytes.LastIndex(body, []byte(`"__next":`)); i >= 0 {
					rest := bytes.TrimLeft(body[i+len(`"__next":`):], " ")
					if end := bytes.IndexByte(rest[1:], '"'); end >= 0 {
						next, err = strconv.Unquote(string(rest[:end+2]))
						require.NoError(b, err)
					}
				}
			}
		}
		b.ReportMetric(float64(perOp*b.N)/b.Elapsed().Seconds(), "workers/s")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
