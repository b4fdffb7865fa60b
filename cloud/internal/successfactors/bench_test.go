package successfactors

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/sfsim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// BenchmarkFullSync reads a whole workforce from the emulator over a real
// loopback HTTP server with the default attributes and page size (100),
// and reports workers per second. HRSYNC_BENCH_READ sets the size
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
	c, err := New(Config{BaseURL: ts.URL, CompanyID: sf.CompanyID(), Auth: Auth{Username: sf.User(), Password: sf.Password()}, Clock: clock})
	require.NoError(b, err)

	b.ResetTimer()
	records := 0
	for b.Loop() {
		_, err := c.Full(context.Background(), func(r source.Record) error {
			records++
			return nil
		})
		require.NoError(b, err)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "workers/s")
	b.ReportMetric(float64(records)/float64(b.N), "workers/op")
}
