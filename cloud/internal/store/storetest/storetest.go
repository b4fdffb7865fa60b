// Package storetest is the conformance suite every store.Store
// implementation must pass:
//
//	func TestConformance(t *testing.T) {
//		storetest.RunSuite(t, func(t *testing.T) store.Store { return openTemp(t) })
//	}
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// RunSuite runs every conformance test against fresh stores from newStore.
func RunSuite(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"jobs", testJobs},
		{"uploads", testUploads},
		{"operation lifecycle", testOperationLifecycle},
		{"dispatchable operations by domain", testDispatchableByDomain},
		{"stale results are fenced", testFencing},
		{"finish record is atomic", testFinishRecord},
		{"log paging", testLogPaging},
		{"pending references", testReferences},
		{"escrows", testEscrows},
		{"deletion guard state", testDeletionGuard},
		{"pause and reset", testPauseAndReset},
		{"pull sources and cycle leases", testSyncs},
		{"digests and wakes", testDigestsAndWakes},
		{"links to an object and unlink", testLinksToObject},
		{"disabled links", testDisabledLinks},
		{"bootstrap tokens", testBootstrapTokens},
		{"enroll agents", testEnrollAgent},
		{"rotate certificates and report clones", testRotateAndClone},
	}
	tests = append(tests, sharedCases...)
	tests = append(tests, scaleOutCases...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func job(id string) store.Job {
	return store.Job{ID: id, ServicePrincipal: "sp", Name: "n " + id, Template: "API2AD", Domain: "hrsync.test",
		DefaultContainer: "OU=x,DC=hrsync,DC=test", Mapping: []byte(`{"rules":[]}`), Scoping: []byte(`{}`), SchemaVersion: 1,
		UploadTokenHash: []byte{1, 2}, CreatedAt: t0}
}

func testJobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	require.ErrorIs(t, s.CreateJob(ctx, job("j1")), store.ErrConflict)
	got, err := s.GetJob(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, job("j1"), got)
	_, err = s.GetJob(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, s.CreateJob(ctx, job("j2")))
	all, err := s.ListJobs(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)

	v, err := s.UpdateJobSchema(ctx, "j1", []byte(`{"rules":[{"target":"title"}]}`), []byte(`{"groups":[]}`))
	require.NoError(t, err)
	require.Equal(t, 2, v)
	got, err = s.GetJob(ctx, "j1")
	require.NoError(t, err)
	require.JSONEq(t, `{"rules":[{"target":"title"}]}`, string(got.Mapping))
	require.JSONEq(t, `{"groups":[]}`, string(got.Scoping))
	require.Equal(t, 2, got.SchemaVersion)
	other, err := s.GetJob(ctx, "j2")
	require.NoError(t, err)
	require.Equal(t, 1, other.SchemaVersion, "only the named job changes")
	_, err = s.UpdateJobSchema(ctx, "nope", []byte(`{}`), nil)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func stage(t *testing.T, s store.Store, jobID, uploadID string, anchors ...string) {
	u := store.Upload{ID: uploadID, JobID: jobID, ReceivedAt: t0}
	for _, a := range anchors {
		u.Records = append(u.Records, store.StagedRecord{BulkID: "b-" + a, Anchor: a, Payload: []byte(`{"externalId":"` + a + `"}`)})
	}
	require.NoError(t, s.StageUpload(context.Background(), u))
}

func testUploads(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	stage(t, s, "j1", "u1", "a", "b")
	stage(t, s, "j1", "u2", "c")
	// A duplicate upload id stores nothing more.
	require.ErrorIs(t, s.StageUpload(ctx, store.Upload{ID: "u1", JobID: "j1", ReceivedAt: t0,
		Records: []store.StagedRecord{{Anchor: "z", Payload: []byte(`{}`)}}}), store.ErrConflict)

	recs, err := s.PendingRecords(ctx, "j1", 10)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	require.Equal(t, []string{"a", "b", "c"}, []string{recs[0].Anchor, recs[1].Anchor, recs[2].Anchor})
	require.Equal(t, "u1", recs[0].UploadID)
	jobs, err := s.JobsWithPendingRecords(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"j1"}, jobs)

	n, err := s.CountPendingRecords(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, err = s.CountPendingRecords(ctx, "j2")
	require.NoError(t, err)
	require.Zero(t, n)
	limited, err := s.PendingRecords(ctx, "j1", 2)
	require.NoError(t, err)
	require.Len(t, limited, 2)

	stage(t, s, "j1", "u3", "a")
	latest, err := s.LatestRecord(ctx, "j1", "a")
	require.NoError(t, err)
	require.Equal(t, "u3", latest.UploadID, "the newest record of the worker")
	_, err = s.LatestRecord(ctx, "j1", "nobody")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Finish one record of u1 with a failure: u1 has 2 records, 1 pending.
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{RecordID: recs[0].ID,
		Log: store.LogEntry{ID: "l-status", JobID: "j1", CycleID: "u1", ChangeID: "c", ActivityTime: t0, Action: "create", Status: "failure"}}))
	st, err := s.UploadStatus(ctx, "j1", "u1")
	require.NoError(t, err)
	require.Equal(t, 2, st.Records)
	require.Equal(t, 1, st.Pending)
	require.Equal(t, map[string]int{"failure": 1}, st.ByStatus)
	require.WithinDuration(t, t0, st.ReceivedAt, time.Millisecond)
	_, err = s.UploadStatus(ctx, "j2", "u1")
	require.ErrorIs(t, err, store.ErrNotFound, "an upload of another job")
	_, err = s.UploadStatus(ctx, "j1", "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testOperationLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	op := store.Operation{ID: "op1", JobID: "j1", Domain: "hrsync.test", Payload: []byte("p"), CreatedAt: t0}
	require.NoError(t, s.CreateOperation(ctx, op))
	require.ErrorIs(t, s.CreateOperation(ctx, op), store.ErrConflict)

	ready, err := s.DispatchableOperations(ctx, t0, nil, 10)
	require.NoError(t, err)
	require.Len(t, ready, 1)

	seq1, err := s.MarkDispatched(ctx, "op1", 1, "agent-a", "r1", t0)
	require.NoError(t, err)
	_, err = s.MarkDispatched(ctx, "op1", 1, "agent-b", "r1", t0)
	require.ErrorIs(t, err, store.ErrConflict, "an op is dispatched once per attempt")

	ready, err = s.DispatchableOperations(ctx, t0, nil, 10)
	require.NoError(t, err)
	require.Empty(t, ready)

	// The agent vanished: back to pending with a delay, then attempt 2.
	require.NoError(t, s.Requeue(ctx, "op1", 1, t0.Add(time.Minute)))
	ready, err = s.DispatchableOperations(ctx, t0, nil, 10)
	require.NoError(t, err)
	require.Empty(t, ready, "NotBefore holds the retry back")
	ready, err = s.DispatchableOperations(ctx, t0.Add(time.Minute), nil, 10)
	require.NoError(t, err)
	require.Len(t, ready, 1)
	seq2, err := s.MarkDispatched(ctx, "op1", 2, "agent-b", "r1", t0)
	require.NoError(t, err)
	require.Greater(t, seq2, seq1, "sequence numbers grow")

	// A requeue may change what the next attempt runs.
	require.NoError(t, s.RequeueWith(ctx, "op1", 2, t0, []byte("pinned")))
	got, err := s.GetOperation(ctx, "op1")
	require.NoError(t, err)
	require.Equal(t, store.OpPending, got.State)
	require.Equal(t, []byte("pinned"), got.Payload)
	require.ErrorIs(t, s.RequeueWith(ctx, "op1", 2, t0, []byte("again")), store.ErrConflict, "not dispatched")
	_, err = s.MarkDispatched(ctx, "op1", 3, "agent-b", "r1", t0)
	require.NoError(t, err)
	require.NoError(t, s.Requeue(ctx, "op1", 3, t0))
	got, err = s.GetOperation(ctx, "op1")
	require.NoError(t, err)
	require.Equal(t, []byte("pinned"), got.Payload, "a plain requeue keeps the payload")
	_, err = s.MarkDispatched(ctx, "op1", 4, "agent-b", "r1", t0)
	require.NoError(t, err)

	require.NoError(t, s.Complete(ctx, "op1", 4, []byte("result"), t0))
	got, err = s.GetOperation(ctx, "op1")
	require.NoError(t, err)
	require.Equal(t, store.OpDone, got.State)
	require.Equal(t, uint32(4), got.Attempt)
	require.Equal(t, "agent-b", got.AgentID)
	require.Equal(t, []byte("result"), got.Result)
	_, err = s.GetOperation(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)

	done, err := s.ListOperations(ctx, store.OpDone)
	require.NoError(t, err)
	require.Len(t, done, 1)
}

func testDispatchableByDomain(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, op := range []store.Operation{
		{ID: "op-a", JobID: "j1", Domain: "hrsync.test", Payload: []byte("p"), CreatedAt: t0},
		{ID: "op-b", JobID: "j2", Domain: "Other.Test.", Payload: []byte("p"), CreatedAt: t0.Add(time.Second)},
	} {
		require.NoError(t, s.CreateOperation(ctx, op))
	}
	ids := func(domains []string) []string {
		ready, err := s.DispatchableOperations(ctx, t0.Add(time.Minute), domains, 10)
		require.NoError(t, err)
		out := []string{}
		for _, op := range ready {
			out = append(out, op.ID)
		}
		return out
	}
	require.Equal(t, []string{"op-a", "op-b"}, ids(nil), "nil: every domain")
	require.Equal(t, []string{"op-a"}, ids([]string{"hrsync.test"}), "a replica asks only for the domains its agents serve")
	require.Equal(t, []string{"op-b"}, ids([]string{"other.test", "third.test"}), "domains match without case or a trailing dot")
	require.Empty(t, ids([]string{}), "no agent, no domain")
}

func testFencing(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: "op", JobID: "j", Domain: "d", Payload: []byte("p"), CreatedAt: t0}))
	_, err := s.MarkDispatched(ctx, "op", 1, "a", "r1", t0)
	require.NoError(t, err)
	require.NoError(t, s.Requeue(ctx, "op", 1, t0))
	_, err = s.MarkDispatched(ctx, "op", 2, "b", "r1", t0)
	require.NoError(t, err)
	require.ErrorIs(t, s.Complete(ctx, "op", 1, []byte("late"), t0), store.ErrConflict, "attempt 1 is stale")
	require.ErrorIs(t, s.Requeue(ctx, "op", 1, t0), store.ErrConflict)
	// Adopt keeps the attempt (the agent is still running attempt 2).
	require.NoError(t, s.Adopt(ctx, "op", 2, "b", "r1", t0))
	require.ErrorIs(t, s.Adopt(ctx, "op", 1, "b", "r1", t0), store.ErrConflict)
	require.NoError(t, s.Complete(ctx, "op", 2, []byte("ok"), t0))
	require.ErrorIs(t, s.Complete(ctx, "op", 2, []byte("again"), t0), store.ErrConflict, "a result lands once")
	got, err := s.GetOperation(ctx, "op")
	require.NoError(t, err)
	require.Equal(t, []byte("ok"), got.Result)
}

func testFinishRecord(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	stage(t, s, "j1", "u1", "a", "b")
	recs, err := s.PendingRecords(ctx, "j1", 10)
	require.NoError(t, err)

	entry := store.LogEntry{ID: "l1", JobID: "j1", CycleID: "c", ChangeID: "ch", ActivityTime: t0, Action: "create", Status: "success",
		SourceID: "a", TargetID: "guid-a", Modified: []byte(`[{"displayName":"title","newValue":"x"}]`)}
	link := &store.Link{JobID: "j1", Anchor: "a", ObjectGUID: "guid-a", DN: "CN=A", UpdatedAt: t0}
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{RecordID: recs[0].ID, Log: entry, Link: link}))

	// Finishing the same record twice fails and writes nothing.
	entry2 := entry
	entry2.ID = "l2"
	require.ErrorIs(t, s.FinishRecord(ctx, store.Outcome{RecordID: recs[0].ID, Log: entry2}), store.ErrConflict)
	logs, err := s.QueryLogs(ctx, store.LogQuery{JobID: "j1"})
	require.NoError(t, err)
	require.Len(t, logs, 1)
	require.Equal(t, entry.Modified, logs[0].Modified)
	require.JSONEq(t, `[]`, string(logs[0].Steps))

	got, err := s.GetLink(ctx, "j1", "a")
	require.NoError(t, err)
	require.Equal(t, *link, got)
	n, err := s.CountLinks(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, 1, n)

	pending, err := s.PendingRecords(ctx, "j1", 10)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Equal(t, "b", pending[0].Anchor)

	// A later outcome moves the link.
	link2 := &store.Link{JobID: "j1", Anchor: "a", ObjectGUID: "guid-a", DN: "CN=A,OU=moved", UpdatedAt: t0}
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{RecordID: pending[0].ID, Log: entry2, Link: link2}))
	got, err = s.GetLink(ctx, "j1", "a")
	require.NoError(t, err)
	require.Equal(t, "CN=A,OU=moved", got.DN)
	require.NoError(t, s.DeleteLink(ctx, "j1", "a"))
	_, err = s.GetLink(ctx, "j1", "a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLogPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 5 {
		for _, jobID := range []string{"j1", "j2"} {
			require.NoError(t, s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{
				ID: fmt.Sprintf("%s-%d", jobID, i), JobID: jobID, CycleID: fmt.Sprintf("c%d", i), ActivityTime: t0.Add(time.Duration(i/2) * time.Second),
				Action: "update", Status: "success"}}))
		}
	}
	var ids []string
	q := store.LogQuery{JobID: "j1", Limit: 2}
	for {
		page, err := s.QueryLogs(ctx, q)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		for _, l := range page {
			ids = append(ids, l.ID)
		}
		last := page[len(page)-1]
		q.AfterTime, q.AfterID = last.ActivityTime, last.ID
	}
	require.Equal(t, []string{"j1-0", "j1-1", "j1-2", "j1-3", "j1-4"}, ids)

	byCycle, err := s.QueryLogs(ctx, store.LogQuery{JobID: "j1", CycleID: "c3"})
	require.NoError(t, err)
	require.Len(t, byCycle, 1)
	require.Equal(t, "j1-3", byCycle[0].ID)

	// Entries at t0 and t0+1s (4 per job) are older than t0+2s.
	n, err := s.PruneLogs(ctx, t0.Add(2*time.Second))
	require.NoError(t, err)
	require.Equal(t, 8, n)
	left, err := s.QueryLogs(ctx, store.LogQuery{JobID: "j1"})
	require.NoError(t, err)
	require.Len(t, left, 1)
	require.Equal(t, "j1-4", left[0].ID)
}

func testReferences(t *testing.T, s store.Store) {
	ctx := context.Background()
	link := func(anchor string) *store.Link {
		return &store.Link{JobID: "j", Anchor: anchor, ObjectGUID: "g-" + anchor, DN: "CN=" + anchor, UpdatedAt: t0}
	}
	finish := func(id string, o store.Outcome) {
		o.Log = store.LogEntry{ID: id, JobID: "j", ActivityTime: t0, Action: "create", Status: "success"}
		require.NoError(t, s.FinishRecord(ctx, o))
	}
	// The employee arrives before the manager: the reference waits.
	finish("l1", store.Outcome{Link: link("emp"), PutReferences: []store.PendingReference{
		{JobID: "j", Anchor: "emp", Attribute: "manager", Target: "boss", CreatedAt: t0}}})
	n, err := s.CountPendingReferences(ctx, "j")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	ready, err := s.ResolvableReferences(ctx, "j", 10)
	require.NoError(t, err)
	require.Empty(t, ready, "the target has no link yet")

	// A second put for the same attribute replaces the first.
	finish("l2", store.Outcome{PutReferences: []store.PendingReference{
		{JobID: "j", Anchor: "emp", Attribute: "manager", Target: "boss2", CreatedAt: t0}}})
	n, _ = s.CountPendingReferences(ctx, "j")
	require.Equal(t, 1, n)

	finish("l3", store.Outcome{Link: link("boss2")})
	ready, err = s.ResolvableReferences(ctx, "j", 10)
	require.NoError(t, err)
	require.Len(t, ready, 1)
	r := ready[0]
	require.Equal(t, "emp", r.Anchor)
	require.Equal(t, "boss2", r.Target)
	require.Equal(t, "g-emp", r.Holder.ObjectGUID)
	require.Equal(t, "CN=boss2", r.To.DN)
	other, err := s.ResolvableReferences(ctx, "other-job", 10)
	require.NoError(t, err)
	require.Empty(t, other)

	require.Equal(t, "boss2", r.To.Anchor)

	// A reference that names its target by the matching value (e.g.
	// SuccessFactors' managerId is the manager's personIdExternal while the
	// anchor is perPersonUuid) resolves through the link's MatchValue.
	finish("l5", store.Outcome{Link: link("emp2"), PutReferences: []store.PendingReference{
		{JobID: "j", Anchor: "emp2", Attribute: "manager", Target: "P-900", CreatedAt: t0.Add(time.Second)}}})
	boss3 := link("uuid-900")
	boss3.MatchValue = "P-900"
	finish("l6", store.Outcome{Link: boss3})
	ready, err = s.ResolvableReferences(ctx, "j", 10)
	require.NoError(t, err)
	require.Len(t, ready, 2)
	require.Equal(t, "emp2", ready[1].Anchor)
	require.Equal(t, "uuid-900", ready[1].To.Anchor)
	require.Equal(t, "CN=uuid-900", ready[1].To.DN)
	byValue, err := s.LinkByMatchValue(ctx, "j", "P-900")
	require.NoError(t, err)
	require.Equal(t, "uuid-900", byValue.Anchor)
	_, err = s.LinkByMatchValue(ctx, "j", "")
	require.ErrorIs(t, err, store.ErrNotFound, "links without a value never match the empty one")
	// A later outcome without the value keeps it.
	boss3.MatchValue = ""
	finish("l7", store.Outcome{Link: boss3})
	_, err = s.LinkByMatchValue(ctx, "j", "P-900")
	require.NoError(t, err)

	finish("l4", store.Outcome{DeleteReferences: []store.ReferenceKey{{JobID: "j", Anchor: "emp", Attribute: "manager"}}})
	n, _ = s.CountPendingReferences(ctx, "j")
	require.Equal(t, 1, n)
}

func testEscrows(t *testing.T, s store.Store) {
	ctx := context.Background()
	esc := store.Escrow{JobID: "j", Anchor: "a", RecordID: 7, BulkID: "b", Payload: []byte(`{"x":"1"}`), Attempts: 1,
		FirstFailed: t0, NextAttempt: t0.Add(time.Minute), ErrorCode: "ERROR_CODE_UNAVAILABLE", PinnedDC: "ldaps://dc1.example.com"}
	finish := func(id string, o store.Outcome) {
		o.Log = store.LogEntry{ID: id, JobID: "j", ActivityTime: t0, Action: "create", Status: "failure"}
		require.NoError(t, s.FinishRecord(ctx, o))
	}
	finish("l1", store.Outcome{Escrow: &esc})
	got, err := s.GetEscrow(ctx, "j", "a")
	require.NoError(t, err)
	require.Equal(t, esc, got)

	due, err := s.DueEscrows(ctx, t0, 10)
	require.NoError(t, err)
	require.Empty(t, due, "not yet")
	due, err = s.DueEscrows(ctx, t0.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, due, 1)

	// A second failure replaces the escrow (same anchor).
	esc2 := esc
	esc2.RecordID, esc2.Attempts, esc2.NextAttempt = 9, 2, t0.Add(5*time.Minute)
	finish("l2", store.Outcome{Escrow: &esc2})
	got, _ = s.GetEscrow(ctx, "j", "a")
	require.Equal(t, int64(9), got.RecordID)
	require.Equal(t, 2, got.Attempts)
	n, err := s.CountEscrows(ctx, "j")
	require.NoError(t, err)
	require.Equal(t, 1, n)

	finish("l3", store.Outcome{ClearEscrow: &store.EscrowKey{JobID: "j", Anchor: "a"}})
	_, err = s.GetEscrow(ctx, "j", "a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testDeletionGuard(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j")))
	require.NoError(t, s.SetQuarantine(ctx, "j", "TooManyDeletes", t0))
	got, err := s.GetJob(ctx, "j")
	require.NoError(t, err)
	require.Equal(t, "TooManyDeletes", got.QuarantineReason)
	require.Equal(t, t0, got.QuarantinedAt)

	require.NoError(t, s.AllowDeletes(ctx, "j", t0.Add(time.Minute)))
	got, _ = s.GetJob(ctx, "j")
	require.Empty(t, got.QuarantineReason, "allowing deletes lifts TooManyDeletes")
	require.True(t, got.QuarantinedAt.IsZero())
	require.Equal(t, t0.Add(time.Minute), got.DeletesAllowedBefore)

	require.NoError(t, s.SetQuarantine(ctx, "j", "EncounteredQuarantineException", t0))
	require.NoError(t, s.AllowDeletes(ctx, "j", t0))
	got, _ = s.GetJob(ctx, "j")
	require.Equal(t, "EncounteredQuarantineException", got.QuarantineReason, "other reasons stay")
	require.NoError(t, s.SetQuarantine(ctx, "j", "", t0))
	got, _ = s.GetJob(ctx, "j")
	require.Empty(t, got.QuarantineReason)
	require.ErrorIs(t, s.SetQuarantine(ctx, "nope", "x", t0), store.ErrNotFound)

	// The quarantine a job's admin was mailed about: set once per reason.
	for i, step := range []struct {
		reason  string
		changed bool
	}{{"TooManyDeletes", true}, {"TooManyDeletes", false}, {"EncounteredQuarantineException", true}, {"", true}, {"", false}} {
		changed, err := s.MarkAlerted(ctx, "j", step.reason)
		require.NoError(t, err)
		require.Equal(t, step.changed, changed, "step %d: %q", i, step.reason)
		got, _ = s.GetJob(ctx, "j")
		require.Equal(t, step.reason, got.AlertedReason, "step %d", i)
	}
	_, err = s.MarkAlerted(ctx, "nope", "x")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, s.AllowDeletes(ctx, "nope", t0), store.ErrNotFound)

	// Links remember the account state.
	for i, enabled := range []bool{true, false} {
		require.NoError(t, s.FinishRecord(ctx, store.Outcome{
			Log:  store.LogEntry{ID: fmt.Sprintf("e%d", i), JobID: "j", ActivityTime: t0.Add(time.Duration(i) * time.Hour), Action: []string{"create", "disable"}[i], Status: "success"},
			Link: &store.Link{JobID: "j", Anchor: "a", ObjectGUID: "g", DN: "CN=a", Enabled: enabled, UpdatedAt: t0}}))
		l, err := s.GetLink(ctx, "j", "a")
		require.NoError(t, err)
		require.Equal(t, enabled, l.Enabled)
	}
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: "e3", JobID: "j", ActivityTime: t0.Add(2 * time.Hour), Action: "disable", Status: "failure"}}))
	n, err := s.CountActions(ctx, "j", []string{"disable", "delete"}, t0)
	require.NoError(t, err)
	require.Equal(t, 1, n, "successful disables only")
	n, err = s.CountActions(ctx, "j", []string{"disable", "delete"}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.Zero(t, n, "outside the window")
}

func testPauseAndReset(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j")))
	require.NoError(t, s.SetPaused(ctx, "j", true))
	got, err := s.GetJob(ctx, "j")
	require.NoError(t, err)
	require.True(t, got.Paused)
	require.NoError(t, s.SetPaused(ctx, "j", false))
	got, _ = s.GetJob(ctx, "j")
	require.False(t, got.Paused)
	require.ErrorIs(t, s.SetPaused(ctx, "nope", true), store.ErrNotFound)

	require.NoError(t, s.FinishRecord(ctx, store.Outcome{
		Log:           store.LogEntry{ID: "l1", JobID: "j", ActivityTime: t0, Action: "create", Status: "failure"},
		Link:          &store.Link{JobID: "j", Anchor: "a", ObjectGUID: "g", DN: "CN=a", Enabled: true, UpdatedAt: t0},
		PutReferences: []store.PendingReference{{JobID: "j", Anchor: "a", Attribute: "manager", Target: "b", CreatedAt: t0}},
		Escrow:        &store.Escrow{JobID: "j", Anchor: "x", RecordID: 1, Payload: []byte("{}"), Attempts: 1, FirstFailed: t0, NextAttempt: t0},
	}))
	require.NoError(t, s.SetQuarantine(ctx, "j", "TooManyDeletes", t0))

	require.NoError(t, s.ResetJob(ctx, "j", store.Reset{Escrows: true}))
	n, _ := s.CountEscrows(ctx, "j")
	require.Zero(t, n)
	_, err = s.GetLink(ctx, "j", "a")
	require.NoError(t, err, "links stay unless asked")
	got, _ = s.GetJob(ctx, "j")
	require.Equal(t, "TooManyDeletes", got.QuarantineReason)

	require.NoError(t, s.ResetJob(ctx, "j", store.Reset{Links: true, Quarantine: true}))
	_, err = s.GetLink(ctx, "j", "a")
	require.ErrorIs(t, err, store.ErrNotFound)
	n, _ = s.CountPendingReferences(ctx, "j")
	require.Zero(t, n)
	got, _ = s.GetJob(ctx, "j")
	require.Empty(t, got.QuarantineReason)
	require.ErrorIs(t, s.ResetJob(ctx, "nope", store.Reset{Escrows: true}), store.ErrNotFound)
}
