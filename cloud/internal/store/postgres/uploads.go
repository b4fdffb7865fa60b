package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// StageUpload implements store.Uploads. The records go in with one COPY in
// the upload's transaction; COPY assigns ids in row order, so the records
// of an upload stay in their given order.
func (s *Store) StageUpload(ctx context.Context, u store.Upload) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO uploads (id, job_id, received_at, record_count) VALUES ($1,$2,$3,$4)`,
			u.ID, u.JobID, ms(u.ReceivedAt), len(u.Records)); err != nil {
			return err
		}
		at := ms(u.ReceivedAt)
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"staged_records"},
			[]string{"job_id", "upload_id", "cycle_id", "bulk_id", "anchor", "payload", "received_at"},
			pgx.CopyFromSlice(len(u.Records), func(i int) ([]any, error) {
				r := u.Records[i]
				return []any{u.JobID, u.ID, u.CycleID, r.BulkID, r.Anchor, r.Payload, at}, nil
			}))
		if err != nil {
			return err
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
func (s *Store) PendingRecords(ctx context.Context, jobID string, n int) ([]store.StagedRecord, error) {
	rows, err := s.db.Query(ctx, `SELECT id, job_id, upload_id, cycle_id, bulk_id, anchor, payload, received_at
		FROM staged_records WHERE job_id = $1 AND processed_at IS NULL ORDER BY id LIMIT $2`, jobID, limit(n))
	if err != nil {
		return nil, fmt.Errorf("pending records of %s: %w", jobID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.StagedRecord, error) {
		var rec store.StagedRecord
		var at int64
		err := r.Scan(&rec.ID, &rec.JobID, &rec.UploadID, &rec.CycleID, &rec.BulkID, &rec.Anchor, &rec.Payload, &at)
		rec.ReceivedAt = fromMS(at)
		return rec, err
	})
	if err != nil {
		return nil, fmt.Errorf("pending records of %s: %w", jobID, err)
	}
	return out, nil
}

// JobsWithPendingRecords implements store.Uploads.
func (s *Store) JobsWithPendingRecords(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT job_id FROM staged_records WHERE processed_at IS NULL ORDER BY job_id`)
	if err != nil {
		return nil, fmt.Errorf("jobs with pending records: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("jobs with pending records: %w", err)
	}
	return out, nil
}

// LatestRecord implements store.Uploads.
func (s *Store) LatestRecord(ctx context.Context, jobID, anchor string) (store.StagedRecord, error) {
	var r store.StagedRecord
	var at int64
	err := s.db.QueryRow(ctx, `SELECT id, job_id, upload_id, cycle_id, bulk_id, anchor, payload, received_at
		FROM staged_records WHERE job_id = $1 AND anchor = $2 ORDER BY id DESC LIMIT 1`, jobID, anchor).
		Scan(&r.ID, &r.JobID, &r.UploadID, &r.CycleID, &r.BulkID, &r.Anchor, &r.Payload, &at)
	if notFound(err) {
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
	err := s.db.QueryRow(ctx, `SELECT received_at, record_count,
		(SELECT COUNT(*) FROM staged_records WHERE upload_id = u.id AND processed_at IS NULL)
		FROM uploads u WHERE id = $1 AND job_id = $2`, uploadID, jobID).Scan(&at, &st.Records, &st.Pending)
	if notFound(err) {
		return st, fmt.Errorf("upload %s of %s: %w", uploadID, jobID, store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("upload %s of %s: %w", uploadID, jobID, err)
	}
	st.ReceivedAt = fromMS(at)
	rows, err := s.db.Query(ctx, `SELECT status, COUNT(*) FROM provisioning_logs WHERE job_id = $1 AND cycle_id = $2 GROUP BY status`, jobID, uploadID)
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
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM staged_records WHERE job_id = $1 AND processed_at IS NULL`, jobID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending records of %s: %w", jobID, err)
	}
	return n, nil
}
