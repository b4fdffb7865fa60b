package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// StageUpload implements store.Uploads.
func (s *Store) StageUpload(ctx context.Context, u store.Upload) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO uploads (id, job_id, received_at, record_count) VALUES (?,?,?,?)`,
			u.ID, u.JobID, ms(u.ReceivedAt), len(u.Records)); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO staged_records (job_id, upload_id, cycle_id, bulk_id, anchor, payload, received_at) VALUES (?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range u.Records {
			if _, err := stmt.ExecContext(ctx, u.JobID, u.ID, u.CycleID, r.BulkID, r.Anchor, r.Payload, ms(u.ReceivedAt)); err != nil {
				return err
			}
		}
		return stageExtras(ctx, tx, u)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("upload %s: %w", u.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("stage upload %s: %w", u.ID, err)
	}
	return nil
}

// PendingRecords implements store.Uploads.
func (s *Store) PendingRecords(ctx context.Context, jobID string, limit int) ([]store.StagedRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, job_id, upload_id, cycle_id, bulk_id, anchor, payload, received_at
		FROM staged_records WHERE job_id = ? AND processed_at IS NULL ORDER BY id LIMIT ?`, jobID, limit)
	if err != nil {
		return nil, fmt.Errorf("pending records of %s: %w", jobID, err)
	}
	defer rows.Close()
	var out []store.StagedRecord
	for rows.Next() {
		var r store.StagedRecord
		var at int64
		if err := rows.Scan(&r.ID, &r.JobID, &r.UploadID, &r.CycleID, &r.BulkID, &r.Anchor, &r.Payload, &at); err != nil {
			return nil, fmt.Errorf("pending records of %s: %w", jobID, err)
		}
		r.ReceivedAt = fromMS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// JobsWithPendingRecords implements store.Uploads.
func (s *Store) JobsWithPendingRecords(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT job_id FROM staged_records WHERE processed_at IS NULL ORDER BY job_id`)
	if err != nil {
		return nil, fmt.Errorf("jobs with pending records: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// LatestRecord implements store.Uploads.
func (s *Store) LatestRecord(ctx context.Context, jobID, anchor string) (store.StagedRecord, error) {
	var r store.StagedRecord
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT id, job_id, upload_id, cycle_id, bulk_id, anchor, payload, received_at
		FROM staged_records WHERE job_id = ? AND anchor = ? ORDER BY id DESC LIMIT 1`, jobID, anchor).
		Scan(&r.ID, &r.JobID, &r.UploadID, &r.CycleID, &r.BulkID, &r.Anchor, &r.Payload, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("record of %s/%s: %w", jobID, anchor, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("latest record of %s/%s: %w", jobID, anchor, err)
	}
	r.ReceivedAt = fromMS(at)
	return r, nil
}

// UploadStatus implements store.Uploads.
func (s *Store) UploadStatus(ctx context.Context, jobID, uploadID string) (store.UploadStatus, error) {
	st := store.UploadStatus{ID: uploadID, JobID: jobID, ByStatus: map[string]int{}}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT received_at, record_count,
		(SELECT COUNT(*) FROM staged_records WHERE upload_id = u.id AND processed_at IS NULL)
		FROM uploads u WHERE id = ? AND job_id = ?`, uploadID, jobID).Scan(&at, &st.Records, &st.Pending)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("upload %s of %s: %w", uploadID, jobID, store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("upload %s of %s: %w", uploadID, jobID, err)
	}
	st.ReceivedAt = fromMS(at)
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM provisioning_logs WHERE job_id = ? AND cycle_id = ? GROUP BY status`, jobID, uploadID)
	if err != nil {
		return st, fmt.Errorf("upload %s of %s: %w", uploadID, jobID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return st, fmt.Errorf("upload %s of %s: %w", uploadID, jobID, err)
		}
		st.ByStatus[status] = n
	}
	return st, rows.Err()
}

// CountPendingRecords implements store.Uploads.
func (s *Store) CountPendingRecords(ctx context.Context, jobID string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM staged_records WHERE job_id = ? AND processed_at IS NULL`, jobID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending records of %s: %w", jobID, err)
	}
	return n, nil
}
