package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// stageExtras writes the digests and wakes of an upload in its transaction.
func stageExtras(ctx context.Context, tx pgx.Tx, u store.Upload) error {
	b := &pgx.Batch{}
	for _, r := range u.Records {
		if r.Digest != 0 {
			b.Queue(`INSERT INTO source_digests (job_id, anchor, digest) VALUES ($1,$2,$3)
				ON CONFLICT (job_id, anchor) DO UPDATE SET digest = excluded.digest`, u.JobID, r.Anchor, r.Digest)
		}
	}
	for _, w := range u.Wakes {
		b.Queue(`INSERT INTO wakes (job_id, anchor, due_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, u.JobID, w.Anchor, ms(w.DueAt))
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

const syncColumns = `job_id, source_kind, source_config, interval_ms, watermark, watermark_version, next_cycle_at, lease_owner, lease_until,
	last_cycle_id, last_kind, last_started_at, last_finished_at, last_read, last_staged, last_error`

func scanSync(row interface{ Scan(...any) error }) (store.SyncState, error) {
	var st store.SyncState
	var interval, next, until, started, finished int64
	err := row.Scan(&st.JobID, &st.SourceKind, &st.SourceConfig, &interval, &st.Watermark, &st.WatermarkVersion, &next, &st.LeaseOwner, &until,
		&st.Last.ID, &st.Last.Kind, &started, &finished, &st.Last.Read, &st.Last.Staged, &st.Last.Error)
	st.Interval = time.Duration(interval) * time.Millisecond
	st.NextCycleAt, st.LeaseUntil = fromMS(next), fromMS(until)
	st.Last.StartedAt, st.Last.FinishedAt = fromMS(started), fromMS(finished)
	return st, err
}

// PutSource implements store.Syncs.
func (s *Store) PutSource(ctx context.Context, jobID, kind string, config []byte, interval time.Duration) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE id = $1`, jobID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		_, err := tx.Exec(ctx, `INSERT INTO sync_states (job_id, source_kind, source_config, interval_ms) VALUES ($1,$2,$3,$4)
			ON CONFLICT (job_id) DO UPDATE SET
				watermark = CASE WHEN sync_states.source_kind = excluded.source_kind THEN sync_states.watermark END,
				source_kind = excluded.source_kind, source_config = excluded.source_config,
				interval_ms = excluded.interval_ms, next_cycle_at = 0`,
			jobID, kind, config, interval.Milliseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("put source of %s: %w", jobID, err)
	}
	return nil
}

// GetSyncState implements store.Syncs.
func (s *Store) GetSyncState(ctx context.Context, jobID string) (store.SyncState, error) {
	st, err := scanSync(s.db.QueryRow(ctx, `SELECT `+syncColumns+` FROM sync_states WHERE job_id = $1`, jobID))
	if notFound(err) {
		return st, fmt.Errorf("source of %s: %w", jobID, store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("source of %s: %w", jobID, err)
	}
	return st, nil
}

// ClaimCycle implements store.Syncs. SKIP LOCKED lets replicas claim
// different jobs at once without waiting on each other.
func (s *Store) ClaimCycle(ctx context.Context, owner string, now time.Time, lease time.Duration) (store.SyncState, bool, error) {
	st, err := scanSync(s.db.QueryRow(ctx, `UPDATE sync_states SET lease_owner = $1, lease_until = $2
		WHERE job_id = (SELECT s.job_id FROM sync_states s JOIN jobs j ON j.id = s.job_id
			WHERE s.next_cycle_at <= $3 AND (s.lease_owner = '' OR s.lease_until < $3) AND NOT j.paused AND j.quarantine_reason = ''
			ORDER BY s.next_cycle_at LIMIT 1 FOR UPDATE OF s SKIP LOCKED)
		RETURNING `+syncColumns, owner, ms(now.Add(lease)), ms(now)))
	if notFound(err) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("claim cycle: %w", err)
	}
	return st, true, nil
}

// ExtendLease implements store.Syncs.
func (s *Store) ExtendLease(ctx context.Context, jobID, owner string, until time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE sync_states SET lease_until = $1 WHERE job_id = $2 AND lease_owner = $3`, ms(until), jobID, owner)
	return leaseResult(tag, err, "extend lease of "+jobID)
}

// FinishCycle implements store.Syncs.
func (s *Store) FinishCycle(ctx context.Context, jobID, owner string, end store.CycleEnd) error {
	sum := end.Summary
	q := `UPDATE sync_states SET lease_owner = '', lease_until = 0, next_cycle_at = $1,
		last_cycle_id = $2, last_kind = $3, last_started_at = $4, last_finished_at = $5, last_read = $6, last_staged = $7, last_error = $8`
	args := []any{ms(end.NextCycleAt), sum.ID, sum.Kind, ms(sum.StartedAt), ms(sum.FinishedAt), sum.Read, sum.Staged, sum.Error}
	if end.Watermark != nil {
		q += `, watermark = $9, watermark_version = $10 WHERE job_id = $11 AND lease_owner = $12`
		args = append(args, end.Watermark, end.WatermarkVersion)
	} else {
		q += ` WHERE job_id = $9 AND lease_owner = $10`
	}
	tag, err := s.db.Exec(ctx, q, append(args, jobID, owner)...)
	return leaseResult(tag, err, "finish cycle of "+jobID)
}

func leaseResult(tag pgconn.CommandTag, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: the lease is held by another replica: %w", what, store.ErrConflict)
	}
	return nil
}

// RequestCycle implements store.Syncs.
func (s *Store) RequestCycle(ctx context.Context, jobID string, at time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE sync_states SET next_cycle_at = $1 WHERE job_id = $2`, ms(at), jobID)
	if err != nil {
		return fmt.Errorf("request cycle of %s: %w", jobID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("request cycle of %s: %w", jobID, store.ErrNotFound)
	}
	return nil
}

// Digests implements store.Syncs.
func (s *Store) Digests(ctx context.Context, jobID string) (map[string]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT anchor, digest FROM source_digests WHERE job_id = $1`, jobID)
	if err != nil {
		return nil, fmt.Errorf("digests of %s: %w", jobID, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var a string
		var d int64
		if err := rows.Scan(&a, &d); err != nil {
			return nil, fmt.Errorf("digests of %s: %w", jobID, err)
		}
		out[a] = d
	}
	return out, rows.Err()
}

// DueWakes implements store.Syncs.
func (s *Store) DueWakes(ctx context.Context, now time.Time, limit int) ([]store.Wake, error) {
	rows, err := s.db.Query(ctx, `SELECT job_id, anchor, due_at FROM wakes WHERE due_at <= $1 ORDER BY due_at, job_id, anchor LIMIT $2`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due wakes: %w", err)
	}
	defer rows.Close()
	var out []store.Wake
	for rows.Next() {
		var w store.Wake
		var at int64
		if err := rows.Scan(&w.JobID, &w.Anchor, &at); err != nil {
			return nil, fmt.Errorf("due wakes: %w", err)
		}
		w.DueAt = fromMS(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWake implements store.Syncs.
func (s *Store) DeleteWake(ctx context.Context, w store.Wake) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM wakes WHERE job_id = $1 AND anchor = $2 AND due_at = $3`, w.JobID, w.Anchor, ms(w.DueAt)); err != nil {
		return fmt.Errorf("delete wake of %s/%s: %w", w.JobID, w.Anchor, err)
	}
	return nil
}
