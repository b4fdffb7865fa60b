package worker

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

type memJournal struct {
	mu sync.Mutex
	m  map[string]*agentv1.Result
}

func (j *memJournal) Get(id string) (*agentv1.Result, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.m[id]
	return r, ok, nil
}

func (j *memJournal) Put(id string, r *agentv1.Result) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.m[id] = r
	return nil
}

type funcExecutor func(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result))

func (f funcExecutor) Execute(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result)) {
	f(ctx, op, emit)
}

func write(id string, attempt uint32) *agentv1.Operation {
	return &agentv1.Operation{OpId: id, Attempt: attempt, Kind: &agentv1.Operation_ModifyUser{ModifyUser: &agentv1.ModifyUser{}}}
}

func recv(t *testing.T, w *Worker) *agentv1.Result {
	t.Helper()
	select {
	case r := <-w.Results():
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no result")
		return nil
	}
}

func TestJournalPolicy(t *testing.T) {
	tests := []struct {
		name        string
		code        agentv1.ErrorCode
		wantReplay  bool
		wantRunsTwo bool
	}{
		{"success is journaled", agentv1.ErrorCode_ERROR_CODE_UNSPECIFIED, true, false},
		{"permanent error is journaled", agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION, true, false},
		{"retryable error runs again", agentv1.ErrorCode_ERROR_CODE_BUSY, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var runs atomic.Int32
			exec := funcExecutor(func(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result)) {
				runs.Add(1)
				res := &agentv1.Result{OpId: op.GetOpId()}
				if tc.code != 0 {
					res.Error = &agentv1.Error{Code: tc.code}
				}
				emit(res)
			})
			w, err := New(context.Background(), Config{Executor: exec, Journal: &memJournal{m: map[string]*agentv1.Result{}}})
			require.NoError(t, err)
			w.Submit(write("a", 1))
			require.Equal(t, uint32(1), recv(t, w).GetAttempt())
			w.Submit(write("a", 2))
			r := recv(t, w)
			require.Equal(t, uint32(2), r.GetAttempt(), "the answer carries the newest attempt")
			if tc.wantRunsTwo {
				require.Equal(t, int32(2), runs.Load())
			} else {
				require.Equal(t, int32(1), runs.Load())
			}
		})
	}
}

func TestReadsAreNotJournaled(t *testing.T) {
	var runs atomic.Int32
	exec := funcExecutor(func(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result)) {
		runs.Add(1)
		emit(&agentv1.Result{OpId: op.GetOpId()})
	})
	w, err := New(context.Background(), Config{Executor: exec, Journal: &memJournal{m: map[string]*agentv1.Result{}}})
	require.NoError(t, err)
	find := &agentv1.Operation{OpId: "f", Kind: &agentv1.Operation_FindUser{FindUser: &agentv1.FindUser{}}}
	w.Submit(find)
	recv(t, w)
	w.Submit(find)
	recv(t, w)
	require.Equal(t, int32(2), runs.Load(), "a read always reads the directory again")
}

func TestCancelAndConcurrencyLimit(t *testing.T) {
	var running, peak atomic.Int32
	release := make(chan struct{})
	exec := funcExecutor(func(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result)) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer running.Add(-1)
		select {
		case <-release:
			emit(&agentv1.Result{OpId: op.GetOpId()})
		case <-ctx.Done():
			emit(&agentv1.Result{OpId: op.GetOpId(), Error: &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_CANCELLED}})
		}
	})
	w, err := New(context.Background(), Config{Executor: exec, Journal: &memJournal{m: map[string]*agentv1.Result{}}, MaxConcurrent: 2})
	require.NoError(t, err)
	for _, id := range []string{"a", "b", "c", "d"} {
		w.Submit(write(id, 1))
	}
	require.Eventually(t, func() bool { return running.Load() == 2 }, 5*time.Second, 5*time.Millisecond)
	require.Len(t, w.InFlight(), 4)
	require.True(t, w.Cancel("a") || w.Cancel("b"))
	r := recv(t, w)
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_CANCELLED, r.GetError().GetCode())
	close(release)
	for range 3 {
		recv(t, w)
	}
	w.Wait()
	require.LessOrEqual(t, peak.Load(), int32(2))
	require.Empty(t, w.InFlight())
	require.False(t, w.Cancel("a"))
}
