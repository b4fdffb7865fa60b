package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/postgres"
	"github.com/hrsync/hrsync/cloud/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.RunSuite(t, func(t *testing.T) store.Store { return open(t, pgtest.NewDatabase(t)) })
}

// TestReplicasMigrateOnce starts several stores on an empty database at
// once, as replicas of one cloud do: each migration runs exactly once and
// every store works.
func TestReplicasMigrateOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Shared(t).NewEmptyDatabase(t)
	const replicas = 6
	stores := make([]*postgres.Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, dsn) })
	}
	wg.Wait()
	for i := range replicas {
		require.NoError(t, errs[i], "replica %d", i)
		t.Cleanup(func() { stores[i].Close() })
	}
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, versions(t, "migrations"), got, "each migration once")

	require.NoError(t, stores[1].CreateJob(ctx, store.Job{ID: "j", Mapping: []byte("{}"), UploadTokenHash: []byte{1}}))
	_, err = stores[replicas-1].GetJob(ctx, "j")
	require.NoError(t, err, "replicas share the database")

	// Reopening finds nothing to do.
	again := open(t, dsn)
	_, err = again.GetJob(ctx, "j")
	require.NoError(t, err)
}

// TestMigrationsMatchSQLite keeps the dialects in step: every SQLite
// migration has a Postgres twin of the same name, and no more.
func TestMigrationsMatchSQLite(t *testing.T) {
	require.Equal(t, versions(t, "../sqlite/migrations"), versions(t, "migrations"))
}

// versions lists the migrations in dir, sorted.
func versions(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".sql"))
	}
	return out
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, dsn string
	}{
		{"unparsable dsn", "postgres://%zz"},
		{"no such database", pgtest.Shared(t).DSN("does_not_exist")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(ctx, tc.dsn)
			require.Error(t, err)
			require.Nil(t, s)
		})
	}
}

// TestErrors pins what the conformance suite leaves open: which database
// errors become store errors, and that other errors stay distinct.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgtest.NewDatabase(t))
	require.NoError(t, s.CreateJob(ctx, store.Job{ID: "j", Mapping: []byte("{}"), UploadTokenHash: []byte{1}}))
	require.NoError(t, s.StageUpload(ctx, store.Upload{ID: "u", JobID: "j", Records: []store.StagedRecord{{Anchor: "a", Payload: []byte("{}")}}}))
	require.NoError(t, s.StageUpload(ctx, store.Upload{ID: "empty", JobID: "j"}), "an upload without records")
	recs, err := s.PendingRecords(ctx, "j", 10)
	require.NoError(t, err)
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{RecordID: recs[0].ID, Log: store.LogEntry{ID: "l"}}))
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	tests := []struct {
		name     string
		call     func(ctx context.Context) error
		conflict bool
		notFound bool
		canceled bool
	}{
		{"duplicate upload id", func(ctx context.Context) error {
			return s.StageUpload(ctx, store.Upload{ID: "u", JobID: "j"})
		}, true, false, false},
		{"duplicate log id", func(ctx context.Context) error {
			return s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: "l"}})
		}, true, false, false},
		{"upload for an unknown job is no conflict", func(ctx context.Context) error {
			return s.StageUpload(ctx, store.Upload{ID: "u2", JobID: "nope"})
		}, false, false, false},
		{"unknown escrow", func(ctx context.Context) error {
			_, err := s.GetEscrow(ctx, "j", "nope")
			return err
		}, false, true, false},
		{"canceled context", func(context.Context) error {
			_, err := s.ListJobs(canceled)
			return err
		}, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(ctx)
			require.Error(t, err)
			require.Equal(t, tc.conflict, errors.Is(err, store.ErrConflict), "ErrConflict: %v", err)
			require.Equal(t, tc.notFound, errors.Is(err, store.ErrNotFound), "ErrNotFound: %v", err)
			require.Equal(t, tc.canceled, errors.Is(err, context.Canceled), "context.Canceled: %v", err)
		})
	}

	// A negative limit means no limit, as in SQLite (Postgres rejects it).
	require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: "op", Payload: []byte("p")}))
	ops, err := s.DispatchableOperations(ctx, time.Now(), nil, -1)
	require.NoError(t, err)
	require.Len(t, ops, 1)
}

// TestEventsReachOtherReplicas: what one store (replica) changes, a
// subscriber of another store on the same database hears, through
// LISTEN/NOTIFY.
func TestEventsReachOtherReplicas(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := pgtest.NewDatabase(t)
	a, b := open(t, dsn), open(t, dsn)
	events, err := b.Subscribe(ctx)
	require.NoError(t, err)
	// The listener connects asynchronously: create operations until one is
	// heard, then require the rest in order.
	heard := false
	for i := 0; i < 50 && !heard; i++ {
		id := fmt.Sprintf("warm-%d", i)
		require.NoError(t, a.CreateOperation(ctx, store.Operation{ID: id, JobID: "j", Domain: "warm.test", Payload: []byte("p"), CreatedAt: time.Now()}))
		select {
		case <-events:
			heard = true
		case <-time.After(200 * time.Millisecond):
		}
	}
	require.True(t, heard, "replica b hears replica a")

	require.NoError(t, a.CreateOperation(ctx, store.Operation{ID: "op", JobID: "j", Domain: "HRSync.test", Payload: []byte("p"), CreatedAt: time.Now()}))
	_, err = a.MarkDispatched(ctx, "op", 1, "agent", "a", time.Now())
	require.NoError(t, err)
	require.NoError(t, a.Complete(ctx, "op", 1, []byte("ok"), time.Now()))
	want := []store.Event{{Kind: store.EventOpPending, Key: "hrsync.test"}, {Kind: store.EventOpDone, Key: "op"}}
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case ev := <-events:
			if ev == want[0] {
				want = want[1:]
			}
		case <-deadline:
			t.Fatalf("missing events %+v", want)
		}
	}
}
