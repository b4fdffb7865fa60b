package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Escrow: a record that failed is kept and retried with growing delays, the
// way Entra escrows entry-level failures, until it succeeds, a newer record
// of the same worker replaces it, or it has failed for escrowGiveUp.
const (
	escrowBulkPrefix = "escrow:"
	escrowGiveUp     = 28 * 24 * time.Hour
)

// escrowDelays is the wait before retry n (1-based); the last repeats.
var escrowDelays = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, 12 * time.Hour, 24 * time.Hour}

func escrowDelay(attempts int) time.Duration {
	return escrowDelays[min(max(attempts, 1), len(escrowDelays))-1]
}

// retryOf returns the record ID a retry record retries, if it is one.
func retryOf(rec store.StagedRecord) (int64, bool) {
	s, ok := strings.CutPrefix(rec.BulkID, escrowBulkPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}

// superseded reports whether rec retries a failure that a newer record
// of the same worker has replaced (or that has been cleared).
func (e *Engine) superseded(ctx context.Context, job store.Job, rec store.StagedRecord) (bool, error) {
	id, ok := retryOf(rec)
	if !ok {
		return false, nil
	}
	esc, err := e.cfg.Store.GetEscrow(ctx, job.ID, rec.Anchor)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return esc.RecordID != id, nil
}

// escrowFor decides what a finished record does to its worker's escrow and
// sets it on the record's outcome. pin is the DC the record's create may
// have reached before it failed (empty when none); a worker keeps the pin
// of its earlier failures until a create succeeds.
func (e *Engine) escrowFor(ctx context.Context, job store.Job, rec store.StagedRecord, out *store.Outcome, pin string) error {
	entry := &out.Log
	key := &store.EscrowKey{JobID: job.ID, Anchor: rec.Anchor}
	if entry.Status != StatusFailure {
		out.ClearEscrow = key
		return nil
	}
	if entry.ErrorCode == "InvalidSourceRecord" {
		return nil // retrying the same bytes cannot help
	}
	now := e.cfg.Clock.Now()
	esc := store.Escrow{JobID: job.ID, Anchor: rec.Anchor, RecordID: rec.ID, BulkID: rec.BulkID, Payload: rec.Payload,
		Attempts: 1, FirstFailed: now, ErrorCode: entry.ErrorCode, PinnedDC: pin}
	if prev, err := e.cfg.Store.GetEscrow(ctx, job.ID, rec.Anchor); err == nil {
		esc.Attempts, esc.FirstFailed, esc.BulkID = prev.Attempts+1, prev.FirstFailed, prev.BulkID
		if esc.PinnedDC == "" {
			esc.PinnedDC = prev.PinnedDC
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if now.Sub(esc.FirstFailed) >= escrowGiveUp {
		out.ClearEscrow = key
		entry.Recommendation = strings.TrimSpace(entry.Recommendation + fmt.Sprintf(
			" This worker has failed since %s; automatic retries stopped. Upload the record again after fixing the cause.", esc.FirstFailed.Format(time.RFC3339)))
		return nil
	}
	esc.NextAttempt = now.Add(escrowDelay(esc.Attempts))
	out.Escrow = &esc
	entry.Recommendation = strings.TrimSpace(entry.Recommendation + fmt.Sprintf(" hrsync retries this worker at %s (attempt %d).",
		esc.NextAttempt.UTC().Format(time.RFC3339), esc.Attempts+1))
	return nil
}

// stageDueEscrows stages a retry for every escrow that is due. A retry is
// staged once per failure: its upload ID is derived from the failed record.
func (e *Engine) stageDueEscrows(ctx context.Context) error {
	due, err := e.cfg.Store.DueEscrows(ctx, e.cfg.Clock.Now(), 200)
	if err != nil {
		return err
	}
	staged := 0
	for _, esc := range due {
		err := e.cfg.Store.StageUpload(ctx, store.Upload{
			ID: fmt.Sprintf("escrow.%s.%d", esc.JobID, esc.RecordID), JobID: esc.JobID, ReceivedAt: e.cfg.Clock.Now(),
			Records: []store.StagedRecord{{BulkID: fmt.Sprintf("%s%d", escrowBulkPrefix, esc.RecordID), Anchor: esc.Anchor, Payload: esc.Payload}},
		})
		switch {
		case errors.Is(err, store.ErrConflict):
			// Already staged and waiting to be processed.
		case err != nil:
			return err
		default:
			staged++
		}
	}
	if staged > 0 {
		e.cfg.Logger.Info("escrowed records staged for retry", "records", staged)
		e.Notify()
	}
	return nil
}

// pinnedDC returns the domain controller a worker's create must run on
// because an earlier create may have reached it before it failed; "" when
// the worker has no such escrow.
func (e *Engine) pinnedDC(ctx context.Context, jobID, anchor string) (string, error) {
	esc, err := e.cfg.Store.GetEscrow(ctx, jobID, anchor)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return esc.PinnedDC, nil
}
