package cycle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
)

// BenchmarkIncrementalNoChange measures an incremental cycle over 100,000
// workers (HRSYNC_BENCH_CYCLE) whose records did not change, in the worst
// case for a source: it reports every worker again (a re-sent CSV file, a
// connector that cannot tell changes apart). The cycle must stage nothing.
// The baseline is the source read alone, encoding each record, with no
// store: the floor.
func BenchmarkIncrementalNoChange(b *testing.B) {
	n := 100_000
	if v := os.Getenv("HRSYNC_BENCH_CYCLE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("HRSYNC_BENCH_CYCLE=%q: want a positive number", v)
		}
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateJob(ctx, store.Job{ID: "j1", ServicePrincipal: "sp", Name: "wd", Template: "Workday2AD", Domain: "hrsync.test",
		DefaultContainer: "OU=x,DC=hrsync,DC=test", Mapping: []byte(`{"rules":[{"target":"employeeID","type":"direct","source":"WorkerID","matchingPriority":1}]}`),
		Scoping: []byte(`{}`), SchemaVersion: 1, UploadTokenHash: []byte{1}, CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	if err := st.PutSource(ctx, "j1", "fake", []byte(`{}`), time.Minute); err != nil {
		b.Fatal(err)
	}
	src := &fakeSource{workers: map[string]map[string]string{}}
	for i := range n {
		a := fmt.Sprintf("%032x", i)
		src.workers[a] = map[string]string{"WorkerID": strconv.Itoa(100000 + i), "FirstName": "Zoë", "LastName": fmt.Sprintf("Ó Briain %d", i),
			"Active": "1", "BusinessTitle": "Analyst", "SupervisoryOrganization": fmt.Sprintf("Org %d", i%300), "Municipality": "Kraków"}
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	r, err := New(Config{Store: st, Clock: clock, Batch: 5000, Open: func(context.Context, store.SyncState, []string) (source.Source, error) { return src, nil }})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.RunDue(ctx); err != nil { // the initial cycle, not timed
		b.Fatal(err)
	}
	all := make([]string, 0, n)
	for a := range src.workers {
		all = append(all, a)
	}

	b.Run("hrsync", func(b *testing.B) {
		for b.Loop() {
			src.changed = all
			clock.Advance(time.Minute)
			if ran, err := r.RunDue(ctx); err != nil || !ran {
				b.Fatalf("cycle: ran=%v err=%v", ran, err)
			}
			s, err := st.GetSyncState(ctx, "j1")
			if err != nil {
				b.Fatal(err)
			}
			if s.Last.Kind != Incremental || s.Last.Read != n || s.Last.Staged != 0 || s.Last.Error != "" {
				b.Fatalf("cycle %+v: want an incremental cycle that read %d and staged none", s.Last, n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/cycle")
	})
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			src.changed = all
			read := 0
			if _, err := src.Changes(ctx, nil, func(rec source.Record) error {
				if _, err := engine.EncodeSource(rec.Attributes); err != nil {
					return err
				}
				read++
				return nil
			}); err != nil || read != n {
				b.Fatalf("read %d: %v", read, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/cycle")
	})
}
