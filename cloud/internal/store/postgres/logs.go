package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// FinishRecord implements store.Logs. It marks the record first: of two
// callers racing on one record the second waits on that row lock, then
// finds it processed and rolls back before writing anything, and every
// caller takes the record's lock before the link's, so they cannot deadlock.
func (s *Store) FinishRecord(ctx context.Context, o store.Outcome) error {
	l := o.Log
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if o.RecordID != 0 {
			tag, err := tx.Exec(ctx, `UPDATE staged_records SET processed_at = $1 WHERE id = $2 AND processed_at IS NULL`, ms(l.ActivityTime), o.RecordID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("staged record %d: %w", o.RecordID, store.ErrConflict)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO provisioning_logs (id, job_id, cycle_id, change_id, activity_time, duration_ms,
			action, status, source_id, source_name, target_id, target_name, error_code, error_message, recommendation, modified, steps)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
			l.ID, l.JobID, l.CycleID, l.ChangeID, ms(l.ActivityTime), l.DurationMS, l.Action, l.Status, l.SourceID, l.SourceName,
			l.TargetID, l.TargetName, l.ErrorCode, l.ErrorMessage, l.Recommendation, nonNil(l.Modified), nonNil(l.Steps)); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("log entry %s: %w", l.ID, store.ErrConflict)
			}
			return err
		}
		if k := o.Link; k != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO links (job_id, anchor, object_guid, dn, enabled, updated_at, disabled_at, match_value) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
				ON CONFLICT (job_id, anchor) DO UPDATE SET object_guid = excluded.object_guid, dn = excluded.dn, enabled = excluded.enabled,
					updated_at = excluded.updated_at,
					disabled_at = CASE WHEN excluded.enabled THEN 0 WHEN links.disabled_at > 0 THEN links.disabled_at ELSE excluded.updated_at END,
					match_value = CASE WHEN excluded.match_value <> '' THEN excluded.match_value ELSE links.match_value END`,
				k.JobID, k.Anchor, k.ObjectGUID, k.DN, k.Enabled, ms(k.UpdatedAt), disabledAt(k), k.MatchValue); err != nil {
				return err
			}
		}
		for _, w := range o.Wakes {
			if _, err := tx.Exec(ctx, `INSERT INTO wakes (job_id, anchor, due_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, w.JobID, w.Anchor, ms(w.DueAt)); err != nil {
				return err
			}
		}
		if o.Unlink != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM links WHERE job_id = $1 AND anchor = $2`, o.Log.JobID, o.Unlink); err != nil {
				return err
			}
		}
		for _, k := range o.DeleteReferences {
			if _, err := tx.Exec(ctx, `DELETE FROM pending_references WHERE job_id = $1 AND anchor = $2 AND attribute = $3`,
				k.JobID, k.Anchor, k.Attribute); err != nil {
				return err
			}
		}
		for _, r := range o.PutReferences {
			if _, err := tx.Exec(ctx, `INSERT INTO pending_references (job_id, anchor, attribute, target, created_at) VALUES ($1,$2,$3,$4,$5)
				ON CONFLICT (job_id, anchor, attribute) DO UPDATE SET target = excluded.target, created_at = excluded.created_at`,
				r.JobID, r.Anchor, r.Attribute, r.Target, ms(r.CreatedAt)); err != nil {
				return err
			}
		}
		if k := o.ClearEscrow; k != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM escrows WHERE job_id = $1 AND anchor = $2`, k.JobID, k.Anchor); err != nil {
				return err
			}
		}
		if e := o.Escrow; e != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO escrows (`+escrowColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
				ON CONFLICT (job_id, anchor) DO UPDATE SET record_id = excluded.record_id, bulk_id = excluded.bulk_id, payload = excluded.payload,
					attempts = excluded.attempts, first_failed = excluded.first_failed, next_attempt = excluded.next_attempt, error_code = excluded.error_code,
					pinned_dc = excluded.pinned_dc`,
				e.JobID, e.Anchor, e.RecordID, e.BulkID, e.Payload, e.Attempts, ms(e.FirstFailed), ms(e.NextAttempt), e.ErrorCode, e.PinnedDC); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish record %d: %w", o.RecordID, err)
	}
	return nil
}

const logColumns = `id, job_id, cycle_id, change_id, activity_time, duration_ms, action, status,
	source_id, source_name, target_id, target_name, error_code, error_message, recommendation, modified, steps`

// QueryLogs implements store.Logs. The row comparison pages by
// (activity_time, id) and matches the indexes' order.
func (s *Store) QueryLogs(ctx context.Context, q store.LogQuery) ([]store.LogEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var rows pgx.Rows
	var err error
	if q.JobID == "" {
		rows, err = s.db.Query(ctx, `SELECT `+logColumns+` FROM provisioning_logs
			WHERE ($1 = '' OR cycle_id = $1) AND (activity_time, id) > ($2, $3) ORDER BY activity_time, id LIMIT $4`,
			q.CycleID, ms(q.AfterTime), q.AfterID, q.Limit)
	} else {
		rows, err = s.db.Query(ctx, `SELECT `+logColumns+` FROM provisioning_logs
			WHERE job_id = $1 AND ($2 = '' OR cycle_id = $2) AND (activity_time, id) > ($3, $4) ORDER BY activity_time, id LIMIT $5`,
			q.JobID, q.CycleID, ms(q.AfterTime), q.AfterID, q.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("query logs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.LogEntry, error) {
		var l store.LogEntry
		var at int64
		err := r.Scan(&l.ID, &l.JobID, &l.CycleID, &l.ChangeID, &at, &l.DurationMS, &l.Action, &l.Status, &l.SourceID, &l.SourceName,
			&l.TargetID, &l.TargetName, &l.ErrorCode, &l.ErrorMessage, &l.Recommendation, &l.Modified, &l.Steps)
		l.ActivityTime = fromMS(at)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("query logs: %w", err)
	}
	return out, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte("[]")
	}
	return b
}

// PruneLogs implements store.Logs.
func (s *Store) PruneLogs(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM provisioning_logs WHERE activity_time < $1`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune logs: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// CountActions implements store.Logs.
func (s *Store) CountActions(ctx context.Context, jobID string, actions []string, since time.Time) (int, error) {
	if len(actions) == 0 {
		return 0, nil
	}
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM provisioning_logs
		WHERE job_id = $1 AND status = 'success' AND activity_time >= $2 AND action = ANY($3)`, jobID, ms(since), actions).Scan(&n); err != nil {
		return 0, fmt.Errorf("count actions of %s: %w", jobID, err)
	}
	return n, nil
}

// disabledAt is when a new link's account was seen disabled (0: enabled).
func disabledAt(l *store.Link) int64 {
	if l.Enabled {
		return 0
	}
	return ms(l.UpdatedAt)
}
