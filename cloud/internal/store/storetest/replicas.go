package storetest

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// scaleOutCases cover what replicas sharing one store rely on: events,
// replica liveness and leases.
var scaleOutCases = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"events announce pending and done operations", testEvents},
	{"reaping a dead replica requeues only its operations", testReapReplicas},
	{"racing reaps requeue each operation once", testRacingReaps},
	{"leases: one holder, renewal, expiry, release", testLeases},
	{"racing lease acquisitions: one wins", testRacingLeases},
}

// awaitEvent reads events until want arrives; other events (duplicates,
// resyncs) are skipped. Delivery is asynchronous on PostgreSQL.
func awaitEvent(t *testing.T, events <-chan store.Event, want store.Event) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			require.True(t, ok, "event channel closed before %+v", want)
			if ev == want {
				return
			}
		case <-timeout:
			t.Fatalf("no event %+v within 10s", want)
		}
	}
}

func testEvents(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := s.Subscribe(ctx)
	require.NoError(t, err)

	require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: "op", JobID: "j", Domain: "HRSync.Test.", Payload: []byte("p"), CreatedAt: t0}))
	awaitEvent(t, events, store.Event{Kind: store.EventOpPending, Key: "hrsync.test"})
	_, err = s.MarkDispatched(ctx, "op", 1, "a", "r1", t0)
	require.NoError(t, err)
	require.NoError(t, s.Requeue(ctx, "op", 1, t0))
	awaitEvent(t, events, store.Event{Kind: store.EventOpPending, Key: "hrsync.test"})
	_, err = s.MarkDispatched(ctx, "op", 2, "a", "r1", t0)
	require.NoError(t, err)
	require.ErrorIs(t, s.Complete(ctx, "op", 1, []byte("stale"), t0), store.ErrConflict)
	require.NoError(t, s.Complete(ctx, "op", 2, []byte("ok"), t0))
	awaitEvent(t, events, store.Event{Kind: store.EventOpDone, Key: "op"})

	// Revoking an agent tells every replica, so the one holding its
	// stream closes it; revoking it again (or an unknown agent) does not.
	require.NoError(t, s.CreateBootstrapToken(ctx, bootstrapToken("t-r", 9, t0.Add(time.Hour))))
	require.NoError(t, s.EnrollAgent(ctx, []byte{9, 0xff}, enrolled("Agent-R", "s1", t0)))
	require.NoError(t, s.RevokeAgent(ctx, "Agent-R", t0))
	awaitEvent(t, events, store.Event{Kind: store.EventAgentRevoked, Key: "Agent-R"})
	require.NoError(t, s.RevokeAgent(ctx, "Agent-R", t0.Add(time.Second)))
	require.ErrorIs(t, s.RevokeAgent(ctx, "nobody", t0), store.ErrNotFound)

	// A second subscriber hears the same; a cancelled one is closed.
	ctx2, cancel2 := context.WithCancel(ctx)
	second, err := s.Subscribe(ctx2)
	require.NoError(t, err)
	require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: "op2", JobID: "j", Domain: "other.test", Payload: []byte("p"), CreatedAt: t0}))
	awaitEvent(t, events, store.Event{Kind: store.EventOpPending, Key: "other.test"})
	awaitEvent(t, second, store.Event{Kind: store.EventOpPending, Key: "other.test"})
	cancel2()
	require.Eventually(t, func() bool {
		select {
		case _, ok := <-second:
			return !ok
		default:
			return false
		}
	}, 5*time.Second, 10*time.Millisecond, "a cancelled subscription is closed")
}

func testReapReplicas(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.HeartbeatReplica(ctx, "r1", t0, t0.Add(10*time.Second)))
	require.NoError(t, s.HeartbeatReplica(ctx, "r2", t0, t0.Add(10*time.Second)))
	require.NoError(t, s.HeartbeatReplica(ctx, "r2", t0.Add(5*time.Second), t0.Add(time.Minute)), "a heartbeat renews")
	for _, id := range []string{"a", "b", "c", "done"} {
		require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: id, JobID: "j", Domain: "d", Payload: []byte("p"), CreatedAt: t0}))
	}
	mark := func(id, agent, replica string) {
		_, err := s.MarkDispatched(ctx, id, 1, agent, replica, t0)
		require.NoError(t, err)
	}
	mark("a", "agent-1", "r1")
	mark("b", "agent-2", "r2")
	mark("c", "agent-1", "r1")
	mark("done", "agent-1", "r1")
	require.NoError(t, s.Complete(ctx, "done", 1, []byte("ok"), t0))
	// agent-1 reconnected through r2 and reported c in flight.
	require.NoError(t, s.Adopt(ctx, "c", 1, "agent-1", "r2", t0))
	got, err := s.GetOperation(ctx, "c")
	require.NoError(t, err)
	require.Equal(t, "r2", got.ReplicaID)

	reaped, n, err := s.ReapReplicas(ctx, t0.Add(5*time.Second))
	require.NoError(t, err)
	require.Empty(t, reaped, "nobody expired yet")
	require.Zero(t, n)

	reaped, n, err = s.ReapReplicas(ctx, t0.Add(20*time.Second))
	require.NoError(t, err)
	require.Equal(t, []string{"r1"}, reaped)
	require.Equal(t, 1, n)
	a, err := s.GetOperation(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, store.OpPending, a.State)
	require.Equal(t, uint32(1), a.Attempt, "the next dispatch is attempt 2")
	require.Empty(t, a.AgentID)
	require.Empty(t, a.ReplicaID)
	for id, want := range map[string]store.OpState{"b": store.OpDispatched, "c": store.OpDispatched, "done": store.OpDone} {
		op, err := s.GetOperation(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, op.State, id)
	}
	reps, err := s.ListReplicas(ctx)
	require.NoError(t, err)
	require.Len(t, reps, 1)
	require.Equal(t, "r2", reps[0].ID)
	require.Equal(t, t0, reps[0].StartedAt)
	require.Equal(t, t0.Add(5*time.Second), reps[0].HeartbeatAt)
	require.Equal(t, t0.Add(time.Minute), reps[0].ExpiresAt)

	_, err = s.MarkDispatched(ctx, "a", 2, "agent-2", "r2", t0)
	require.NoError(t, err, "the requeued operation is dispatched again")

	require.NoError(t, s.LeaveReplica(ctx, "r2"))
	reps, err = s.ListReplicas(ctx)
	require.NoError(t, err)
	require.Empty(t, reps)
}

func testRacingReaps(t *testing.T, s store.Store) {
	ctx := context.Background()
	const perReplica = 5
	for r := range 3 {
		replica := fmt.Sprintf("r%d", r)
		require.NoError(t, s.HeartbeatReplica(ctx, replica, t0, t0.Add(time.Second)))
		for i := range perReplica {
			id := fmt.Sprintf("op-%d-%d", r, i)
			require.NoError(t, s.CreateOperation(ctx, store.Operation{ID: id, JobID: "j", Domain: "d", Payload: []byte("p"), CreatedAt: t0}))
			_, err := s.MarkDispatched(ctx, id, 1, "agent", replica, t0)
			require.NoError(t, err)
		}
	}
	reaped := make([][]string, writers)
	counts := make([]int, writers)
	for i, err := range race(func(i int) error {
		var err error
		reaped[i], counts[i], err = s.ReapReplicas(ctx, t0.Add(time.Minute))
		return err
	}) {
		require.NoError(t, err, "reaper %d", i)
	}
	var all []string
	total := 0
	for i := range writers {
		all = append(all, reaped[i]...)
		total += counts[i]
	}
	sort.Strings(all)
	require.Equal(t, []string{"r0", "r1", "r2"}, all, "each replica is reaped once")
	require.Equal(t, 3*perReplica, total, "each operation is requeued once")
	pending, err := s.DispatchableOperations(ctx, t0.Add(time.Minute), nil, -1)
	require.NoError(t, err)
	require.Len(t, pending, 3*perReplica)
}

func testLeases(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.AcquireLease(ctx, "job/j1", "r1", t0, 30*time.Second))
	require.ErrorIs(t, s.AcquireLease(ctx, "job/j1", "r2", t0.Add(10*time.Second), 30*time.Second), store.ErrConflict)
	require.NoError(t, s.AcquireLease(ctx, "job/j2", "r2", t0, 30*time.Second), "leases are per name")
	require.NoError(t, s.AcquireLease(ctx, "job/j1", "r1", t0.Add(20*time.Second), 30*time.Second), "the holder renews")
	require.ErrorIs(t, s.AcquireLease(ctx, "job/j1", "r2", t0.Add(40*time.Second), 30*time.Second), store.ErrConflict,
		"the renewal moved the expiry to 50s")
	require.NoError(t, s.AcquireLease(ctx, "job/j1", "r2", t0.Add(50*time.Second), 30*time.Second), "an expired lease is free")
	require.ErrorIs(t, s.AcquireLease(ctx, "job/j1", "r1", t0.Add(55*time.Second), 30*time.Second), store.ErrConflict,
		"the old holder lost it")
	require.NoError(t, s.ReleaseLease(ctx, "job/j1", "r1"), "releasing a lease one does not hold is a no-op")
	require.ErrorIs(t, s.AcquireLease(ctx, "job/j1", "r1", t0.Add(55*time.Second), 30*time.Second), store.ErrConflict)
	require.NoError(t, s.ReleaseLease(ctx, "job/j1", "r2"))
	require.NoError(t, s.AcquireLease(ctx, "job/j1", "r1", t0.Add(55*time.Second), 30*time.Second), "a released lease is free")
}

func testRacingLeases(t *testing.T, s store.Store) {
	ctx := context.Background()
	winner := oneWinner(t, race(func(i int) error {
		return s.AcquireLease(ctx, "job/j", fmt.Sprintf("r%d", i), t0, time.Minute)
	}))
	// Expired: again exactly one of the others takes it over.
	second := oneWinner(t, race(func(i int) error {
		if i == winner {
			return fmt.Errorf("sits out: %w", store.ErrConflict)
		}
		return s.AcquireLease(ctx, "job/j", fmt.Sprintf("r%d", i), t0.Add(2*time.Minute), time.Minute)
	}))
	require.NotEqual(t, winner, second)
}
