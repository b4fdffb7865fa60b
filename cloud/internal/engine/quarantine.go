package engine

import (
	"context"
	"errors"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// QuarantineException is Graph's reason for a job whose target refuses
// its credentials: every record would fail the same way.
const QuarantineException = "EncounteredQuarantineException"

// errQuarantine stops a job whose target refused the agent's credentials;
// the record that met it stays queued.
var errQuarantine = errors.New("the directory refused the agent's credentials")

// quarantining reports whether a directory error means the whole job must
// stop rather than one record fail.
func quarantining(code agentv1.ErrorCode) bool {
	return code == agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS
}

// probe is the recovery schedule of a job quarantined by an exception.
type probe struct {
	attempts int
	next     time.Time
}

// quarantine stops the job and schedules the next attempt to recover.
func (e *Engine) quarantine(ctx context.Context, job store.Job) error {
	now := e.cfg.Clock.Now()
	e.mu.Lock()
	p := e.probes[job.ID]
	p.attempts++
	p.next = now.Add(escrowDelay(p.attempts))
	e.probes[job.ID] = p
	e.mu.Unlock()
	e.cfg.Logger.Error("job quarantined: the directory refused the agent's credentials", "job_id", job.ID,
		"next_attempt", p.next, "attempts", p.attempts)
	return e.cfg.Store.SetQuarantine(ctx, job.ID, QuarantineException, now)
}

// recovered forgets a job's recovery schedule once a record went through.
func (e *Engine) recovered(jobID string) {
	e.mu.Lock()
	delete(e.probes, jobID)
	e.mu.Unlock()
}

// probeQuarantined lifts the quarantine of jobs stopped by an exception
// whose next attempt is due, so the engine tries again: the job recovers on
// its own once the cause is fixed, and is quarantined again if not.
func (e *Engine) probeQuarantined(ctx context.Context) error {
	jobs, err := e.cfg.Store.ListJobs(ctx)
	if err != nil {
		return err
	}
	now := e.cfg.Clock.Now()
	for _, j := range jobs {
		if j.QuarantineReason != QuarantineException {
			continue
		}
		e.mu.Lock()
		p, ok := e.probes[j.ID]
		e.mu.Unlock()
		if ok && now.Before(p.next) {
			continue
		}
		if err := e.cfg.Store.SetQuarantine(ctx, j.ID, "", now); err != nil {
			return err
		}
		e.cfg.Logger.Info("trying a quarantined job again", "job_id", j.ID)
		e.Notify()
	}
	return nil
}
