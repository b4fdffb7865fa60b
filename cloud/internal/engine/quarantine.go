package engine

import (
	"context"
	"errors"
	"fmt"
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
	return e.quarantineFor(ctx, job, QuarantineException)
}

func (e *Engine) quarantineFor(ctx context.Context, job store.Job, reason string) error {
	now := e.cfg.Clock.Now()
	e.mu.Lock()
	p := e.probes[job.ID]
	p.attempts++
	p.next = now.Add(escrowDelay(p.attempts))
	e.probes[job.ID] = p
	e.mu.Unlock()
	e.cfg.Logger.Error("job quarantined", "job_id", job.ID, "reason", reason,
		"next_attempt", p.next, "attempts", p.attempts)
	if err := e.cfg.Store.SetQuarantine(ctx, job.ID, reason, now); err != nil {
		return err
	}
	e.alert(ctx, job, reason, fmt.Sprintf("hrsync tries again on its own; the next attempt is at %s.", p.next.Format(time.RFC1123)))
	return nil
}

// recovered forgets a job's recovery schedule once a record went through,
// and the quarantine its admin was mailed about, so the next quarantine
// is news again. The store is written only when the job may have one
// (alerted), not for every record that goes through.
func (e *Engine) recovered(ctx context.Context, jobID string) {
	e.mu.Lock()
	delete(e.probes, jobID)
	mailed := e.alerted[jobID]
	e.alerted[jobID] = ""
	e.mu.Unlock()
	if mailed == "" {
		return
	}
	if _, err := e.cfg.Store.MarkAlerted(ctx, jobID, ""); err != nil {
		e.cfg.Logger.Warn("cannot record that the job recovered; its next quarantine with the same reason is not mailed", "job_id", jobID, "error", err)
	}
}

// noteAlerted learns from a read of the jobs which ones another replica
// mailed about, so that a recovery here clears the store. It only ever
// adds: a read may be older than this replica's own alert, and clearing
// is recovered's job.
func (e *Engine) noteAlerted(jobs ...store.Job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range jobs {
		if j.AlertedReason != "" {
			e.alerted[j.ID] = j.AlertedReason
		}
	}
}

// alert mails the job's notification address that it entered quarantine,
// once per reason (a probe that quarantines the job again is not news)
// across all replicas: the store records the reason mailed, and only the
// replica that changed it sends. Quarantines are rare, so the store is
// asked every time.
func (e *Engine) alert(ctx context.Context, job store.Job, reason, next string) {
	cj, err := e.jobFor(job)
	if err != nil || cj.notify == "" {
		return
	}
	log := e.cfg.Logger.With("job_id", job.ID, "reason", reason)
	if e.cfg.Alert == nil {
		log.Warn("quarantine notification not sent: no SMTP relay is configured (smtp.addr)")
		return
	}
	changed, err := e.cfg.Store.MarkAlerted(ctx, job.ID, reason)
	if err != nil {
		log.Error("quarantine notification not sent: cannot record it", "error", err)
		return
	}
	e.mu.Lock()
	e.alerted[job.ID] = reason
	e.mu.Unlock()
	if !changed {
		return // mailed already, by this replica or another
	}
	body := fmt.Sprintf("The hrsync job %q (%s) entered quarantine at %s.\n\nReason: %s\n%s\n\n%s\n",
		job.Name, job.ID, e.cfg.Clock.Now().UTC().Format(time.RFC1123), reason, quarantineAdvice(reason), next)
	if err := e.cfg.Alert(ctx, cj.notify, "hrsync: job "+job.Name+" is in quarantine ("+reason+")", body); err != nil {
		log.Error("quarantine notification failed", "error", err)
		// Try again at the next quarantine.
		e.mu.Lock()
		e.alerted[job.ID] = ""
		e.mu.Unlock()
		if _, err := e.cfg.Store.MarkAlerted(ctx, job.ID, ""); err != nil {
			log.Warn("cannot record that the notification failed", "error", err)
		}
	}
}

func quarantineAdvice(reason string) string {
	switch reason {
	case QuarantineTooManyDeletes:
		return "More accounts would be disabled or deleted than the accidental-deletion threshold allows. Look at the stagedDelete entries of the provisioning logs; allow them (hrsyncctl job allow-deletes) if they are intended."
	case QuarantineException:
		return "The directory refused the agent's service account. Fix its password or rights on the agent."
	default:
		return "Too many records failed. Look at the failures in the provisioning logs; the job recovers once they are fixed."
	}
}

// probeQuarantined lifts the quarantine of jobs stopped by an exception
// whose next attempt is due, so the engine tries again: the job recovers on
// its own once the cause is fixed, and is quarantined again if not.
func (e *Engine) probeQuarantined(ctx context.Context, jobs []store.Job) error {
	now := e.cfg.Clock.Now()
	for _, j := range jobs {
		if !recoverable(j.QuarantineReason) {
			continue // TooManyDeletes waits for an admin
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

// Graph's reasons for a job quarantined by its escrows.
const (
	// EscrowBaseThreshold: more than 40,000 records failed.
	EscrowBaseThreshold = "EncounteredBaseEscrowThreshold"
	// EscrowTotalThreshold: more than 60,000 failures, references
	// (manager) included.
	EscrowTotalThreshold = "EncounteredTotalEscrowThreshold"
	// EscrowProportionThreshold: failures are more than 40 % of the
	// provisioning events.
	EscrowProportionThreshold = "EncounteredEscrowProportionThreshold"
)

// Entra's escrow thresholds (application-provisioning-quarantine-status).
const (
	escrowEvaluateFrom = 5_000
	escrowBaseMax      = 40_000
	escrowTotalMax     = 60_000
	escrowShareMax     = 0.40
)

// escrowThreshold applies Entra's rules to a job's failures: nothing below
// 5,000 record failures; then more than 40 % of the events (failures and
// successes, reference failures excluded) or more than 40,000 record
// failures quarantine; and more than 60,000 failures counting references
// always do. It returns the reason, or "".
func escrowThreshold(failures, referenceFailures, successes int) string {
	if failures+referenceFailures > escrowTotalMax {
		return EscrowTotalThreshold
	}
	if failures < escrowEvaluateFrom {
		return ""
	}
	if failures > escrowBaseMax {
		return EscrowBaseThreshold
	}
	if float64(failures) > escrowShareMax*float64(failures+successes) {
		return EscrowProportionThreshold
	}
	return ""
}

// recoverable reports whether a quarantine lifts itself: the engine tries
// again on the escrow curve and stays out of quarantine once the cause is
// fixed.
func recoverable(reason string) bool {
	switch reason {
	case QuarantineException, EscrowBaseThreshold, EscrowTotalThreshold, EscrowProportionThreshold:
		return true
	}
	return false
}

// checkEscrows quarantines the job when its failures cross a threshold.
func (e *Engine) checkEscrows(ctx context.Context, job store.Job) (bool, error) {
	failures, err := e.cfg.Store.CountEscrows(ctx, job.ID)
	if err != nil {
		return false, err
	}
	refs, err := e.cfg.Store.CountPendingReferences(ctx, job.ID)
	if err != nil {
		return false, err
	}
	if failures < escrowEvaluateFrom && failures+refs <= escrowTotalMax {
		return false, nil
	}
	links, err := e.cfg.Store.CountLinks(ctx, job.ID)
	if err != nil {
		return false, err
	}
	reason := escrowThreshold(failures, refs, links)
	if reason == "" {
		return false, nil
	}
	e.cfg.Logger.Warn("escrow threshold crossed", "job_id", job.ID, "failures", failures, "reference_failures", refs, "successes", links)
	return true, e.quarantineFor(ctx, job, reason)
}
