package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// maxExpiryBatch bounds the deletes of one job per sweep.
const maxExpiryBatch = 500

// expiryEvery is how often expired accounts are looked for: deletes are
// due by the day, so once a minute is on time.
const expiryEvery = time.Minute

// sweepExpired deletes the accounts of jobs whose policy deletes accounts
// disabled for deleteAfterDays, through the accidental-deletion guard.
func (e *Engine) sweepExpired(ctx context.Context, jobs []store.Job) {
	now := e.cfg.Clock.Now()
	if !e.lastExpiry.IsZero() && now.Sub(e.lastExpiry) < expiryEvery {
		return
	}
	e.lastExpiry = now
	for _, j := range jobs {
		if j.Paused || j.QuarantineReason != "" {
			continue
		}
		// Hold the job as processJob does: a record enabling an account
		// must not race its delete, here or on another replica.
		jctx, release, ok := e.hold(ctx, j.ID)
		if !ok {
			continue
		}
		err := e.expire(jctx, j)
		release()
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("deleting expired accounts failed", "job_id", j.ID, "error", err)
		}
	}
}

// expire deletes one job's accounts that have been disabled long enough.
func (e *Engine) expire(ctx context.Context, job store.Job) error {
	cj, err := e.jobFor(job)
	if err != nil || cj.deleteAfter == 0 || !cj.flow.Delete {
		return err
	}
	now := e.cfg.Clock.Now()
	limit := maxExpiryBatch
	if cj.maxPerCycle > 0 {
		limit = min(limit, cj.maxPerCycle+1) // one over tells the guard
	}
	due, err := e.cfg.Store.DisabledLinks(ctx, job.ID, now.Add(-cj.deleteAfter), limit)
	if err != nil || len(due) == 0 {
		return err
	}
	// Deletes an admin allowed (after they fell due) pass the guard.
	var unallowed int
	for _, l := range due {
		if !job.DeletesAllowedBefore.After(l.DisabledAt.Add(cj.deleteAfter)) {
			unallowed++
		}
	}
	if unallowed > 0 {
		recent := 0
		if cj.maxPerDay > 0 {
			if recent, err = e.cfg.Store.CountActions(ctx, job.ID, []string{"disable", "delete"}, now.Add(-24*time.Hour)); err != nil {
				return err
			}
		}
		if (cj.maxPerCycle > 0 && unallowed > cj.maxPerCycle) || (cj.maxPerDay > 0 && recent+unallowed > cj.maxPerDay) {
			return e.holdExpired(ctx, job, cj, due, recent)
		}
	}
	cycle := "expire-" + newID()
	for _, l := range due {
		if err := e.deleteExpired(ctx, job, cj, cycle, l); err != nil {
			return err
		}
	}
	return nil
}

// deleteExpired deletes one account and logs it; the link goes with it.
func (e *Engine) deleteExpired(ctx context.Context, job store.Job, cj *compiledJob, cycle string, l store.Link) error {
	start := e.cfg.Clock.Now()
	entry := store.LogEntry{ID: newID(), JobID: job.ID, CycleID: cycle, ChangeID: newID(), Action: "delete", Status: StatusSuccess,
		SourceID: l.Anchor, SourceName: l.Anchor, TargetID: l.ObjectGUID, TargetName: l.DN}
	var t trail
	t.add("EntrySynchronizationDelete", StepProcessing, StatusSuccess,
		fmt.Sprintf("Disabled since %s, longer than the job's deleteAfterDays (%d)", l.DisabledAt.Format("2006-01-02 15:04 MST"), int(cj.deleteAfter.Hours()/24)), nil)
	res, err := e.do(ctx, job.ID, &t, &agentv1.Operation{
		// One ID per disable: a crash and a retry send the same operation.
		OpId: fmt.Sprintf("expire-%s-%s-%d", job.ID, l.ObjectGUID, l.DisabledAt.UnixMilli()), Domain: job.Domain,
		Kind: &agentv1.Operation_DeleteUser{DeleteUser: &agentv1.DeleteUser{Target: &agentv1.ObjectRef{ObjectGuid: l.ObjectGUID, Dn: l.DN}}},
	})
	if err != nil {
		return err
	}
	out := store.Outcome{Log: entry}
	switch de := res.GetError(); {
	case de == nil:
		if res.GetOutcome() == agentv1.Outcome_OUTCOME_UNCHANGED {
			t.add("EntryExportDelete", StepExport, StatusSuccess, "The account was already gone", nil)
		} else {
			t.add("EntryExportDelete", StepExport, StatusSuccess, "Deleted the account", map[string]string{"objectGUID": l.ObjectGUID})
		}
		out.Unlink = l.Anchor
	case de.GetCode() == agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM:
		// Someone enabled the account again: keep it and stop counting.
		out.Log.Status, out.Log.Action = StatusSkipped, "other"
		out.Log.ErrorCode, out.Log.ErrorMessage = de.GetCode().String(), de.GetMessage()
		out.Log.Recommendation = "The account was enabled outside hrsync, so it was not deleted. It is deleted after deleteAfterDays once it is disabled again."
		t.add("EntryExportDelete", StepExport, StatusSkipped, "The account is enabled again; not deleted", nil)
		l.Enabled, l.UpdatedAt = true, e.cfg.Clock.Now()
		out.Link = &l
	default:
		rec := dirErr(de)
		out.Log.Status, out.Log.ErrorCode, out.Log.ErrorMessage, out.Log.Recommendation = StatusFailure, rec.code, rec.msg, rec.recommendation
		t.add("EntryExportDelete", StepExport, StatusFailure, "Deleting the account failed; tried again on the next sweep", nil)
	}
	out.Log.Steps, out.Log.Modified = t.json()
	out.Log.ActivityTime = e.cfg.Clock.Now()
	out.Log.DurationMS = out.Log.ActivityTime.Sub(start).Milliseconds()
	return e.cfg.Store.FinishRecord(ctx, out)
}

// holdExpired logs the deletes the guard holds and quarantines the job.
func (e *Engine) holdExpired(ctx context.Context, job store.Job, cj *compiledJob, due []store.Link, recent int) error {
	now := e.cfg.Clock.Now()
	cycle := "expire-" + newID()
	reason := fmt.Sprintf("at least %d accounts would be deleted, over the accidental-deletion threshold (%d per cycle, %d per 24 hours, %d disabled or deleted in the last 24 hours)",
		len(due), cj.maxPerCycle, cj.maxPerDay, recent)
	for _, l := range due {
		entry := store.LogEntry{ID: newID(), JobID: job.ID, CycleID: cycle, ChangeID: newID(), ActivityTime: now,
			Action: "stagedDelete", Status: StatusSkipped, SourceID: l.Anchor, SourceName: l.Anchor, TargetID: l.ObjectGUID, TargetName: l.DN,
			ErrorCode: QuarantineTooManyDeletes, ErrorMessage: reason,
			Recommendation: "If these deletes are intended, allow them (hrsyncctl job allow-deletes, or restart with ForceDeletes); otherwise raise deleteAfterDays or remove it."}
		var t trail
		t.add("EntrySynchronizationSkipped", StepProcessing, StatusSkipped, "Held by the accidental-deletion guard: "+reason, nil)
		entry.Steps, entry.Modified = t.json()
		if err := e.cfg.Store.FinishRecord(ctx, store.Outcome{Log: entry}); err != nil {
			return err
		}
	}
	e.cfg.Logger.Warn("job quarantined by the accidental-deletion guard", "job_id", job.ID, "deletes", len(due))
	if err := e.cfg.Store.SetQuarantine(ctx, job.ID, QuarantineTooManyDeletes, now); err != nil {
		return err
	}
	e.alert(ctx, job, QuarantineTooManyDeletes, fmt.Sprintf("At least %d deletes are held. The job waits for an admin.", len(due)))
	return nil
}
