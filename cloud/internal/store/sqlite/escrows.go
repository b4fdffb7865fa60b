package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

const escrowColumns = `job_id, anchor, record_id, bulk_id, payload, attempts, first_failed, next_attempt, error_code, pinned_dc`

// GetEscrow implements store.Escrows.
func (s *Store) GetEscrow(ctx context.Context, jobID, anchor string) (store.Escrow, error) {
	e, err := scanEscrow(s.db.QueryRowContext(ctx, `SELECT `+escrowColumns+` FROM escrows WHERE job_id = ? AND anchor = ?`, jobID, anchor))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("escrow %s/%s: %w", jobID, anchor, store.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("get escrow %s/%s: %w", jobID, anchor, err)
	}
	return e, nil
}

// DueEscrows implements store.Escrows.
func (s *Store) DueEscrows(ctx context.Context, now time.Time, limit int) ([]store.Escrow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+escrowColumns+` FROM escrows WHERE next_attempt <= ? ORDER BY next_attempt, job_id, anchor LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due escrows: %w", err)
	}
	defer rows.Close()
	var out []store.Escrow
	for rows.Next() {
		e, err := scanEscrow(rows)
		if err != nil {
			return nil, fmt.Errorf("due escrows: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountEscrows implements store.Escrows.
func (s *Store) CountEscrows(ctx context.Context, jobID string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM escrows WHERE job_id = ?`, jobID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count escrows of %s: %w", jobID, err)
	}
	return n, nil
}

func scanEscrow(r scanner) (store.Escrow, error) {
	var e store.Escrow
	var first, next int64
	err := r.Scan(&e.JobID, &e.Anchor, &e.RecordID, &e.BulkID, &e.Payload, &e.Attempts, &first, &next, &e.ErrorCode, &e.PinnedDC)
	e.FirstFailed, e.NextAttempt = fromMS(first), fromMS(next)
	return e, err
}
