package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// sharedCases hold when several writers (goroutines here, cloud replicas
// in production) use one store at once, and where dialects could differ.
var sharedCases = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"racing dispatches of one attempt: one wins", testRacingDispatch},
	{"concurrent dispatches get distinct sequence numbers", testConcurrentSeq},
	{"racing finishes of one record: one log entry", testRacingFinish},
	{"uploads appear whole to concurrent readers", testConcurrentUploads},
	{"concurrent schema updates each get a version", testConcurrentSchemaUpdates},
	{"ids order bytewise", testByteOrder},
	{"racing enrollments with one token: one wins", testRacingEnrollment},
}

// writers is how many goroutines race in each case.
const writers = 12

// race runs fn on writers goroutines released together and returns their
// errors.
func race(fn func(i int) error) []error {
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner checks that exactly one call succeeded, that every other lost
// with store.ErrConflict (not a lock timeout or a deadlock), and returns
// the winner.
func oneWinner(t *testing.T, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "writers %d and %d both won", winner, i)
			winner = i
			continue
		}
		require.ErrorIs(t, err, store.ErrConflict, "writer %d", i)
	}
	require.NotEqual(t, -1, winner, "nobody won")
	return winner
}

func testRacingDispatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: "op", JobID: "j", Domain: "d", Payload: []byte("p"), CreatedAt: t0}))
	seqs := make([]uint64, writers)
	winner := oneWinner(t, race(func(i int) error {
		var err error
		seqs[i], err = s.MarkDispatched(ctx, "op", 1, fmt.Sprintf("agent-%d", i), "r1", t0)
		return err
	}))
	got, err := s.GetOperation(ctx, "op")
	require.NoError(t, err)
	require.Equal(t, store.OpDispatched, got.State)
	require.Equal(t, uint32(1), got.Attempt)
	require.Equal(t, fmt.Sprintf("agent-%d", winner), got.AgentID)
	require.Equal(t, seqs[winner], got.Seq)

	// The same for the results of one attempt.
	winner = oneWinner(t, race(func(i int) error {
		return s.Complete(ctx, "op", 1, []byte(fmt.Sprintf("result-%d", i)), t0)
	}))
	got, err = s.GetOperation(ctx, "op")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("result-%d", winner), string(got.Result))
}

func testConcurrentSeq(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range writers {
		require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: fmt.Sprintf("op-%02d", i), JobID: "j", Domain: "d",
			Payload: []byte("p"), CreatedAt: t0}))
	}
	seqs := make([]uint64, writers)
	for i, err := range race(func(i int) error {
		var err error
		seqs[i], err = s.MarkDispatched(ctx, fmt.Sprintf("op-%02d", i), 1, "a", "r1", t0)
		return err
	}) {
		require.NoError(t, err, "writer %d", i)
	}
	seen := map[uint64]bool{}
	for _, seq := range seqs {
		require.False(t, seen[seq], "sequence number %d handed out twice", seq)
		require.NotZero(t, seq)
		seen[seq] = true
	}
}

func testRacingFinish(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	stage(t, s, "j1", "u1", "a")
	recs, err := s.PendingRecords(ctx, "j1", 10)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	winner := oneWinner(t, race(func(i int) error {
		return s.FinishRecord(ctx, store.Outcome{RecordID: recs[0].ID,
			Log:  store.LogEntry{ID: fmt.Sprintf("l%d", i), JobID: "j1", ActivityTime: t0, Action: "create", Status: "success"},
			Link: &store.Link{JobID: "j1", Anchor: "a", ObjectGUID: fmt.Sprintf("g%d", i), DN: "CN=a", UpdatedAt: t0}})
	}))
	logs, err := s.QueryLogs(ctx, store.LogQuery{JobID: "j1"})
	require.NoError(t, err)
	require.Len(t, logs, 1, "the losers wrote no log entry")
	require.Equal(t, fmt.Sprintf("l%d", winner), logs[0].ID)
	link, err := s.GetLink(ctx, "j1", "a")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("g%d", winner), link.ObjectGUID, "nor a link")
	pending, err := s.PendingRecords(ctx, "j1", 10)
	require.NoError(t, err)
	require.Empty(t, pending)
}

func testConcurrentUploads(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	const perUpload = 20
	anchors := make([]string, perUpload)
	for i := range anchors {
		anchors[i] = fmt.Sprintf("a%02d", i)
	}

	// A reader polls while the uploads land and checks every snapshot.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var checked int
	readerErr := make(chan error, 1)
	go func() {
		readerErr <- func() error {
			for {
				recs, err := s.PendingRecords(ctx, "j1", 1000)
				if ctx.Err() != nil {
					return nil
				}
				if err != nil {
					return err
				}
				if err := wholeUploads(recs, anchors); err != nil {
					return err
				}
				checked++
			}
		}()
	}()

	for i, err := range race(func(i int) error {
		stage := store.Upload{ID: fmt.Sprintf("u%02d", i), JobID: "j1", ReceivedAt: t0}
		for _, a := range anchors {
			stage.Records = append(stage.Records, store.StagedRecord{BulkID: a, Anchor: a, Payload: []byte(`{}`)})
		}
		return s.StageUpload(context.Background(), stage)
	}) {
		require.NoError(t, err, "writer %d", i)
	}
	cancel()
	require.NoError(t, <-readerErr)
	t.Logf("%d snapshots checked", checked)

	recs, err := s.PendingRecords(context.Background(), "j1", 1000)
	require.NoError(t, err)
	require.Len(t, recs, writers*perUpload)
	require.NoError(t, wholeUploads(recs, anchors))
	jobs, err := s.JobsWithPendingRecords(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"j1"}, jobs)
}

// wholeUploads checks that recs hold every record of an upload or none,
// each upload's records in their order.
func wholeUploads(recs []store.StagedRecord, anchors []string) error {
	byUpload := map[string][]string{}
	var last int64
	for _, r := range recs {
		if r.ID <= last {
			return fmt.Errorf("record ids out of order: %d after %d", r.ID, last)
		}
		last = r.ID
		byUpload[r.UploadID] = append(byUpload[r.UploadID], r.Anchor)
	}
	for u, got := range byUpload {
		if fmt.Sprint(got) != fmt.Sprint(anchors) {
			return fmt.Errorf("upload %s seen as %v", u, got)
		}
	}
	return nil
}

func testConcurrentSchemaUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	versions := make([]int, writers)
	for i, err := range race(func(i int) error {
		var err error
		versions[i], err = s.UpdateJobSchema(ctx, "j1", []byte(fmt.Sprintf(`{"rules":[],"n":%d}`, i)), nil)
		return err
	}) {
		require.NoError(t, err, "writer %d", i)
	}
	seen := map[int]int{}
	last := -1
	for i, v := range versions {
		require.NotContains(t, seen, v, "writers %d and %d both got version %d", seen[v], i, v)
		seen[v] = i
		require.True(t, v >= 2 && v <= writers+1, "version %d", v)
		if v == writers+1 {
			last = i
		}
	}
	got, err := s.GetJob(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, writers+1, got.SchemaVersion)
	require.JSONEq(t, fmt.Sprintf(`{"rules":[],"n":%d}`, last), string(got.Mapping), "the last update's mapping stays")
}

// testByteOrder: ids compare as bytes (uppercase before '_' before
// lowercase), as in SQLite, whatever collation a database defaults to.
func testByteOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := []string{"B", "_x", "a"} // byte order; en-US puts them _x, a, B
	for _, id := range []string{"a", "B", "_x"} {
		require.NoError(t, s.CreateJob(ctx, job(id)))
		require.NoError(t, s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: id, JobID: "j", ActivityTime: t0, Action: "update", Status: "success"}}))
	}
	jobs, err := s.ListJobs(ctx)
	require.NoError(t, err)
	var got []string
	for _, j := range jobs {
		got = append(got, j.ID)
	}
	require.Equal(t, ids, got, "ListJobs")

	got = nil
	q := store.LogQuery{JobID: "j", Limit: 1}
	for {
		page, err := s.QueryLogs(ctx, q)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		got = append(got, page[0].ID)
		q.AfterTime, q.AfterID = page[0].ActivityTime, page[0].ID
	}
	require.Equal(t, ids, got, "QueryLogs pages")

	for _, id := range []string{"a", "B", "_x"} {
		stage(t, s, id, "u"+id, "r")
	}
	pending, err := s.JobsWithPendingRecords(ctx)
	require.NoError(t, err)
	require.Equal(t, ids, pending, "JobsWithPendingRecords")
}
