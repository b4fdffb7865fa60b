package workday_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// BenchmarkFullSync reads a whole tenant of HRSYNC_BENCH_READ workers
// (default 100,000) from the emulator over a loopback HTTP server, with the
// default v30+ attribute table and page size, and reports workers per
// second. The emulator's time is included: it renders the XML the
// connector parses.
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
	tn := newTenant(b, workforce.Config{Seed: 1, Workers: n}, "v34.0", nil)
	ctx := context.Background()
	read := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tn.clock.Advance(time.Second) // a new As_Of_Entry_DateTime: nothing cached
		read = 0
		if _, err := tn.c.Full(ctx, func(source.Record) error { read++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if read < n {
		b.Fatalf("read %d workers, want at least %d", read, n)
	}
	b.ReportMetric(float64(read)*float64(b.N)/b.Elapsed().Seconds(), "workers/s")
	b.ReportMetric(float64(read), "workers")
}
