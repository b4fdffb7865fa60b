package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// TestReplicasProcessAJobOnce runs two engines (two replicas) on one store
// and one directory: every record is processed once, by one of them, and
// each directory operation is sent once.
func TestReplicasProcessAJobOnce(t *testing.T) {
	r := newRig(t, testMapping, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	const records = 200
	var recs []store.StagedRecord
	for i := range records {
		payload, err := EncodeSource(map[string]expr.Value{"externalId": expr.String(fmt.Sprint(i)), "displayName": expr.String("W"), "active": expr.String("True")})
		require.NoError(t, err)
		recs = append(recs, store.StagedRecord{Anchor: fmt.Sprint(i), Payload: payload})
	}
	require.NoError(t, r.st.StageUpload(ctx, store.Upload{ID: "u", JobID: "j", ReceivedAt: time.Now(), Records: recs}))

	clk := clockwork.NewFakeClock()
	var engines []*Engine
	for _, owner := range []string{"replica-a", "replica-b"} {
		eng, err := New(Config{Store: r.st, Dispatch: r.dir, Leases: r.st, Owner: owner, Lease: time.Minute, Clock: clk, Batch: 20})
		require.NoError(t, err)
		engines = append(engines, eng)
	}
	var wg sync.WaitGroup
	for _, eng := range engines {
		wg.Go(func() { eng.Run(ctx) })
	}
	defer func() { cancel(); wg.Wait() }()
	require.Eventually(t, func() bool {
		for _, eng := range engines {
			eng.Notify()
		}
		n, err := r.st.CountPendingRecords(ctx, "j")
		return err == nil && n == 0
	}, 30*time.Second, 10*time.Millisecond)

	logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j", Limit: 1000})
	require.NoError(t, err)
	require.Equal(t, records, len(logs), "one log entry per record")
	sent := map[string]int{}
	r.dir.mu.Lock()
	for _, op := range r.dir.ops {
		sent[op.GetOpId()]++
	}
	r.dir.mu.Unlock()
	for id, n := range sent {
		require.Equal(t, 1, n, "operation %s sent %d times", id, n)
	}
	require.Equal(t, records, len(r.dir.objects), "one account per worker")
}

// TestLostLeaseStopsTheJob: when another replica takes a job's lease over
// (this one stalled past it), the work under it is cancelled.
func TestLostLeaseStopsTheJob(t *testing.T) {
	r := newRig(t, testMapping, `{}`)
	clk := clockwork.NewFakeClock()
	eng, err := New(Config{Store: r.st, Dispatch: r.dir, Leases: r.st, Owner: "replica-a", Lease: 30 * time.Second, Clock: clk})
	require.NoError(t, err)
	ctx := context.Background()
	jctx, release, ok := eng.hold(ctx, "j")
	require.True(t, ok)
	_, _, again := eng.hold(ctx, "j")
	require.False(t, again, "one claim per job in process")
	require.ErrorIs(t, r.st.AcquireLease(ctx, leasePrefix+"j", "replica-b", clk.Now(), time.Minute), store.ErrConflict)

	// replica-b takes the lease once it has expired for it.
	require.NoError(t, r.st.AcquireLease(ctx, leasePrefix+"j", "replica-b", clk.Now().Add(time.Minute), time.Minute))
	require.NoError(t, clk.BlockUntilContext(ctx, 1))
	clk.Advance(10 * time.Second)
	select {
	case <-jctx.Done():
		require.ErrorIs(t, context.Cause(jctx), errLeaseLost)
	case <-time.After(10 * time.Second):
		t.Fatal("work under a lost lease goes on")
	}
	release()
	require.ErrorIs(t, r.st.AcquireLease(ctx, leasePrefix+"j", "replica-a", clk.Now(), time.Minute), store.ErrConflict,
		"releasing does not free another replica's lease")
}
