package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// HeartbeatReplica implements store.Replicas.
func (s *Store) HeartbeatReplica(ctx context.Context, id string, now, until time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO replicas (id, started_at, heartbeat_at, expires_at) VALUES (?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`, id, ms(now), ms(now), ms(until))
	if err != nil {
		return fmt.Errorf("heartbeat replica %s: %w", id, err)
	}
	return nil
}

// ListReplicas implements store.Replicas.
func (s *Store) ListReplicas(ctx context.Context) ([]store.Replica, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, heartbeat_at, expires_at FROM replicas ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	defer rows.Close()
	var out []store.Replica
	for rows.Next() {
		var r store.Replica
		var started, beat, expires int64
		if err := rows.Scan(&r.ID, &started, &beat, &expires); err != nil {
			return nil, fmt.Errorf("list replicas: %w", err)
		}
		r.StartedAt, r.HeartbeatAt, r.ExpiresAt = fromMS(started), fromMS(beat), fromMS(expires)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReapReplicas implements store.Replicas.
func (s *Store) ReapReplicas(ctx context.Context, now time.Time) ([]string, int, error) {
	var reaped, domains []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ids, err := queryStrings(ctx, tx, `DELETE FROM replicas WHERE expires_at < ? RETURNING id`, ms(now))
		if err != nil {
			return err
		}
		reaped = ids
		for _, id := range ids {
			ds, err := queryStrings(ctx, tx, `UPDATE operations SET state = ?, agent_id = '', replica_id = '', updated_at = ?
				WHERE state = ? AND replica_id = ? RETURNING domain`, store.OpPending, ms(now), store.OpDispatched, id)
			if err != nil {
				return err
			}
			domains = append(domains, ds...)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("reap replicas: %w", err)
	}
	seen := map[string]bool{}
	for _, d := range domains {
		if k := domainKey(d); !seen[k] {
			seen[k] = true
			s.events.Publish(store.Event{Kind: store.EventOpPending, Key: k})
		}
	}
	return reaped, len(domains), nil
}

// LeaveReplica implements store.Replicas.
func (s *Store) LeaveReplica(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM replicas WHERE id = ?`, id); err != nil {
		return fmt.Errorf("leave replica %s: %w", id, err)
	}
	return nil
}

// AcquireLease implements store.Leases.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES (?,?,?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`, name, owner, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("acquire lease %s: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("lease %s is held by another owner: %w", name, store.ErrConflict)
	}
	return nil
}

// ReleaseLease implements store.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
