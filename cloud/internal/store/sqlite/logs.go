package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// FinishRecord implements store.Logs.
func (s *Store) FinishRecord(ctx context.Context, o store.Outcome) error {
	l := o.Log
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO provisioning_logs (id, job_id, cycle_id, change_id, activity_time, duration_ms,
			action, status, source_id, source_name, target_id, target_name, error_code, error_message, recommendation, modified, steps)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			l.ID, l.JobID, l.CycleID, l.ChangeID, ms(l.ActivityTime), l.DurationMS, l.Action, l.Status, l.SourceID, l.SourceName,
			l.TargetID, l.TargetName, l.ErrorCode, l.ErrorMessage, l.Recommendation, nonNil(l.Modified), nonNil(l.Steps)); err != nil {
			return err
		}
		if k := o.Link; k != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO links (job_id, anchor, object_guid, dn, enabled, updated_at, disabled_at, match_value) VALUES (?,?,?,?,?,?,?,?)
				ON CONFLICT (job_id, anchor) DO UPDATE SET object_guid = excluded.object_guid, dn = excluded.dn, enabled = excluded.enabled,
					updated_at = excluded.updated_at,
					disabled_at = CASE WHEN excluded.enabled THEN 0 WHEN links.disabled_at > 0 THEN links.disabled_at ELSE excluded.updated_at END,
					match_value = CASE WHEN excluded.match_value <> '' THEN excluded.match_value ELSE links.match_value END`,
				k.JobID, k.Anchor, k.ObjectGUID, k.DN, k.Enabled, ms(k.UpdatedAt), disabledAt(k), k.MatchValue); err != nil {
				return err
			}
		}
		for _, w := range o.Wakes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO wakes (job_id, anchor, due_at) VALUES (?,?,?) ON CONFLICT DO NOTHING`, w.JobID, w.Anchor, ms(w.DueAt)); err != nil {
				return err
			}
		}
		if o.Unlink != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE job_id = ? AND anchor = ?`, o.Log.JobID, o.Unlink); err != nil {
				return err
			}
		}
		for _, k := range o.DeleteReferences {
			if _, err := tx.ExecContext(ctx, `DELETE FROM pending_references WHERE job_id = ? AND anchor = ? AND attribute = ?`,
				k.JobID, k.Anchor, k.Attribute); err != nil {
				return err
			}
		}
		for _, r := range o.PutReferences {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pending_references (job_id, anchor, attribute, target, created_at) VALUES (?,?,?,?,?)
				ON CONFLICT (job_id, anchor, attribute) DO UPDATE SET target = excluded.target, created_at = excluded.created_at`,
				r.JobID, r.Anchor, r.Attribute, r.Target, ms(r.CreatedAt)); err != nil {
				return err
			}
		}
		if k := o.ClearEscrow; k != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM escrows WHERE job_id = ? AND anchor = ?`, k.JobID, k.Anchor); err != nil {
				return err
			}
		}
		if e := o.Escrow; e != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO escrows (`+escrowColumns+`)
				VALUES (?,?,?,?,?,?,?,?,?,?)
				ON CONFLICT (job_id, anchor) DO UPDATE SET record_id = excluded.record_id, bulk_id = excluded.bulk_id, payload = excluded.payload,
					attempts = excluded.attempts, first_failed = excluded.first_failed, next_attempt = excluded.next_attempt, error_code = excluded.error_code,
					pinned_dc = excluded.pinned_dc`,
				e.JobID, e.Anchor, e.RecordID, e.BulkID, e.Payload, e.Attempts, ms(e.FirstFailed), ms(e.NextAttempt), e.ErrorCode, e.PinnedDC); err != nil {
				return err
			}
		}
		if o.RecordID != 0 {
			res, err := tx.ExecContext(ctx, `UPDATE staged_records SET processed_at = ? WHERE id = ? AND processed_at IS NULL`, ms(l.ActivityTime), o.RecordID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("staged record %d: %w", o.RecordID, store.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish record %d: %w", o.RecordID, err)
	}
	return nil
}

// QueryLogs implements store.Logs.
func (s *Store) QueryLogs(ctx context.Context, q store.LogQuery) ([]store.LogEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, job_id, cycle_id, change_id, activity_time, duration_ms, action, status,
		source_id, source_name, target_id, target_name, error_code, error_message, recommendation, modified, steps
		FROM provisioning_logs
		WHERE (? = '' OR job_id = ?) AND (? = '' OR cycle_id = ?) AND (activity_time > ? OR (activity_time = ? AND id > ?))
		ORDER BY activity_time, id LIMIT ?`,
		q.JobID, q.JobID, q.CycleID, q.CycleID, ms(q.AfterTime), ms(q.AfterTime), q.AfterID, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("query logs: %w", err)
	}
	defer rows.Close()
	var out []store.LogEntry
	for rows.Next() {
		var l store.LogEntry
		var at int64
		if err := rows.Scan(&l.ID, &l.JobID, &l.CycleID, &l.ChangeID, &at, &l.DurationMS, &l.Action, &l.Status, &l.SourceID, &l.SourceName,
			&l.TargetID, &l.TargetName, &l.ErrorCode, &l.ErrorMessage, &l.Recommendation, &l.Modified, &l.Steps); err != nil {
			return nil, fmt.Errorf("query logs: %w", err)
		}
		l.ActivityTime = fromMS(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte("[]")
	}
	return b
}

// PruneLogs implements store.Logs.
func (s *Store) PruneLogs(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM provisioning_logs WHERE activity_time < ?`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune logs: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CountActions implements store.Logs.
func (s *Store) CountActions(ctx context.Context, jobID string, actions []string, since time.Time) (int, error) {
	if len(actions) == 0 {
		return 0, nil
	}
	q := `SELECT COUNT(*) FROM provisioning_logs WHERE job_id = ? AND status = 'success' AND activity_time >= ? AND action IN (?` +
		strings.Repeat(",?", len(actions)-1) + `)`
	args := []any{jobID, ms(since)}
	for _, a := range actions {
		args = append(args, a)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
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
