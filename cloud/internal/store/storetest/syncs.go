package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

func testSyncs(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	require.NoError(t, s.CreateJob(ctx, job("j2")))
	_, err := s.GetSyncState(ctx, "j1")
	require.ErrorIs(t, err, store.ErrNotFound, "an API-driven job has no source")
	require.ErrorIs(t, s.PutSource(ctx, "nope", "workday", []byte(`{}`), time.Minute), store.ErrNotFound)

	require.NoError(t, s.PutSource(ctx, "j1", "workday", []byte(`{"url":"u"}`), 5*time.Minute))
	st, err := s.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, "workday", st.SourceKind)
	require.JSONEq(t, `{"url":"u"}`, string(st.SourceConfig))
	require.Equal(t, 5*time.Minute, st.Interval)
	require.Nil(t, st.Watermark, "a new source starts with an initial cycle")

	// One replica claims the due job; another finds nothing until the lease expires.
	got, ok, err := s.ClaimCycle(ctx, "r1", t0, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "j1", got.JobID)
	require.Equal(t, "r1", got.LeaseOwner)
	_, ok, err = s.ClaimCycle(ctx, "r2", t0.Add(30*time.Second), time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "leased by r1")
	require.NoError(t, s.ExtendLease(ctx, "j1", "r1", t0.Add(2*time.Minute)))
	require.ErrorIs(t, s.ExtendLease(ctx, "j1", "r2", t0.Add(time.Hour)), store.ErrConflict)
	_, ok, err = s.ClaimCycle(ctx, "r2", t0.Add(90*time.Second), time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "the extended lease holds")

	end := store.CycleEnd{Summary: store.CycleSummary{ID: "c1", Kind: "initial", StartedAt: t0, FinishedAt: t0.Add(time.Second), Read: 10, Staged: 9},
		Watermark: []byte(`{"at":"w1"}`), WatermarkVersion: 1, NextCycleAt: t0.Add(5 * time.Minute)}
	require.ErrorIs(t, s.FinishCycle(ctx, "j1", "r2", end), store.ErrConflict, "only the lease owner finishes")
	require.NoError(t, s.FinishCycle(ctx, "j1", "r1", end))
	st, err = s.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, `{"at":"w1"}`, string(st.Watermark))
	require.Equal(t, 1, st.WatermarkVersion)
	require.Equal(t, "", st.LeaseOwner)
	require.Equal(t, store.CycleSummary{ID: "c1", Kind: "initial", StartedAt: t0, FinishedAt: t0.Add(time.Second), Read: 10, Staged: 9}, st.Last)
	require.True(t, st.NextCycleAt.Equal(t0.Add(5*time.Minute)))

	// Not due yet; a failed cycle keeps the watermark.
	_, ok, err = s.ClaimCycle(ctx, "r2", t0.Add(time.Minute), time.Minute)
	require.NoError(t, err)
	require.False(t, ok)
	got, ok, err = s.ClaimCycle(ctx, "r2", t0.Add(5*time.Minute), time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "r2", got.LeaseOwner)
	require.NoError(t, s.FinishCycle(ctx, "j1", "r2", store.CycleEnd{Summary: store.CycleSummary{ID: "c2", Error: "Unavailable"}, NextCycleAt: t0.Add(6 * time.Minute)}))
	st, err = s.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, `{"at":"w1"}`, string(st.Watermark), "a failed cycle keeps the watermark")
	require.Equal(t, "Unavailable", st.Last.Error)

	// A paused job is not claimed; RequestCycle makes it due.
	require.NoError(t, s.RequestCycle(ctx, "j1", t0))
	require.NoError(t, s.SetPaused(ctx, "j1", true))
	_, ok, err = s.ClaimCycle(ctx, "r1", t0.Add(time.Hour), time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "paused")
	require.NoError(t, s.SetPaused(ctx, "j1", false))
	require.NoError(t, s.SetQuarantine(ctx, "j1", "TooManyDeletes", t0))
	_, ok, err = s.ClaimCycle(ctx, "r1", t0.Add(time.Hour), time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "quarantined")
	require.NoError(t, s.SetQuarantine(ctx, "j1", "", t0))
	require.ErrorIs(t, s.RequestCycle(ctx, "j2", t0), store.ErrNotFound, "j2 has no source")

	// Same kind keeps the watermark; another kind forgets it; Reset forgets it.
	require.NoError(t, s.PutSource(ctx, "j1", "workday", []byte(`{"url":"v"}`), time.Minute))
	st, err = s.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, `{"at":"w1"}`, string(st.Watermark))
	require.True(t, st.NextCycleAt.IsZero(), "a changed source is due now")
	require.NoError(t, s.ResetJob(ctx, "j1", store.Reset{Watermark: true}))
	st, err = s.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Nil(t, st.Watermark)
	require.NoError(t, s.FinishCycle(ctx, "j1", "", store.CycleEnd{Watermark: []byte("w"), WatermarkVersion: 1}))
	require.NoError(t, s.PutSource(ctx, "j1", "successfactors", []byte(`{}`), time.Minute))
	st, err = s.GetSyncState(ctx, "j1")
	require.NoError(t, err)
	require.Nil(t, st.Watermark, "another connector starts over")
}

func testDigestsAndWakes(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	require.NoError(t, s.CreateJob(ctx, job("j2")))
	require.NoError(t, s.PutSource(ctx, "j1", "csv", []byte(`{}`), time.Minute))
	w1 := store.Wake{JobID: "j1", Anchor: "a", DueAt: t0.Add(time.Hour)}
	w2 := store.Wake{JobID: "j1", Anchor: "b", DueAt: t0.Add(2 * time.Hour)}
	require.NoError(t, s.StageUpload(ctx, store.Upload{ID: "c1.1", CycleID: "c1", JobID: "j1", ReceivedAt: t0,
		Records: []store.StagedRecord{{Anchor: "a", Payload: []byte(`{}`), Digest: 11}, {Anchor: "b", Payload: []byte(`{}`), Digest: 22}, {Anchor: "c", Payload: []byte(`{}`)}},
		Wakes:   []store.Wake{w1, w2, w1}}))
	require.NoError(t, s.StageUpload(ctx, store.Upload{ID: "c2.1", JobID: "j1", ReceivedAt: t0,
		Records: []store.StagedRecord{{Anchor: "a", Payload: []byte(`{}`), Digest: -5}}, Wakes: []store.Wake{w1}}))
	stage(t, s, "j2", "u", "a")
	pending, err := s.PendingRecords(ctx, "j1", 10)
	require.NoError(t, err)
	require.Equal(t, "c1", pending[0].CycleID, "a batch remembers its cycle")
	require.Equal(t, "", pending[len(pending)-1].CycleID, "an upload of its own has none")
	latest, err := s.LatestRecord(ctx, "j1", "b")
	require.NoError(t, err)
	require.Equal(t, "c1", latest.CycleID)
	d, err := s.Digests(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"a": -5, "b": 22}, d, "the newest digest, none for records without one")
	d, err = s.Digests(ctx, "j2")
	require.NoError(t, err)
	require.Empty(t, d)

	due, err := s.DueWakes(ctx, t0.Add(90*time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, due, 1, "a wake staged twice is kept once")
	require.Equal(t, "a", due[0].Anchor)
	require.True(t, due[0].DueAt.Equal(w1.DueAt))
	require.NoError(t, s.DeleteWake(ctx, due[0]))
	due, err = s.DueWakes(ctx, t0.Add(3*time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, due, 1)
	require.Equal(t, "b", due[0].Anchor)

	require.NoError(t, s.ResetJob(ctx, "j1", store.Reset{Watermark: true}))
	d, err = s.Digests(ctx, "j1")
	require.NoError(t, err)
	require.Empty(t, d, "a reset forgets the last records")
}

func testLinksToObject(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	link := func(a string) *store.Link {
		return &store.Link{JobID: "j1", Anchor: a, ObjectGUID: "g1", DN: "CN=x", Enabled: true, UpdatedAt: t0}
	}
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: "l1", JobID: "j1", CycleID: "c", ChangeID: "c1", ActivityTime: t0, Action: "create", Status: "success"}, Link: link("old")}))
	links, err := s.LinksToObject(ctx, "j1", "g1")
	require.NoError(t, err)
	require.Len(t, links, 1)
	require.Equal(t, "old", links[0].Anchor)
	require.Equal(t, "CN=x", links[0].DN)

	// A new persona takes the object over in one outcome.
	require.NoError(t, s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: "l2", JobID: "j1", CycleID: "c", ChangeID: "c2", ActivityTime: t0, Action: "update", Status: "success"},
		Link: link("new"), Unlink: "old"}))
	links, err = s.LinksToObject(ctx, "j1", "g1")
	require.NoError(t, err)
	require.Len(t, links, 1)
	require.Equal(t, "new", links[0].Anchor)
	_, err = s.GetLink(ctx, "j1", "old")
	require.ErrorIs(t, err, store.ErrNotFound)
	links, err = s.LinksToObject(ctx, "j1", "nobody")
	require.NoError(t, err)
	require.Empty(t, links)
}

func testDisabledLinks(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.CreateJob(ctx, job("j1")))
	n := 0
	finish := func(anchor string, enabled bool, at time.Time) {
		n++
		require.NoError(t, s.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: "l" + string(rune('a'+n)), JobID: "j1", CycleID: "c", ChangeID: "c", ActivityTime: at, Action: "update", Status: "success"},
			Link: &store.Link{JobID: "j1", Anchor: anchor, ObjectGUID: "g-" + anchor, DN: "CN=" + anchor, Enabled: enabled, UpdatedAt: at}}))
	}
	finish("a", true, t0)
	finish("b", false, t0) // created disabled
	finish("a", false, t0.Add(time.Hour))
	finish("a", false, t0.Add(48*time.Hour)) // still disabled: the first instant stays
	finish("c", false, t0.Add(2*time.Hour))
	finish("c", true, t0.Add(3*time.Hour)) // enabled again: no longer a candidate

	got, err := s.DisabledLinks(ctx, "j1", t0.Add(24*time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, []string{"b", "a"}, []string{got[0].Anchor, got[1].Anchor}, "longest disabled first")
	require.True(t, got[1].DisabledAt.Equal(t0.Add(time.Hour)), "disabled since the first disable: %v", got[1].DisabledAt)
	require.Equal(t, "g-a", got[1].ObjectGUID)
	got, err = s.DisabledLinks(ctx, "j1", t0.Add(30*time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	got, err = s.DisabledLinks(ctx, "j1", t0.Add(24*time.Hour), 1)
	require.NoError(t, err)
	require.Len(t, got, 1, "limit")
}
