package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// HeartbeatReplica implements store.Replicas.
func (s *Store) HeartbeatReplica(ctx context.Context, id string, now, until time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO replicas (id, started_at, heartbeat_at, expires_at) VALUES ($1,$2,$2,$3)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`, id, ms(now), ms(until))
	if err != nil {
		return fmt.Errorf("heartbeat replica %s: %w", id, err)
	}
	return nil
}

// ListReplicas implements store.Replicas.
func (s *Store) ListReplicas(ctx context.Context) ([]store.Replica, error) {
	rows, err := s.db.Query(ctx, `SELECT id, started_at, heartbeat_at, expires_at FROM replicas ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Replica, error) {
		var rep store.Replica
		var started, beat, expires int64
		err := r.Scan(&rep.ID, &started, &beat, &expires)
		rep.StartedAt, rep.HeartbeatAt, rep.ExpiresAt = fromMS(started), fromMS(beat), fromMS(expires)
		return rep, err
	})
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	return out, nil
}

// ReapReplicas implements store.Replicas. Replicas reaping at once delete
// disjoint rows (the row lock decides), and an operation's requeue and its
// pending notification commit together.
func (s *Store) ReapReplicas(ctx context.Context, now time.Time) ([]string, int, error) {
	var reaped []string
	var requeued int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM replicas WHERE expires_at < $1 RETURNING id`, ms(now))
		if err != nil {
			return err
		}
		if reaped, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if len(reaped) == 0 {
			return nil
		}
		return tx.QueryRow(ctx, `WITH c(k) AS (UPDATE operations SET state = $1, agent_id = '', replica_id = '', updated_at = $2
				WHERE state = $3 AND replica_id = ANY($4) RETURNING domain)
			SELECT count(*) FROM (SELECT pg_notify('`+eventChannel+`', '`+pendingEvent+`' || lower(rtrim(c.k, '.'))) FROM c) AS n`,
			store.OpPending, ms(now), store.OpDispatched, reaped).Scan(&requeued)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("reap replicas: %w", err)
	}
	return reaped, int(requeued), nil
}

// LeaveReplica implements store.Replicas.
func (s *Store) LeaveReplica(ctx context.Context, id string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM replicas WHERE id = $1`, id); err != nil {
		return fmt.Errorf("leave replica %s: %w", id, err)
	}
	return nil
}

// AcquireLease implements store.Leases. INSERT ... ON CONFLICT DO UPDATE
// ... WHERE is atomic: of racing callers exactly one changes the row.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) error {
	tag, err := s.db.Exec(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES ($1,$2,$3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.owner = excluded.owner OR leases.expires_at <= $4`, name, owner, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("lease %s is held by another owner: %w", name, store.ErrConflict)
	}
	return nil
}

// ReleaseLease implements store.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND owner = $2`, name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
