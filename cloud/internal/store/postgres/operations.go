package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

const opColumns = `id, job_id, domain, payload, state, attempt, seq, agent_id, replica_id, not_before, dispatched_at, result, created_at, updated_at`

// CreateOperation implements store.Operations.
func (s *Store) CreateOperation(ctx context.Context, op store.Operation) error {
	_, err := s.notifying(ctx, pendingEvent, `INSERT INTO operations (id, job_id, domain, payload, state, attempt, not_before, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,0,$6,$7,$8) RETURNING domain`, op.ID, op.JobID, op.Domain, op.Payload, store.OpPending, ms(op.NotBefore), ms(op.CreatedAt), ms(op.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("operation %s: %w", op.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create operation %s: %w", op.ID, err)
	}
	return nil
}

// GetOperation implements store.Operations.
func (s *Store) GetOperation(ctx context.Context, id string) (store.Operation, error) {
	op, err := scanOp(s.db.QueryRow(ctx, `SELECT `+opColumns+` FROM operations WHERE id = $1`, id))
	if notFound(err) {
		return op, fmt.Errorf("operation %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return op, fmt.Errorf("get operation %s: %w", id, err)
	}
	return op, nil
}

// DispatchableOperations implements store.Operations.
func (s *Store) DispatchableOperations(ctx context.Context, now time.Time, domains []string, n int) ([]store.Operation, error) {
	if domains == nil {
		return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations WHERE state = $1 AND not_before <= $2 ORDER BY created_at, id LIMIT $3`,
			store.OpPending, ms(now), limit(n))
	}
	return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations WHERE state = $1 AND not_before <= $2
		AND lower(rtrim(domain, '.')) = ANY($3) ORDER BY created_at, id LIMIT $4`,
		store.OpPending, ms(now), domains, limit(n))
}

// ListOperations implements store.Operations.
func (s *Store) ListOperations(ctx context.Context, state store.OpState) ([]store.Operation, error) {
	if state == "" {
		return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations ORDER BY created_at, id`)
	}
	return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations WHERE state = $1 ORDER BY created_at, id`, state)
}

func (s *Store) queryOps(ctx context.Context, q string, args ...any) ([]store.Operation, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query operations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Operation, error) { return scanOp(r) })
	if err != nil {
		return nil, fmt.Errorf("query operations: %w", err)
	}
	return out, nil
}

// MarkDispatched implements store.Operations. The fenced update goes first,
// so a caller that lost the race never touches the counter; the winner then
// holds the counter row until commit (see the migration), which keeps
// sequence numbers in commit order across replicas.
func (s *Store) MarkDispatched(ctx context.Context, id string, attempt uint32, agentID, replicaID string, at time.Time) (uint64, error) {
	var seq uint64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE operations SET state = $1, attempt = $2, agent_id = $3, replica_id = $8, dispatched_at = $4, updated_at = $4
			WHERE id = $5 AND state = $6 AND attempt = $7`,
			store.OpDispatched, attempt, agentID, ms(at), id, store.OpPending, int64(attempt)-1, replicaID)
		if err := affected(tag, err, id); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `WITH c AS (UPDATE counters SET value = value + 1 WHERE name = 'op_seq' RETURNING value)
			UPDATE operations SET seq = c.value FROM c WHERE id = $1 RETURNING seq`, id).Scan(&seq)
	})
	if err != nil {
		return 0, fmt.Errorf("mark operation %s dispatched: %w", id, err)
	}
	return seq, nil
}

// Requeue implements store.Operations.
func (s *Store) Requeue(ctx context.Context, id string, attempt uint32, notBefore time.Time) error {
	return s.requeue(ctx, id, attempt, notBefore, nil)
}

// RequeueWith implements store.Operations.
func (s *Store) RequeueWith(ctx context.Context, id string, attempt uint32, notBefore time.Time, payload []byte) error {
	if len(payload) == 0 {
		return fmt.Errorf("requeue operation %s: empty payload", id)
	}
	return s.requeue(ctx, id, attempt, notBefore, payload)
}

// requeue requeues the op, replacing its payload unless payload is nil.
func (s *Store) requeue(ctx context.Context, id string, attempt uint32, notBefore time.Time, payload []byte) error {
	n, err := s.notifying(ctx, pendingEvent, `UPDATE operations SET state = $1, not_before = $2, agent_id = '', replica_id = '', updated_at = $3,
		payload = COALESCE($7, payload)
		WHERE id = $4 AND state = $5 AND attempt = $6 RETURNING domain`, store.OpPending, ms(notBefore), ms(time.Now()), id, store.OpDispatched, attempt, payload)
	if err := changed(n, err, id); err != nil {
		return fmt.Errorf("requeue operation %s: %w", id, err)
	}
	return nil
}

// Adopt implements store.Operations.
func (s *Store) Adopt(ctx context.Context, id string, attempt uint32, agentID, replicaID string, at time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE operations SET state = $1, agent_id = $2, replica_id = $8, dispatched_at = $3, updated_at = $3
		WHERE id = $4 AND state IN ($5, $6) AND attempt = $7`, store.OpDispatched, agentID, ms(at), id, store.OpPending, store.OpDispatched, attempt, replicaID)
	if err := affected(tag, err, id); err != nil {
		return fmt.Errorf("adopt operation %s: %w", id, err)
	}
	return nil
}

// Complete implements store.Operations.
func (s *Store) Complete(ctx context.Context, id string, attempt uint32, result []byte, at time.Time) error {
	n, err := s.notifying(ctx, doneEvent, `UPDATE operations SET state = $1, result = $2, updated_at = $3
		WHERE id = $4 AND state = $5 AND attempt = $6 RETURNING id`, store.OpDone, result, ms(at), id, store.OpDispatched, attempt)
	if err := changed(n, err, id); err != nil {
		return fmt.Errorf("complete operation %s: %w", id, err)
	}
	return nil
}

// affected turns an update that matched no row into store.ErrConflict: the
// operation is not in the state and attempt the caller expected.
func affected(tag pgconn.CommandTag, err error, id string) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("operation %s changed underneath: %w", id, store.ErrConflict)
	}
	return nil
}

// changed is affected for a statement run through notifying.
func changed(n int64, err error, id string) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("operation %s changed underneath: %w", id, store.ErrConflict)
	}
	return nil
}

func scanOp(r pgx.Row) (store.Operation, error) {
	var op store.Operation
	var state string
	var attempt, seq, notBefore, dispatched, created, updated int64
	err := r.Scan(&op.ID, &op.JobID, &op.Domain, &op.Payload, &state, &attempt, &seq, &op.AgentID, &op.ReplicaID,
		&notBefore, &dispatched, &op.Result, &created, &updated)
	op.State = store.OpState(state)
	op.Attempt, op.Seq = uint32(attempt), uint64(seq)
	op.NotBefore, op.DispatchedAt, op.CreatedAt, op.UpdatedAt = fromMS(notBefore), fromMS(dispatched), fromMS(created), fromMS(updated)
	return op, err
}
