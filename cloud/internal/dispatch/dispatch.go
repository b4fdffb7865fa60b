// Package dispatch moves durable operations from the store to live agents
// and their results back. An operation is stored before it is dispatched;
// it is dispatched again, with a new attempt, when its agent disconnects,
// when it times out, or when the agent reports a retryable error. A result
// is accepted only for the operation's current attempt from the agent that
// holds it, so a late answer from an earlier attempt never counts. Delivery
// to agents is at least once; the agent executes idempotently.
//
// Several replicas may share one store (PostgreSQL). Each dispatches
// pending operations to the agents connected to it, so an operation
// submitted on one replica is done through whichever replica holds a
// stream for its domain. Store events (LISTEN/NOTIFY) wake the replica
// that can dispatch a new operation and the replica waiting for a result;
// a poll of the store covers events that were lost. Each replica
// heartbeats a lease in the store; when one dies, a survivor requeues the
// operations that were dispatched through it.
//
//	d, _ := dispatch.New(dispatch.Config{Store: st})
//	go d.Run(ctx)
//	res, err := d.Do(ctx, jobID, op) // store, dispatch, wait
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hrsync/hrsync/cloud/internal/gateway"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
	"github.com/hrsync/hrsync/shared/version"
)

// Config configures a Dispatcher.
type Config struct {
	Store store.Operations
	// ReplicaID names this cloud replica on the operations it dispatches.
	ReplicaID string
	// Events, when set, tells this replica what other replicas changed in
	// the store: new pending operations and results. Nil for a store only
	// this process uses (SQLite): waits are woken in process.
	Events store.Events
	// ResultPoll is how often a wait reads the operation again when Events
	// is set, in case an event was lost. Default 2s.
	ResultPoll time.Duration
	// Replicas, when set, keeps this replica's liveness lease and reaps
	// the leases of dead replicas, requeueing what was dispatched through
	// them.
	Replicas store.Replicas
	// ReplicaLease is how long this replica counts as alive after a
	// heartbeat; heartbeats go every third of it. Default 15s.
	ReplicaLease time.Duration
	// OpTimeout is how long an agent may hold an operation without
	// answering before it is dispatched again. Default 2m.
	OpTimeout time.Duration
	// MaxAttempts bounds dispatches of one operation. Default 10.
	MaxAttempts uint32
	// RetryBase is the first delay after a retryable error. Default 1s.
	RetryBase time.Duration
	// Tick is how often timeouts and delayed retries are checked. Default 1s.
	Tick   time.Duration
	Clock  clockwork.Clock
	Logger *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Store == nil {
		return errors.New("dispatch config: Store is required")
	}
	if c.OpTimeout <= 0 {
		c.OpTimeout = 2 * time.Minute
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.RetryBase <= 0 {
		c.RetryBase = time.Second
	}
	if c.Tick <= 0 {
		c.Tick = time.Second
	}
	if c.ResultPoll <= 0 {
		c.ResultPoll = 2 * time.Second
	}
	if c.ReplicaLease <= 0 {
		c.ReplicaLease = 15 * time.Second
	}
	if c.ReplicaID == "" {
		c.ReplicaID = uuid.NewString()
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Dispatcher implements gateway.Handler.
type Dispatcher struct {
	cfg  Config
	wake chan struct{}

	mu sync.Mutex // guards the fields below
	// sessions are the live agent sessions by session ID.
	sessions map[string]*gateway.Session
	// load counts operations dispatched to each session and not answered.
	load map[string]int
	// waiters are woken when an operation completes.
	waiters map[string][]chan struct{}
	// chunks collects export results until the last chunk.
	chunks map[string]*chunkBuf
	// noAgentLogged rate-limits the "no live agent" warning per domain.
	noAgentLogged map[string]time.Time
	// unservedChecked is when waiting operations were last looked at for
	// domains no local agent serves.
	unservedChecked time.Time
}

type chunkBuf struct {
	attempt uint32
	next    uint32
	entries []*agentv1.Entry
}

var _ gateway.Handler = (*Dispatcher)(nil)

// New returns a Dispatcher.
func New(cfg Config) (*Dispatcher, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Dispatcher{
		cfg:           cfg,
		wake:          make(chan struct{}, 1),
		sessions:      map[string]*gateway.Session{},
		load:          map[string]int{},
		waiters:       map[string][]chan struct{}{},
		chunks:        map[string]*chunkBuf{},
		noAgentLogged: map[string]time.Time{},
	}, nil
}

// ErrFailed wraps the directory error of an operation that failed for good.
var ErrFailed = errors.New("operation failed")

// Do stores op (unless an operation with its ID exists already), waits for
// its final result and returns it. A result with an error is returned as the
// result, not as err; err is for the wait itself (ctx, store).
func (d *Dispatcher) Do(ctx context.Context, jobID string, op *agentv1.Operation) (*agentv1.Result, error) {
	if err := d.Submit(ctx, jobID, op); err != nil {
		return nil, err
	}
	return d.Wait(ctx, op.GetOpId())
}

// Submit stores op as pending. Submitting an existing op ID is a no-op, so a
// caller that crashed and retries gets the same operation back.
func (d *Dispatcher) Submit(ctx context.Context, jobID string, op *agentv1.Operation) error {
	payload, err := proto.Marshal(op)
	if err != nil {
		return fmt.Errorf("encode operation %s: %w", op.GetOpId(), err)
	}
	err = d.cfg.Store.CreateOperation(ctx, store.Operation{
		ID: op.GetOpId(), JobID: jobID, Domain: op.GetDomain(), Payload: payload, CreatedAt: d.cfg.Clock.Now(),
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("submit operation: %w", err)
	}
	d.kick()
	return nil
}

// Wait blocks until opID is done and returns its result.
func (d *Dispatcher) Wait(ctx context.Context, opID string) (*agentv1.Result, error) {
	for {
		ch := make(chan struct{})
		d.mu.Lock()
		d.waiters[opID] = append(d.waiters[opID], ch)
		d.mu.Unlock()

		op, err := d.cfg.Store.GetOperation(ctx, opID)
		if err != nil {
			d.dropWaiter(opID, ch)
			return nil, err
		}
		if op.State == store.OpDone {
			d.dropWaiter(opID, ch)
			res := &agentv1.Result{}
			if err := proto.Unmarshal(op.Result, res); err != nil {
				return nil, fmt.Errorf("decode result of %s: %w", opID, err)
			}
			return res, nil
		}
		var poll <-chan time.Time
		if d.cfg.Events != nil {
			// Another replica may complete the operation; its event can
			// be lost, so look again now and then.
			poll = d.cfg.Clock.After(d.cfg.ResultPoll)
		}
		select {
		case <-ch:
		case <-poll:
			d.dropWaiter(opID, ch)
		case <-ctx.Done():
			d.dropWaiter(opID, ch)
			return nil, fmt.Errorf("wait for operation %s: %w", opID, ctx.Err())
		}
	}
}

func (d *Dispatcher) dropWaiter(opID string, ch chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ws := d.waiters[opID]
	for i, w := range ws {
		if w == ch {
			d.waiters[opID] = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(d.waiters[opID]) == 0 {
		delete(d.waiters, opID)
	}
}

func (d *Dispatcher) notify(opID string) {
	d.mu.Lock()
	ws := d.waiters[opID]
	delete(d.waiters, opID)
	d.mu.Unlock()
	for _, ch := range ws {
		close(ch)
	}
}

// notifyAll wakes every waiter: events may have been lost.
func (d *Dispatcher) notifyAll() {
	d.mu.Lock()
	ws := d.waiters
	d.waiters = map[string][]chan struct{}{}
	d.mu.Unlock()
	for _, chs := range ws {
		for _, ch := range chs {
			close(ch)
		}
	}
}

func (d *Dispatcher) kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends. With Events it also listens to other
// replicas, and with Replicas it keeps this replica's lease, until ctx
// ends.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	if d.cfg.Events != nil {
		events, err := d.cfg.Events.Subscribe(ctx)
		if err != nil {
			d.cfg.Logger.Error("cannot subscribe to store events; other replicas' changes are noticed by polling", "error", err)
		} else {
			wg.Go(func() { d.listen(ctx, events) })
		}
	}
	if d.cfg.Replicas != nil {
		d.requeueEarlierIncarnation(ctx)
		d.heartbeat(ctx)
		wg.Go(func() { d.keepLease(ctx) })
	}
	tick := d.cfg.Clock.NewTicker(d.cfg.Tick)
	defer tick.Stop()
	for {
		d.dispatchPending(ctx)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-tick.Chan():
			d.requeueExpired(ctx)
			d.reportUnserved(ctx)
		}
	}
}

// reportUnserved warns, about once a minute, of operations waiting for a
// domain no agent of this replica serves (dispatchPending asks only for
// served domains, so it never sees them).
func (d *Dispatcher) reportUnserved(ctx context.Context) {
	now := d.cfg.Clock.Now()
	if now.Sub(d.unservedChecked) < time.Minute {
		return
	}
	d.unservedChecked = now
	ops, err := d.cfg.Store.DispatchableOperations(ctx, now, nil, 100)
	if err != nil {
		return
	}
	for _, op := range ops {
		if d.pick(op.Domain, false) == nil {
			d.warnNoAgent(op.Domain)
		}
	}
}

func (d *Dispatcher) dispatchPending(ctx context.Context) {
	log := d.cfg.Logger
	for {
		domains := d.servedDomains()
		if len(domains) == 0 {
			return // no live agent here: nothing this replica can send
		}
		ops, err := d.cfg.Store.DispatchableOperations(ctx, d.cfg.Clock.Now(), domains, 100)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("list dispatchable operations failed", "error", err)
			}
			return
		}
		sent := 0
		for _, op := range ops {
			if d.dispatchOne(ctx, op) {
				sent++
			}
		}
		if len(ops) < 100 || sent == 0 {
			return
		}
	}
}

// dispatchOne sends op to the least loaded live agent of its domain.
func (d *Dispatcher) dispatchOne(ctx context.Context, op store.Operation) bool {
	log := d.cfg.Logger.With("op_id", op.ID, "job_id", op.JobID)
	attempt := op.Attempt + 1
	if attempt > d.cfg.MaxAttempts {
		d.giveUp(ctx, op, attempt)
		return false
	}
	wire := &agentv1.Operation{}
	if err := proto.Unmarshal(op.Payload, wire); err != nil {
		log.Error("stored operation cannot be decoded", "error", err)
		return false
	}
	// An agent too old to know only_dc would run a pinned create on any
	// DC: it gets none.
	sess := d.pick(op.Domain, wire.GetOnlyDc() != "")
	if sess == nil {
		d.warnNoAgent(op.Domain)
		return false
	}
	seq, err := d.cfg.Store.MarkDispatched(ctx, op.ID, attempt, sess.AgentID(), d.cfg.ReplicaID, d.cfg.Clock.Now())
	if errors.Is(err, store.ErrConflict) {
		// Another replica (or an earlier pass) dispatched it first.
		log.Debug("operation changed before dispatch", "error", err)
		return false
	}
	if err != nil {
		log.Warn("operation not dispatched", "error", err)
		return false
	}
	wire.Attempt, wire.Seq = attempt, seq
	if wire.Timeout == nil {
		wire.Timeout = durationpb.New(d.cfg.OpTimeout)
	}
	if !sess.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Operation{Operation: wire}}) {
		log.Warn("agent queue full or closed; operation requeued", "agent_id", sess.AgentID())
		if err := d.cfg.Store.Requeue(ctx, op.ID, attempt, d.cfg.Clock.Now()); err != nil {
			log.Error("requeue failed", "error", err)
		}
		return false
	}
	d.mu.Lock()
	d.load[sess.ID()]++
	d.mu.Unlock()
	log.Debug("operation dispatched", "agent_id", sess.AgentID(), "attempt", attempt, "seq", seq)
	return true
}

// servedDomains lists the domains the live sessions of this replica serve.
func (d *Dispatcher) servedDomains() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, s := range d.sessions {
		for _, dom := range s.Domains() {
			if !slices.Contains(out, dom) {
				out = append(out, dom)
			}
		}
	}
	return out
}

func (d *Dispatcher) pick(domain string, pinned bool) *gateway.Session {
	d.mu.Lock()
	defer d.mu.Unlock()
	var best *gateway.Session
	for _, s := range d.sessions {
		if !s.Serves(domain) || pinned && s.Protocol() < version.ProtocolOnlyDC {
			continue
		}
		if best == nil || d.load[s.ID()] < d.load[best.ID()] {
			best = s
		}
	}
	return best
}

func (d *Dispatcher) warnNoAgent(domain string) {
	d.mu.Lock()
	last := d.noAgentLogged[domain]
	now := d.cfg.Clock.Now()
	if now.Sub(last) < time.Minute {
		d.mu.Unlock()
		return
	}
	d.noAgentLogged[domain] = now
	d.mu.Unlock()
	if d.cfg.Replicas != nil {
		// Another replica may hold a stream for the domain.
		d.cfg.Logger.Debug("no agent of the domain is connected to this replica", "domain", domain)
		return
	}
	d.cfg.Logger.Warn("no live agent serves the domain; operations wait", "domain", domain)
}

// giveUp finishes an operation that used all its attempts with an error.
func (d *Dispatcher) giveUp(ctx context.Context, op store.Operation, attempt uint32) {
	res := &agentv1.Result{OpId: op.ID, Attempt: attempt, Error: direrr.ToProto(direrr.New(
		agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "gave up after %d attempts; last agent %q", op.Attempt, op.AgentID))}
	b, _ := proto.Marshal(res)
	if _, err := d.cfg.Store.MarkDispatched(ctx, op.ID, attempt, "", "", d.cfg.Clock.Now()); err != nil {
		return
	}
	if err := d.cfg.Store.Complete(ctx, op.ID, attempt, b, d.cfg.Clock.Now()); err != nil {
		d.cfg.Logger.Error("cannot record exhausted operation", "op_id", op.ID, "error", err)
		return
	}
	d.cfg.Logger.Warn("operation exhausted its attempts", "op_id", op.ID, "job_id", op.JobID, "attempts", op.Attempt)
	d.notify(op.ID)
}

// requeueExpired dispatches again what an agent held too long.
func (d *Dispatcher) requeueExpired(ctx context.Context) {
	ops, err := d.cfg.Store.ListOperations(ctx, store.OpDispatched)
	if err != nil {
		return
	}
	now := d.cfg.Clock.Now()
	for _, op := range ops {
		if now.Sub(op.DispatchedAt) < d.cfg.OpTimeout {
			continue
		}
		if err := d.cfg.Store.Requeue(ctx, op.ID, op.Attempt, now); err == nil {
			d.cfg.Logger.Warn("operation timed out; dispatching again", "op_id", op.ID, "agent_id", op.AgentID, "attempt", op.Attempt)
		}
	}
	d.kick()
}
