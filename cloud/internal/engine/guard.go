package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// maxGuardRecords bounds the pending records one guard pass reads.
const maxGuardRecords = 1_000_000

// QuarantineTooManyDeletes is the reason Graph uses for a job stopped by
// the accidental-deletion guard.
const QuarantineTooManyDeletes = "TooManyDeletes"

// guardDeletes is the accidental-deletion guard. Before the records of an
// upload (a cycle) are processed, it counts how many would disable an
// account that is enabled now. Over the cycle threshold, or over the 24-hour
// threshold with what was disabled in the last 24 hours, the job is
// quarantined: nothing is processed, every disable is logged as a staged
// delete, and the records stay queued until an admin allows the deletes.
// It returns true when the job may go on.
func (e *Engine) guardDeletes(ctx context.Context, job store.Job, cj *compiledJob, recs []store.StagedRecord) (bool, error) {
	if cj.maxPerCycle == 0 && cj.maxPerDay == 0 {
		return true, nil
	}
	e.mu.Lock()
	checked := e.checkedUploads[job.ID]
	e.mu.Unlock()
	unchecked := func(r store.StagedRecord) bool {
		return !checked[r.UploadID] && r.ReceivedAt.After(job.DeletesAllowedBefore)
	}
	if !slices.ContainsFunc(recs, unchecked) {
		return true, nil
	}
	// A batch may hold part of an upload: count whole uploads.
	all, err := e.cfg.Store.PendingRecords(ctx, job.ID, maxGuardRecords)
	if err != nil {
		return false, err
	}
	byUpload := map[string][]store.StagedRecord{}
	for _, r := range all {
		if unchecked(r) {
			byUpload[r.UploadID] = append(byUpload[r.UploadID], r)
		}
	}
	now := e.cfg.Clock.Now()
	recent := 0
	if cj.maxPerDay > 0 {
		n, err := e.cfg.Store.CountActions(ctx, job.ID, []string{"disable", "delete"}, now.Add(-24*time.Hour))
		if err != nil {
			return false, err
		}
		recent = n
	}
	var staged []store.StagedRecord
	var passed []string
	for upload, rs := range byUpload {
		var disables []store.StagedRecord
		for _, r := range rs {
			d, err := e.wouldDisable(ctx, job, cj, r)
			if err != nil {
				return false, err
			}
			if d {
				disables = append(disables, r)
			}
		}
		overCycle := cj.maxPerCycle > 0 && len(disables) > cj.maxPerCycle
		overDay := cj.maxPerDay > 0 && recent+len(disables) > cj.maxPerDay
		if overCycle || overDay {
			staged = append(staged, disables...)
			continue
		}
		recent += len(disables)
		passed = append(passed, upload)
	}
	if len(staged) == 0 {
		e.mu.Lock()
		if e.checkedUploads[job.ID] == nil {
			e.checkedUploads[job.ID] = map[string]bool{}
		}
		for _, u := range passed {
			e.checkedUploads[job.ID][u] = true
		}
		e.mu.Unlock()
		return true, nil
	}
	reason := fmt.Sprintf("%d accounts would be disabled, over the accidental-deletion threshold (%d per cycle, %d per 24 hours, %d disabled in the last 24 hours)",
		len(staged), cj.maxPerCycle, cj.maxPerDay, recent)
	for _, r := range staged {
		entry := store.LogEntry{ID: newID(), JobID: job.ID, CycleID: r.UploadID, ChangeID: newID(), ActivityTime: now,
			Action: "stagedDelete", Status: StatusSkipped, SourceID: r.Anchor, SourceName: r.Anchor,
			ErrorCode: QuarantineTooManyDeletes, ErrorMessage: reason,
			Recommendation: "If these disables are intended, allow them (hrsyncctl job allow-deletes, or restart with ForceDeletes); otherwise fix the source or the mapping and restart the job."}
		var t trail
		t.add("EntrySynchronizationSkipped", StepProcessing, StatusSkipped, "Held by the accidental-deletion guard: "+reason, nil)
		entry.Steps, entry.Modified = t.json()
		if err := e.cfg.Store.FinishRecord(ctx, store.Outcome{Log: entry}); err != nil {
			return false, err
		}
	}
	if err := e.cfg.Store.SetQuarantine(ctx, job.ID, QuarantineTooManyDeletes, now); err != nil {
		return false, err
	}
	e.alert(ctx, job, QuarantineTooManyDeletes, fmt.Sprintf("%d disables are held. The job waits for an admin.", len(staged)))
	e.cfg.Logger.Warn("job quarantined by the accidental-deletion guard", "job_id", job.ID, "disables", len(staged),
		"threshold", cj.maxPerCycle, "threshold_24h", cj.maxPerDay)
	return false, nil
}

// wouldDisable reports whether r would disable an account that hrsync
// last saw enabled: by its accountDisabled rule, or by leaving the scope.
func (e *Engine) wouldDisable(ctx context.Context, job store.Job, cj *compiledJob, r store.StagedRecord) (bool, error) {
	l, err := e.cfg.Store.GetLink(ctx, job.ID, r.Anchor)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !l.Enabled {
		return false, nil
	}
	src, err := DecodeSource(r.Payload)
	if err != nil {
		return false, nil // processing reports it
	}
	if in, _ := cj.inputScope.Evaluate(src); !in {
		return false, nil // never touched
	}
	if in, _, err := cj.scope.Check(src); err == nil && !in {
		return cj.deprovisions(), nil
	}
	if cj.disabled == nil {
		return false, nil
	}
	ev, err := cj.disabled.Evaluate(src, mapping.Update, e.evalOpts())
	if err != nil {
		return false, nil // processing reports it
	}
	return first(ev.Attrs, attrAccountDisabled) == "True", nil
}
