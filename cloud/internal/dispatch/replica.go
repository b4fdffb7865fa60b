package dispatch

import (
	"context"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// listen acts on what other replicas changed: a result wakes its waiters
// here, a pending operation of a domain one of our agents serves is
// dispatched at once, and a possible loss of events wakes everything.
func (d *Dispatcher) listen(ctx context.Context, events <-chan store.Event) {
	for ev := range events {
		switch ev.Kind {
		case store.EventOpDone:
			d.notify(ev.Key)
		case store.EventOpPending:
			if d.pick(ev.Key, false) != nil {
				d.kick()
			}
		case store.EventResync:
			d.notifyAll()
			d.kick()
		}
	}
}

// keepLease heartbeats this replica's lease every third of it and reaps
// the replicas whose lease ran out, until ctx ends; then it leaves, so
// the others need not wait for the lease to expire.
func (d *Dispatcher) keepLease(ctx context.Context) {
	tick := d.cfg.Clock.NewTicker(d.cfg.ReplicaLease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			leaveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.ReplicaLease/3)
			if err := d.cfg.Replicas.LeaveReplica(leaveCtx, d.cfg.ReplicaID); err != nil {
				d.cfg.Logger.Warn("cannot remove this replica's lease; it expires instead", "replica_id", d.cfg.ReplicaID, "error", err)
			}
			cancel()
			return
		case <-tick.Chan():
			d.heartbeat(ctx)
		}
	}
}

// heartbeat renews this replica's lease and reaps expired ones.
func (d *Dispatcher) heartbeat(ctx context.Context) {
	log := d.cfg.Logger
	now := d.cfg.Clock.Now()
	if err := d.cfg.Replicas.HeartbeatReplica(ctx, d.cfg.ReplicaID, now, now.Add(d.cfg.ReplicaLease)); err != nil {
		if ctx.Err() == nil {
			log.Error("replica heartbeat failed", "replica_id", d.cfg.ReplicaID, "error", err)
		}
		return
	}
	reaped, requeued, err := d.cfg.Replicas.ReapReplicas(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("reaping dead replicas failed", "error", err)
		}
		return
	}
	for _, id := range reaped {
		log.Warn("replica stopped heartbeating; operations dispatched through it go back to the queue", "dead_replica_id", id)
	}
	if requeued > 0 {
		log.Info("operations of dead replicas requeued", "operations", requeued)
		d.kick()
	}
}

// requeueEarlierIncarnation requeues what was dispatched under this
// replica's ID before it started: a replica restarted with a fixed ID is
// not reaped (it heartbeats again), and no stream of its earlier life is
// left to answer.
func (d *Dispatcher) requeueEarlierIncarnation(ctx context.Context) {
	ops, err := d.cfg.Store.ListOperations(ctx, store.OpDispatched)
	if err != nil {
		return
	}
	for _, op := range ops {
		if op.ReplicaID == d.cfg.ReplicaID {
			_ = d.cfg.Store.Requeue(ctx, op.ID, op.Attempt, d.cfg.Clock.Now())
		}
	}
}
