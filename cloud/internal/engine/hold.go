package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// leasePrefix names a job's lease: "engine/job/<job ID>".
const leasePrefix = "engine/job/"

// errLeaseLost cancels work on a job whose lease another replica took.
var errLeaseLost = errors.New("the job's lease was lost to another replica")

// hold claims a job for this engine: in process (one goroutine per job)
// and, with Leases, in the store (one replica per job), renewing the lease
// while the work runs. ok is false when the job is busy here or held by
// another replica. The returned context ends when the lease is lost;
// release ends the claim and must be called once.
func (e *Engine) hold(ctx context.Context, jobID string) (jctx context.Context, release func(), ok bool) {
	e.mu.Lock()
	busy := e.running[jobID]
	e.running[jobID] = true
	e.mu.Unlock()
	if busy {
		return nil, nil, false
	}
	unmark := func() {
		e.mu.Lock()
		delete(e.running, jobID)
		e.mu.Unlock()
	}
	if e.cfg.Leases == nil {
		return ctx, unmark, true
	}
	log := e.cfg.Logger.With("job_id", jobID)
	name := leasePrefix + jobID
	if err := e.cfg.Leases.AcquireLease(ctx, name, e.cfg.Owner, e.cfg.Clock.Now(), e.cfg.Lease); err != nil {
		if !errors.Is(err, store.ErrConflict) && ctx.Err() == nil {
			log.Error("claiming the job failed", "error", err)
		}
		unmark()
		return nil, nil, false
	}
	jctx, cancel := context.WithCancelCause(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		tick := e.cfg.Clock.NewTicker(e.cfg.Lease / 3)
		defer tick.Stop()
		held := e.cfg.Clock.Now()
		for {
			select {
			case <-jctx.Done():
				return
			case <-tick.Chan():
				now := e.cfg.Clock.Now()
				err := e.cfg.Leases.AcquireLease(jctx, name, e.cfg.Owner, now, e.cfg.Lease)
				switch {
				case err == nil:
					held = now
				case jctx.Err() != nil:
					return
				case errors.Is(err, store.ErrConflict) || now.Sub(held) >= e.cfg.Lease:
					// Taken over, or expired for others while we could
					// not renew it: stop before two replicas work on it.
					log.Warn("job lease lost; stopping work on the job", "error", err)
					cancel(fmt.Errorf("%w: %w", errLeaseLost, err))
					return
				default:
					log.Warn("renewing the job lease failed; trying again", "error", err)
				}
			}
		}
	}()
	return jctx, func() {
		cancel(nil)
		<-renewed
		if err := e.cfg.Leases.ReleaseLease(context.WithoutCancel(ctx), name, e.cfg.Owner); err != nil {
			log.Warn("releasing the job lease failed; it expires instead", "error", err)
		}
		unmark()
	}, true
}
