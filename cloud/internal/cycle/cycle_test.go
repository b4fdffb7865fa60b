package cycle

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
)

// fakeSource is an HR system in memory: workers by anchor, and the anchors
// changed since each watermark.
type fakeSource struct {
	mu       sync.Mutex
	workers  map[string]map[string]string
	changed  []string // anchors reported by the next Changes
	wakes    map[string][]time.Time
	asOf     map[string]map[string]string // Worker(anchor, at) answers
	fail     error
	failAt   int // Full fails after this many records (0: never)
	fulls    int
	changes  []string // watermarks Changes was called with
	attrs    []string
	worker   []time.Time
	nextMark int
}

func (f *fakeSource) record(a string, attrs map[string]string) source.Record {
	m := map[string]expr.Value{}
	for k, v := range attrs {
		m[k] = expr.String(v)
	}
	return source.Record{Anchor: a, Attributes: m, Wake: f.wakes[a]}
}

func (f *fakeSource) mark() source.Watermark {
	f.nextMark++
	return source.Watermark(`{"n":` + string(rune('0'+f.nextMark)) + `}`)
}

func (f *fakeSource) Full(ctx context.Context, fn func(source.Record) error) (source.Watermark, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fulls++
	if f.fail != nil {
		return nil, f.fail
	}
	keys := make([]string, 0, len(f.workers))
	for a := range f.workers {
		keys = append(keys, a)
	}
	slices.Sort(keys)
	for i, a := range keys {
		if f.failAt > 0 && i == f.failAt {
			return nil, &source.Error{Kind: source.Unavailable, Op: "page 2", Err: errors.New("connection reset")}
		}
		if err := fn(f.record(a, f.workers[a])); err != nil {
			return nil, err
		}
	}
	return f.mark(), nil
}

func (f *fakeSource) Changes(ctx context.Context, w source.Watermark, fn func(source.Record) error) (source.Watermark, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, string(w))
	if f.fail != nil {
		return nil, f.fail
	}
	for _, a := range f.changed {
		if err := fn(f.record(a, f.workers[a])); err != nil {
			return nil, err
		}
	}
	f.changed = nil
	return f.mark(), nil
}

func (f *fakeSource) Worker(ctx context.Context, a string, at time.Time) (source.Record, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.worker = append(f.worker, at)
	attrs, ok := f.asOf[a]
	if !ok {
		return source.Record{}, false, nil
	}
	return f.record(a, attrs), true, nil
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type fixture struct {
	st    *sqlite.Store
	src   *fakeSource
	clock *clockwork.FakeClock
	r     *Runner
	woken int
}

func newFixture(t *testing.T, batch int) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	mappingJSON := []byte(`{"rules":[{"target":"employeeID","type":"direct","source":"WorkerID","matchingPriority":1},{"target":"title","type":"expression","expression":"Trim([Title])"}]}`)
	require.NoError(t, st.CreateJob(ctx, store.Job{ID: "j1", ServicePrincipal: "sp", Name: "wd", Template: "Workday2AD", Domain: "hrsync.test",
		DefaultContainer: "OU=x,DC=hrsync,DC=test", Mapping: mappingJSON, Scoping: []byte(`{"scope":{"groups":[{"clauses":[{"attribute":"Company","operator":"IS NOT NULL"}]}]}}`),
		SchemaVersion: 1, UploadTokenHash: []byte{1}, CreatedAt: t0}))
	require.NoError(t, st.PutSource(ctx, "j1", "fake", []byte(`{}`), 5*time.Minute))
	f := &fixture{st: st, clock: clockwork.NewFakeClockAt(t0), src: &fakeSource{
		workers: map[string]map[string]string{
			"w1": {"WorkerID": "1", "Title": "Engineer", "Company": "C"},
			"w2": {"WorkerID": "2", "Title": "Designer", "Company": "C"},
			"w3": {"WorkerID": "3", "Title": "Zoë's manager", "Company": "C"},
		}}}
	f.r, err = New(Config{Store: st, Batch: batch, Clock: f.clock, Owner: "r1", Notify: func() { f.woken++ },
		Open: func(ctx context.Context, s store.SyncState, attrs []string) (source.Source, error) {
			f.src.attrs = attrs
			return f.src, nil
		}})
	require.NoError(t, err)
	return f
}

// pending returns the anchors staged and not yet processed, in order, and
// the upload IDs they came in.
func (f *fixture) pending(t *testing.T) (anchors, uploads []string) {
	recs, err := f.st.PendingRecords(context.Background(), "j1", 1000)
	require.NoError(t, err)
	for _, r := range recs {
		anchors = append(anchors, r.Anchor)
		if !slices.Contains(uploads, r.UploadID) {
			uploads = append(uploads, r.UploadID)
		}
	}
	return anchors, uploads
}

func TestInitialThenIncremental(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	ran, err := f.r.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	require.Equal(t, []string{"Company", "Title", "WorkerID"}, f.src.attrs, "the source is asked for what the mapping and scoping read")
	anchors, uploads := f.pending(t)
	require.Equal(t, []string{"w1", "w2", "w3"}, anchors)
	st, err := f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, Initial, st.Last.Kind)
	require.Equal(t, 3, st.Last.Read)
	require.Equal(t, 3, st.Last.Staged)
	require.Equal(t, `{"n":1}`, string(st.Watermark))
	require.Equal(t, []string{st.Last.ID + ".1", st.Last.ID + ".2"}, uploads, "batches of 2, named after the cycle")
	require.Equal(t, 2, f.woken)

	// Not due before the interval.
	ran, err = f.r.RunDue(ctx)
	require.NoError(t, err)
	require.False(t, ran)

	// An incremental cycle stages only what differs from the last record.
	f.src.workers["w2"]["Title"] = "Lead designer"
	f.src.changed = []string{"w1", "w2", "w2"}
	f.clock.Advance(5 * time.Minute)
	ran, err = f.r.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	require.Equal(t, []string{`{"n":1}`}, f.src.changes, "Changes starts at the stored watermark")
	anchors, _ = f.pending(t)
	require.Equal(t, []string{"w1", "w2", "w3", "w2"}, anchors, "w1 unchanged, w2 once")
	st, err = f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, Incremental, st.Last.Kind)
	require.Equal(t, 3, st.Last.Read)
	require.Equal(t, 1, st.Last.Staged)
	require.Equal(t, 1, f.src.fulls)

	// A changed mapping makes the next cycle an initial cycle again.
	_, err = f.st.UpdateJobSchema(ctx, "j1", []byte(`{"rules":[{"target":"employeeID","type":"direct","source":"WorkerID","matchingPriority":1}]}`), []byte(`{}`))
	require.NoError(t, err)
	f.clock.Advance(5 * time.Minute)
	_, err = f.r.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, f.src.fulls)
	require.Equal(t, []string{"WorkerID"}, f.src.attrs)
	st, err = f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, Initial, st.Last.Kind)
	require.Equal(t, 2, st.WatermarkVersion)
	require.Equal(t, 3, st.Last.Staged, "an initial cycle stages every worker")

	// Restart with the Watermark scope: initial again, now.
	require.NoError(t, f.st.ResetJob(ctx, "j1", store.Reset{Watermark: true}))
	ran, err = f.r.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	require.Equal(t, 3, f.src.fulls)
}

func TestFailedCycleKeepsWatermarkAndRetries(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	f.src.failAt = 2
	ran, err := f.r.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	st, err := f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Nil(t, st.Watermark, "no watermark from a failed initial cycle")
	require.Contains(t, st.Last.Error, "Unavailable")
	require.True(t, st.NextCycleAt.Equal(t0.Add(time.Minute)), "retried after a minute, not the 5-minute interval: %v", st.NextCycleAt)
	anchors, _ := f.pending(t)
	require.Equal(t, []string{"w1", "w2"}, anchors, "batches staged before the failure stay; the retry repeats them")

	f.src.failAt = 0
	f.clock.Advance(time.Minute)
	_, err = f.r.RunDue(ctx)
	require.NoError(t, err)
	st, err = f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Empty(t, st.Last.Error)
	require.NotNil(t, st.Watermark)

	// Throttling with Retry-After beyond the retry delay waits that long.
	f.src.fail = &source.Error{Kind: source.Throttling, Op: "Get_Workers", RetryAfter: 3 * time.Minute, Err: errors.New("HTTP 429")}
	f.clock.Advance(5 * time.Minute)
	_, err = f.r.RunDue(ctx)
	require.NoError(t, err)
	st, err = f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.True(t, st.NextCycleAt.Equal(f.clock.Now().Add(3*time.Minute)), "Retry-After honoured: %v", st.NextCycleAt)
	require.Equal(t, []string{`{"n":1}`}, f.src.changes)
}

func TestCrashedCycleIsTakenOverAfterLease(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	cctx, cancel := context.WithCancel(ctx)
	n := 0
	f.r.cfg.Notify = func() {
		n++
		if n == 2 {
			cancel() // the replica dies after staging two batches
		}
	}
	_, err := f.r.RunDue(cctx)
	require.ErrorIs(t, err, context.Canceled)
	st, err := f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, "r1", st.LeaseOwner, "the dead replica still holds the lease")

	other, err := New(Config{Store: f.st, Open: f.r.cfg.Open, Clock: f.clock, Owner: "r2"})
	require.NoError(t, err)
	ran, err := other.RunDue(ctx)
	require.NoError(t, err)
	require.False(t, ran, "not before the lease expires")
	f.clock.Advance(2*time.Minute + time.Second)
	ran, err = other.RunDue(ctx)
	require.NoError(t, err)
	require.True(t, ran)
	st, err = f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, Initial, st.Last.Kind)
	require.NotNil(t, st.Watermark)
	anchors, _ := f.pending(t)
	require.Equal(t, []string{"w1", "w2", "w1", "w2", "w3"}, anchors, "the window is repeated, nothing lost")
}

func TestWakes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 100)
	hire := t0.Add(36 * time.Hour)
	past := t0.Add(-time.Hour)
	f.src.wakes = map[string][]time.Time{"w3": {past, hire}}
	f.src.asOf = map[string]map[string]string{"w3": {"WorkerID": "3", "Title": "Manager", "Company": "C", "Active": "1"}}
	_, err := f.r.RunDue(ctx)
	require.NoError(t, err)
	due, err := f.st.DueWakes(ctx, t0.Add(100*time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, due, 1, "past wakes are dropped")
	require.True(t, due[0].DueAt.Equal(hire))

	n, err := f.r.HandleWakes(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "not due yet")
	f.clock.Advance(36 * time.Hour)
	n, err = f.r.HandleWakes(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, []time.Time{hire}, f.src.worker, "the worker is read as of the wake instant")
	recs, err := f.st.PendingRecords(ctx, "j1", 100)
	require.NoError(t, err)
	last := recs[len(recs)-1]
	require.Equal(t, "w3", last.Anchor)
	src, err := engine.DecodeSource(last.Payload)
	require.NoError(t, err)
	require.Equal(t, "1", src["Active"].AsString())
	due, err = f.st.DueWakes(ctx, t0.Add(100*time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, due, "a handled wake is gone")

	// A paused job's wakes wait.
	require.NoError(t, f.st.StageUpload(ctx, store.Upload{ID: "x.1", JobID: "j1", ReceivedAt: f.clock.Now(), Wakes: []store.Wake{{JobID: "j1", Anchor: "w3", DueAt: f.clock.Now()}}}))
	require.NoError(t, f.st.SetPaused(ctx, "j1", true))
	n, err = f.r.HandleWakes(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	require.NoError(t, f.st.SetPaused(ctx, "j1", false))
	n, err = f.r.HandleWakes(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestRecordWithoutAnchorFailsTheCycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 10)
	f.src.workers[""] = map[string]string{"WorkerID": "9"}
	_, err := f.r.RunDue(ctx)
	require.NoError(t, err)
	st, err := f.st.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Contains(t, st.Last.Error, "without an anchor")
	require.Nil(t, st.Watermark)
}

// TestWakeOfAnAPIDrivenJob: a job without a pull source gets the worker's
// latest staged record processed again when a lifecycle wake falls due.
func TestWakeOfAnAPIDrivenJob(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 10)
	require.NoError(t, f.st.CreateJob(ctx, store.Job{ID: "api", ServicePrincipal: "sp", Name: "api", Template: "API2AD", Domain: "hrsync.test",
		DefaultContainer: "OU=x,DC=hrsync,DC=test", Mapping: []byte(`{"rules":[]}`), Scoping: []byte(`{}`), SchemaVersion: 1, UploadTokenHash: []byte{1}, CreatedAt: t0}))
	require.NoError(t, f.st.StageUpload(ctx, store.Upload{ID: "u1", JobID: "api", ReceivedAt: t0,
		Records: []store.StagedRecord{{Anchor: "e1", Payload: []byte(`{"externalId":"e1","hireDate":"2026-12-01"}`)}},
		Wakes:   []store.Wake{{JobID: "api", Anchor: "e1", DueAt: t0.Add(time.Hour)}, {JobID: "api", Anchor: "gone", DueAt: t0.Add(time.Hour)}}}))
	f.clock.Advance(time.Hour)
	n, err := f.r.HandleWakes(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	recs, err := f.st.PendingRecords(ctx, "api", 10)
	require.NoError(t, err)
	require.Len(t, recs, 2, "the latest record again; nothing for an anchor never staged")
	require.Equal(t, "e1", recs[1].Anchor)
	require.JSONEq(t, string(recs[0].Payload), string(recs[1].Payload))
	due, err := f.st.DueWakes(ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, due)
}
