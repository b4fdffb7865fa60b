package dispatch

import (
	"context"
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/hrsync/hrsync/cloud/internal/gateway"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// SessionUp implements gateway.Handler. Operations the agent reports in
// flight stay with it (no new attempt); operations it held before and no
// longer runs are dispatched again; in-flight operations the cloud no longer
// wants from it are cancelled.
func (d *Dispatcher) SessionUp(s *gateway.Session, hello *agentv1.Hello) {
	ctx := context.Background()
	now := d.cfg.Clock.Now()
	inFlight := map[string]bool{}
	for _, id := range hello.GetInFlightOpIds() {
		inFlight[id] = true
	}
	for id := range inFlight {
		op, err := d.cfg.Store.GetOperation(ctx, id)
		keep := err == nil && op.State != store.OpDone && (op.State == store.OpPending || op.AgentID == s.AgentID())
		if keep && d.cfg.Store.Adopt(ctx, id, op.Attempt, s.AgentID(), d.cfg.ReplicaID, now) == nil {
			d.mu.Lock()
			d.load[s.ID()]++
			d.mu.Unlock()
			continue
		}
		s.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Cancel{Cancel: &agentv1.Cancel{
			OpId: id, Reason: "operation is no longer assigned to this agent"}}})
	}
	if ops, err := d.cfg.Store.ListOperations(ctx, store.OpDispatched); err == nil {
		for _, op := range ops {
			// Whichever replica it went through: the agent, now here,
			// says it no longer runs it.
			if op.AgentID == s.AgentID() && !inFlight[op.ID] {
				_ = d.cfg.Store.Requeue(ctx, op.ID, op.Attempt, now)
			}
		}
	}
	d.mu.Lock()
	d.sessions[s.ID()] = s
	d.mu.Unlock()
	d.kick()
}

// SessionDown implements gateway.Handler. What the agent held through this
// replica goes back to the queue at once; if the agent comes back still
// running it, SessionUp (here or on another replica) adopts it instead of
// dispatching it again. Operations another replica adopted or dispatched
// to the agent meanwhile are that replica's business.
func (d *Dispatcher) SessionDown(s *gateway.Session) {
	d.mu.Lock()
	delete(d.sessions, s.ID())
	delete(d.load, s.ID())
	replaced := false
	for _, other := range d.sessions {
		replaced = replaced || other.AgentID() == s.AgentID()
	}
	d.mu.Unlock()
	if replaced {
		// The agent reconnected before this session was torn down; the new
		// session's Hello already reconciled what the agent holds, so
		// requeueing here would send adopted operations a second time.
		d.kick()
		return
	}
	ctx := context.Background()
	ops, err := d.cfg.Store.ListOperations(ctx, store.OpDispatched)
	if err != nil {
		return
	}
	for _, op := range ops {
		if op.AgentID == s.AgentID() && (op.ReplicaID == d.cfg.ReplicaID || op.ReplicaID == "") {
			_ = d.cfg.Store.Requeue(ctx, op.ID, op.Attempt, d.cfg.Clock.Now())
		}
	}
	d.kick()
}

// Result implements gateway.Handler.
func (d *Dispatcher) Result(s *gateway.Session, res *agentv1.Result) {
	ctx := context.Background()
	log := d.cfg.Logger.With("op_id", res.GetOpId(), "attempt", res.GetAttempt(), "agent_id", s.AgentID())
	op, err := d.cfg.Store.GetOperation(ctx, res.GetOpId())
	if err != nil {
		log.Warn("result for an unknown operation ignored", "error", err)
		return
	}
	if op.State != store.OpDispatched || op.Attempt != res.GetAttempt() || op.AgentID != s.AgentID() {
		log.Info("stale result rejected", "current_attempt", op.Attempt, "state", op.State)
		return
	}
	if res.GetMore() || d.hasChunks(res.GetOpId()) {
		var complete bool
		res, complete = d.collect(res)
		if !complete {
			return
		}
	}
	d.mu.Lock()
	d.load[s.ID()] = max(0, d.load[s.ID()]-1)
	d.mu.Unlock()

	code := res.GetError().GetCode()
	retry := direrr.Retryable(code) && op.Attempt < d.cfg.MaxAttempts
	var pinned []byte
	if dc := res.GetError().GetInDoubtDc(); dc != "" && retry {
		// A create that may exist on that DC only: the next attempt runs
		// there, whichever agent takes it. One already pinned there whose
		// DC is still down is not retried here: its record waits in
		// escrow (with the pin) instead of holding an engine worker for
		// as long as a DC takes to come back.
		var changed bool
		if pinned, changed = pinTo(op.Payload, dc); changed {
			log.Warn("create in doubt on a domain controller; its next attempt runs there only", "dc", dc)
		} else {
			retry = false
		}
	}
	if retry {
		delay := d.cfg.RetryBase << min(op.Attempt-1, 6)
		log.Warn("retryable directory error; dispatching again", "code", code.String(), "delay", delay)
		at := d.cfg.Clock.Now().Add(delay)
		var err error
		if pinned != nil {
			err = d.cfg.Store.RequeueWith(ctx, op.ID, op.Attempt, at, pinned)
		} else {
			err = d.cfg.Store.Requeue(ctx, op.ID, op.Attempt, at)
		}
		if err != nil {
			log.Error("requeue failed", "error", err)
		}
		d.kick()
		return
	}
	b, err := proto.Marshal(res)
	if err != nil {
		log.Error("cannot encode result", "error", err)
		return
	}
	if err := d.cfg.Store.Complete(ctx, op.ID, op.Attempt, b, d.cfg.Clock.Now()); err != nil {
		if !errors.Is(err, store.ErrConflict) {
			log.Error("cannot store result", "error", err)
		}
		return
	}
	d.notify(op.ID)
	d.kick()
}

func (d *Dispatcher) hasChunks(opID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.chunks[opID]
	return ok
}

// collect assembles export chunks. A gap or a chunk of another attempt
// restarts the buffer; the final result carries every entry.
func (d *Dispatcher) collect(res *agentv1.Result) (*agentv1.Result, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	buf := d.chunks[res.GetOpId()]
	if buf == nil || buf.attempt != res.GetAttempt() {
		buf = &chunkBuf{attempt: res.GetAttempt()}
		d.chunks[res.GetOpId()] = buf
	}
	if res.GetChunk() != buf.next {
		d.cfg.Logger.Warn("export chunk out of order; waiting for a new attempt", "op_id", res.GetOpId(), "chunk", res.GetChunk(), "want", buf.next)
		delete(d.chunks, res.GetOpId())
		return nil, false
	}
	buf.next++
	buf.entries = append(buf.entries, res.GetEntries()...)
	if res.GetMore() {
		return nil, false
	}
	delete(d.chunks, res.GetOpId())
	final := proto.Clone(res).(*agentv1.Result)
	final.Entries = buf.entries
	return final, true
}

// pinTo returns the stored operation payload with only_dc set to dc, and
// whether that changed it (false for an empty dc, a payload pinned there
// already, or one that cannot be decoded).
func pinTo(payload []byte, dc string) ([]byte, bool) {
	if dc == "" {
		return nil, false
	}
	wire := &agentv1.Operation{}
	if err := proto.Unmarshal(payload, wire); err != nil || wire.GetOnlyDc() == dc {
		return nil, false
	}
	wire.OnlyDc = dc
	b, err := proto.Marshal(wire)
	if err != nil {
		return nil, false
	}
	return b, true
}
