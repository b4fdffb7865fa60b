// Package worker runs the operations an agent receives. It outlives stream
// sessions: an operation started under one session finishes and its result
// waits in the outbox for the next session to deliver. Writes are journaled
// by op_id, so an operation dispatched again returns the stored result
// instead of writing twice; an operation still running when it is dispatched
// again is not started a second time.
package worker

import (
	"context"
	"log/slog"
	"sync"

	"github.com/hrsync/hrsync/shared/direrr"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Executor performs one operation against the directory. Emit is called once
// per result chunk.
type Executor interface {
	Execute(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result))
}

// Journal stores final write results by op_id.
type Journal interface {
	Get(opID string) (*agentv1.Result, bool, error)
	Put(opID string, res *agentv1.Result) error
}

// Config configures a Worker.
type Config struct {
	Executor      Executor
	Journal       Journal
	MaxConcurrent int
	// Outbox is the capacity of the result queue. Default 1024.
	Outbox int
	Logger *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Executor == nil {
		return errMissing("Executor")
	}
	if c.Journal == nil {
		return errMissing("Journal")
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 8
	}
	if c.Outbox <= 0 {
		c.Outbox = 1024
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Worker executes operations with bounded concurrency.
type Worker struct {
	cfg  Config
	sem  chan struct{}
	out  chan *agentv1.Result
	wg   sync.WaitGroup
	root context.Context

	mu sync.Mutex // guards the fields below
	// inflight holds running operations by op_id.
	inflight map[string]*running
}

type running struct {
	cancel  context.CancelFunc
	attempt uint32
	seq     uint64
}

// New returns a Worker whose operations are owned by ctx: cancelling it
// cancels every running operation.
func New(ctx context.Context, cfg Config) (*Worker, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Worker{
		cfg:      cfg,
		sem:      make(chan struct{}, cfg.MaxConcurrent),
		out:      make(chan *agentv1.Result, cfg.Outbox),
		root:     ctx,
		inflight: map[string]*running{},
	}, nil
}

// Results is the outbox the current session delivers from.
func (w *Worker) Results() <-chan *agentv1.Result { return w.out }

// InFlight lists the operations running now.
func (w *Worker) InFlight() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]string, 0, len(w.inflight))
	for id := range w.inflight {
		ids = append(ids, id)
	}
	return ids
}

// Cancel stops a running operation; its result reports CANCELLED.
func (w *Worker) Cancel(opID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.inflight[opID]
	if ok {
		r.cancel()
	}
	return ok
}

// Submit starts op unless it is already running or already done.
func (w *Worker) Submit(op *agentv1.Operation) {
	log := w.cfg.Logger.With("op_id", op.GetOpId(), "attempt", op.GetAttempt())
	w.mu.Lock()
	if r, ok := w.inflight[op.GetOpId()]; ok {
		// Already running: answer the newest attempt when it finishes.
		r.attempt = max(r.attempt, op.GetAttempt())
		r.seq = op.GetSeq()
		w.mu.Unlock()
		log.Debug("operation already running")
		return
	}
	if isWrite(op) {
		if res, ok, err := w.cfg.Journal.Get(op.GetOpId()); err != nil {
			log.Error("journal read failed", "error", err)
		} else if ok {
			w.mu.Unlock()
			log.Info("operation replayed from journal")
			w.deliver(stamp(res, op.GetAttempt(), op.GetSeq(), op.GetLeaseGeneration()))
			return
		}
	}
	ctx, cancel := context.WithCancel(w.root)
	if d := op.GetTimeout().AsDuration(); d > 0 {
		ctx, cancel = context.WithTimeout(w.root, d)
	}
	r := &running{cancel: cancel, attempt: op.GetAttempt(), seq: op.GetSeq()}
	w.inflight[op.GetOpId()] = r
	w.wg.Add(1)
	w.mu.Unlock()

	go func() {
		defer w.wg.Done()
		defer cancel()
		select {
		case w.sem <- struct{}{}:
		case <-ctx.Done():
			w.finish(op, r, []*agentv1.Result{{OpId: op.GetOpId(), Error: direrr.ToProto(ctx.Err())}})
			return
		}
		defer func() { <-w.sem }()
		var results []*agentv1.Result
		w.cfg.Executor.Execute(ctx, op, func(res *agentv1.Result) {
			if res.GetMore() {
				// Chunks of an export go out as they come.
				w.mu.Lock()
				stamp(res, r.attempt, r.seq, op.GetLeaseGeneration())
				w.mu.Unlock()
				w.deliver(res)
				return
			}
			results = append(results, res)
		})
		w.finish(op, r, results)
	}()
}

func (w *Worker) finish(op *agentv1.Operation, r *running, results []*agentv1.Result) {
	w.mu.Lock()
	delete(w.inflight, op.GetOpId())
	attempt, seq := r.attempt, r.seq
	w.mu.Unlock()
	for _, res := range results {
		stamp(res, attempt, seq, op.GetLeaseGeneration())
		if isWrite(op) && !direrr.Retryable(res.GetError().GetCode()) {
			if err := w.cfg.Journal.Put(op.GetOpId(), res); err != nil {
				w.cfg.Logger.Error("journal write failed", "op_id", op.GetOpId(), "error", err)
			}
		}
		w.deliver(res)
	}
}

// Reply queues a result for an operation the worker did not run.
func (w *Worker) Reply(res *agentv1.Result) { w.deliver(res) }

func (w *Worker) deliver(res *agentv1.Result) {
	select {
	case w.out <- res:
	case <-w.root.Done():
	}
}

// Wait blocks until every running operation has finished.
func (w *Worker) Wait() { w.wg.Wait() }

func stamp(res *agentv1.Result, attempt uint32, seq, gen uint64) *agentv1.Result {
	res.Attempt, res.Seq, res.LeaseGeneration = attempt, seq, gen
	return res
}

func isWrite(op *agentv1.Operation) bool {
	switch op.GetKind().(type) {
	case *agentv1.Operation_CreateUser, *agentv1.Operation_ModifyUser, *agentv1.Operation_DeleteUser:
		return true
	}
	return false
}
