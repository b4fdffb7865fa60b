package link

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hrsync/hrsync/agent/internal/link/fakecloud"
	"github.com/hrsync/hrsync/agent/internal/state"
	"github.com/hrsync/hrsync/agent/internal/worker"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/version"
)

// countingExecutor answers every operation and counts executions per op_id.
type countingExecutor struct {
	mu    sync.Mutex
	runs  map[string]int
	block chan struct{} // when set, Execute waits for it
}

func (e *countingExecutor) Execute(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result)) {
	e.mu.Lock()
	e.runs[op.GetOpId()]++
	block := e.block
	e.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
		}
	}
	emit(&agentv1.Result{OpId: op.GetOpId(), Outcome: agentv1.Outcome_OUTCOME_CREATED})
}

func (e *countingExecutor) count(id string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runs[id]
}

type harness struct {
	fc      *fakecloud.Cloud
	sup     *Supervisor
	exec    *countingExecutor
	journal *state.Journal
	done    chan error
	cancel  context.CancelFunc
	states  atomic.Value
}

func start(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	fc := fakecloud.Start(t)
	j, err := state.Open(filepath.Join(t.TempDir(), "j.db"), nil, 0)
	require.NoError(t, err)
	t.Cleanup(func() { j.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	exec := &countingExecutor{runs: map[string]int{}}
	w, err := worker.New(ctx, worker.Config{Executor: exec, Journal: j})
	require.NoError(t, err)
	h := &harness{fc: fc, exec: exec, journal: j, done: make(chan error, 1), cancel: cancel}
	cfg := Config{Addr: fc.Addr, TLS: fc.ClientTLS(t), AgentID: "agent-test", Domains: []string{"hrsync.test"},
		Worker: w, Seq: j, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, HandshakeTimeout: 2 * time.Second,
		Observer: func(s State, _ error) { h.states.Store(s) }}
	if mutate != nil {
		mutate(&cfg)
	}
	h.sup, err = NewSupervisor(cfg)
	require.NoError(t, err)
	go func() { h.done <- h.sup.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
			t.Error("supervisor did not stop")
		}
	})
	return h
}

func op(id string, attempt uint32, seq uint64) *agentv1.CloudMessage {
	return &agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Operation{Operation: &agentv1.Operation{
		OpId: id, Attempt: attempt, Seq: seq, Domain: "hrsync.test",
		Kind: &agentv1.Operation_CreateUser{CreateUser: &agentv1.CreateUser{Cn: "x"}}}}}
}

func TestHandshakeAndResult(t *testing.T) {
	h := start(t, nil)
	require.Eventually(t, func() bool { return len(h.fc.Hellos()) == 1 }, 5*time.Second, 10*time.Millisecond)
	hello := h.fc.Hellos()[0]
	require.Equal(t, "agent-test", hello.GetAgentId())
	require.Equal(t, []string{"hrsync.test"}, hello.GetDomains())
	require.Equal(t, version.Protocol, hello.GetProtocolVersion())
	require.Eventually(t, func() bool { st, _ := h.sup.State(); return st == StateConnected }, 5*time.Second, 10*time.Millisecond)

	h.fc.Send(op("op-1", 1, 7))
	require.Eventually(t, func() bool { return len(h.fc.Results()) == 1 }, 5*time.Second, 10*time.Millisecond)
	res := h.fc.Results()[0]
	require.Equal(t, "op-1", res.GetOpId())
	require.Equal(t, uint32(1), res.GetAttempt())
	require.Equal(t, uint64(7), res.GetSeq())
	require.Eventually(t, func() bool { return h.journal.LastAckedSeq() == 7 }, 5*time.Second, 10*time.Millisecond)
}

func TestReconnectReportsInFlightAndReplaysFromJournal(t *testing.T) {
	h := start(t, nil)
	require.Eventually(t, func() bool { return len(h.fc.Hellos()) == 1 }, 5*time.Second, 10*time.Millisecond)

	// An operation that is still running when the stream drops is reported
	// in the next Hello.
	block := make(chan struct{})
	h.exec.mu.Lock()
	h.exec.block = block
	h.exec.mu.Unlock()
	h.fc.Send(op("op-slow", 1, 1))
	require.Eventually(t, func() bool { return h.exec.count("op-slow") == 1 }, 5*time.Second, 10*time.Millisecond)
	h.fc.Drop()
	require.Eventually(t, func() bool { return len(h.fc.Hellos()) == 2 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"op-slow"}, h.fc.Hellos()[1].GetInFlightOpIds())

	// The cloud dispatches it again meanwhile: it is not run a second time,
	// and the result carries the newest attempt.
	h.fc.Send(op("op-slow", 2, 2))
	time.Sleep(50 * time.Millisecond)
	close(block)
	h.exec.mu.Lock()
	h.exec.block = nil
	h.exec.mu.Unlock()
	require.Eventually(t, func() bool { return len(h.fc.Results()) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, uint32(2), h.fc.Results()[0].GetAttempt())
	require.Equal(t, 1, h.exec.count("op-slow"))

	// A finished write dispatched again is answered from the journal.
	h.fc.Send(op("op-slow", 3, 3))
	require.Eventually(t, func() bool { return len(h.fc.Results()) == 2 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, uint32(3), h.fc.Results()[1].GetAttempt())
	require.Equal(t, 1, h.exec.count("op-slow"), "replayed, not executed again")
}

func TestWatchdogEndsQuietSession(t *testing.T) {
	h := start(t, nil)
	h.fc.Set(func(c *fakecloud.Cloud) { c.Heartbeat, c.Silent = 30*time.Millisecond, true })
	h.fc.Drop() // the next session gets the short, silent heartbeat
	require.Eventually(t, func() bool { return h.fc.Streams() >= 4 }, 10*time.Second, 10*time.Millisecond,
		"the watchdog keeps ending silent sessions and the supervisor reconnects")
}

func TestSupervisorStopsForAdminAction(t *testing.T) {
	tests := []struct {
		name string
		code codes.Code
		want string
	}{
		{"unauthenticated means re-enrol", codes.Unauthenticated, "re-enrolment"},
		{"permission denied means re-enrol", codes.PermissionDenied, "re-enrolment"},
		{"failed precondition means upgrade", codes.FailedPrecondition, "upgrade"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, nil)
			require.Eventually(t, func() bool { return len(h.fc.Hellos()) == 1 }, 5*time.Second, 10*time.Millisecond)
			h.fc.Set(func(c *fakecloud.Cloud) { c.Refuse = status.New(tc.code, "no") })
			h.fc.Drop()
			select {
			case err := <-h.done:
				require.ErrorIs(t, err, ErrStopped)
				require.ErrorContains(t, err, tc.want)
				h.done <- err // for cleanup
			case <-time.After(5 * time.Second):
				t.Fatal("supervisor kept retrying")
			}
		})
	}
}

func TestUnavailableKeepsRetrying(t *testing.T) {
	h := start(t, nil)
	require.Eventually(t, func() bool { return len(h.fc.Hellos()) == 1 }, 5*time.Second, 10*time.Millisecond)
	h.fc.Set(func(c *fakecloud.Cloud) { c.Refuse = status.New(codes.Unavailable, "busy") })
	h.fc.Drop()
	require.Eventually(t, func() bool { return h.fc.Streams() >= 5 }, 5*time.Second, 10*time.Millisecond)
	h.fc.Set(func(c *fakecloud.Cloud) { c.Refuse = nil })
	require.Eventually(t, func() bool { return len(h.fc.Hellos()) == 2 }, 5*time.Second, 10*time.Millisecond, "reconnects once the cloud is back")
}

func TestDrainRefusesNewOperations(t *testing.T) {
	h := start(t, nil)
	require.Eventually(t, func() bool { st, _ := h.sup.State(); return st == StateConnected }, 5*time.Second, 10*time.Millisecond)
	h.sup.Drain()
	h.fc.Send(op("op-late", 1, 1))
	require.Eventually(t, func() bool { return len(h.fc.Results()) == 1 }, 5*time.Second, 10*time.Millisecond)
	res := h.fc.Results()[0]
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, res.GetError().GetCode())
	require.Equal(t, 0, h.exec.count("op-late"))
}
