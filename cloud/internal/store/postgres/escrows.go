package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

const escrowColumns = `job_id, anchor, record_id, bulk_id, payload, attempts, first_failed, next_attempt, error_code, pinned_dc`

// GetEscrow implements store.Escrows.
func (s *Store) GetEscrow(ctx context.Context, jobID, anchor string) (store.Escrow, error) {
	e, err := scanEscrow(s.db.QueryRow(ctx, `SELECT `+escrowColumns+` FROM escrows WHERE job_id = $1 AND anchor = $2`, jobID, anchor))
	if notFound(err) {
		return e, fmt.Errorf("escrow %s/%s: %w", jobID, anchor, store.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("get escrow %s/%s: %w", jobID, anchor, err)
	}
	return e, nil
}

// DueEscrows implements store.Escrows.
func (s *Store) DueEscrows(ctx context.Context, now time.Time, n int) ([]store.Escrow, error) {
	rows, err := s.db.Query(ctx, `SELECT `+escrowColumns+` FROM escrows WHERE next_attempt <= $1 ORDER BY next_attempt, job_id, anchor LIMIT $2`,
		ms(now), limit(n))
	if err != nil {
		return nil, fmt.Errorf("due escrows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Escrow, error) { return scanEscrow(r) })
	if err != nil {
		return nil, fmt.Errorf("due escrows: %w", err)
	}
	return out, nil
}

// CountEscrows implements store.Escrows.
func (s *Store) CountEscrows(ctx context.Context, jobID string) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM escrows WHERE job_id = $1`, jobID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count escrows of %s: %w", jobID, err)
	}
	return n, nil
}

func scanEscrow(r pgx.Row) (store.Escrow, error) {
	var e store.Escrow
	var first, next int64
	err := r.Scan(&e.JobID, &e.Anchor, &e.RecordID, &e.BulkID, &e.Payload, &e.Attempts, &first, &next, &e.ErrorCode, &e.PinnedDC)
	e.FirstFailed, e.NextAttempt = fromMS(first), fromMS(next)
	return e, err
}
