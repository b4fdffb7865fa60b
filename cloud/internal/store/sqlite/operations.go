package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

const opColumns = `id, job_id, domain, payload, state, attempt, seq, agent_id, replica_id, not_before, dispatched_at, result, created_at, updated_at`

// CreateOperation implements store.Operations.
func (s *Store) CreateOperation(ctx context.Context, op store.Operation) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO operations (id, job_id, domain, payload, state, attempt, not_before, created_at, updated_at)
		VALUES (?,?,?,?,?,0,?,?,?)`, op.ID, op.JobID, op.Domain, op.Payload, store.OpPending, ms(op.NotBefore), ms(op.CreatedAt), ms(op.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("operation %s: %w", op.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create operation %s: %w", op.ID, err)
	}
	s.events.Publish(store.Event{Kind: store.EventOpPending, Key: domainKey(op.Domain)})
	return nil
}

// GetOperation implements store.Operations.
func (s *Store) GetOperation(ctx context.Context, id string) (store.Operation, error) {
	op, err := scanOp(s.db.QueryRowContext(ctx, `SELECT `+opColumns+` FROM operations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return op, fmt.Errorf("operation %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return op, fmt.Errorf("get operation %s: %w", id, err)
	}
	return op, nil
}

// DispatchableOperations implements store.Operations.
func (s *Store) DispatchableOperations(ctx context.Context, now time.Time, domains []string, limit int) ([]store.Operation, error) {
	if domains == nil {
		return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations WHERE state = ? AND not_before <= ? ORDER BY created_at, id LIMIT ?`,
			store.OpPending, ms(now), limit)
	}
	if len(domains) == 0 {
		return nil, nil
	}
	args := []any{store.OpPending, ms(now)}
	for _, d := range domains {
		args = append(args, d)
	}
	args = append(args, limit)
	return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations WHERE state = ? AND not_before <= ?
		AND lower(rtrim(domain, '.')) IN (?`+strings.Repeat(", ?", len(domains)-1)+`) ORDER BY created_at, id LIMIT ?`, args...)
}

// ListOperations implements store.Operations.
func (s *Store) ListOperations(ctx context.Context, state store.OpState) ([]store.Operation, error) {
	if state == "" {
		return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations ORDER BY created_at, id`)
	}
	return s.queryOps(ctx, `SELECT `+opColumns+` FROM operations WHERE state = ? ORDER BY created_at, id`, state)
}

func (s *Store) queryOps(ctx context.Context, q string, args ...any) ([]store.Operation, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query operations: %w", err)
	}
	defer rows.Close()
	var out []store.Operation
	for rows.Next() {
		op, err := scanOp(rows)
		if err != nil {
			return nil, fmt.Errorf("query operations: %w", err)
		}
		out = append(out, op)
	}
	return out, rows.Err()
}

// MarkDispatched implements store.Operations.
func (s *Store) MarkDispatched(ctx context.Context, id string, attempt uint32, agentID, replicaID string, at time.Time) (uint64, error) {
	var seq uint64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'op_seq' RETURNING value`).Scan(&seq); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE operations SET state = ?, attempt = ?, seq = ?, agent_id = ?, replica_id = ?, dispatched_at = ?, updated_at = ?
			WHERE id = ? AND state = ? AND attempt = ?`,
			store.OpDispatched, attempt, seq, agentID, replicaID, ms(at), ms(at), id, store.OpPending, attempt-1)
		if err != nil {
			return err
		}
		return affected(res, id)
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
	var domain string
	err := s.db.QueryRowContext(ctx, `UPDATE operations SET state = ?, not_before = ?, agent_id = '', replica_id = '', updated_at = ?,
		payload = COALESCE(?, payload)
		WHERE id = ? AND state = ? AND attempt = ? RETURNING domain`, store.OpPending, ms(notBefore), ms(time.Now()), payload, id, store.OpDispatched, attempt).Scan(&domain)
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("operation %s changed underneath: %w", id, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("requeue operation %s: %w", id, err)
	}
	s.events.Publish(store.Event{Kind: store.EventOpPending, Key: domainKey(domain)})
	return nil
}

// Adopt implements store.Operations.
func (s *Store) Adopt(ctx context.Context, id string, attempt uint32, agentID, replicaID string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE operations SET state = ?, agent_id = ?, replica_id = ?, dispatched_at = ?, updated_at = ?
		WHERE id = ? AND state IN (?, ?) AND attempt = ?`, store.OpDispatched, agentID, replicaID, ms(at), ms(at), id, store.OpPending, store.OpDispatched, attempt)
	if err == nil {
		err = affected(res, id)
	}
	if err != nil {
		return fmt.Errorf("adopt operation %s: %w", id, err)
	}
	return nil
}

// Complete implements store.Operations.
func (s *Store) Complete(ctx context.Context, id string, attempt uint32, result []byte, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE operations SET state = ?, result = ?, updated_at = ?
		WHERE id = ? AND state = ? AND attempt = ?`, store.OpDone, result, ms(at), id, store.OpDispatched, attempt)
	if err == nil {
		err = affected(res, id)
	}
	if err != nil {
		return fmt.Errorf("complete operation %s: %w", id, err)
	}
	s.events.Publish(store.Event{Kind: store.EventOpDone, Key: id})
	return nil
}

func affected(res sql.Result, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("operation %s changed underneath: %w", id, store.ErrConflict)
	}
	return nil
}

func scanOp(r scanner) (store.Operation, error) {
	var op store.Operation
	var state string
	var notBefore, dispatched, created, updated int64
	err := r.Scan(&op.ID, &op.JobID, &op.Domain, &op.Payload, &state, &op.Attempt, &op.Seq, &op.AgentID, &op.ReplicaID,
		&notBefore, &dispatched, &op.Result, &created, &updated)
	op.State = store.OpState(state)
	op.NotBefore, op.DispatchedAt, op.CreatedAt, op.UpdatedAt = fromMS(notBefore), fromMS(dispatched), fromMS(created), fromMS(updated)
	return op, err
}

// domainKey is the key of an EventOpPending: the domain as agents report
// it (lower case, no trailing dot).
func domainKey(domain string) string { return strings.ToLower(strings.TrimSuffix(domain, ".")) }
