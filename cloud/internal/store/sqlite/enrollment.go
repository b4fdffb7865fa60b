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

const tokenColumns = `id, token_hash, domains, description, created_at, expires_at, used_at, used_by`

// CreateBootstrapToken implements store.Enrollments.
func (s *Store) CreateBootstrapToken(ctx context.Context, t store.BootstrapToken) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO bootstrap_tokens (`+tokenColumns+`) VALUES (?,?,?,?,?,?,?,?)`,
		t.ID, t.Hash, strings.Join(t.Domains, ","), t.Description, ms(t.CreatedAt), ms(t.ExpiresAt), ms(t.UsedAt), t.UsedBy)
	if isUniqueViolation(err) {
		return fmt.Errorf("bootstrap token %s: %w", t.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create bootstrap token %s: %w", t.ID, err)
	}
	return nil
}

// BootstrapTokenByHash implements store.Enrollments.
func (s *Store) BootstrapTokenByHash(ctx context.Context, hash []byte) (store.BootstrapToken, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM bootstrap_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("bootstrap token: %w", store.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("get bootstrap token: %w", err)
	}
	return t, nil
}

// ListBootstrapTokens implements store.Enrollments.
func (s *Store) ListBootstrapTokens(ctx context.Context) ([]store.BootstrapToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM bootstrap_tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list bootstrap tokens: %w", err)
	}
	defer rows.Close()
	var out []store.BootstrapToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list bootstrap tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanToken(r scanner) (store.BootstrapToken, error) {
	var t store.BootstrapToken
	var domains string
	var created, expires, used int64
	err := r.Scan(&t.ID, &t.Hash, &domains, &t.Description, &created, &expires, &used, &t.UsedBy)
	t.Domains = splitDomains(domains)
	t.CreatedAt, t.ExpiresAt, t.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return t, err
}

const agentColumns = `id, domains, hostname, token_id, serial, not_after, prev_serial, serial_seen, enrolled_at, renewed_at, revoked_at, clone_at, clone_from, clone_reason`

// EnrollAgent implements store.Enrollments.
func (s *Store) EnrollAgent(ctx context.Context, tokenHash []byte, a store.EnrolledAgent) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bootstrap_tokens SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at = 0 AND expires_at > ?`,
			ms(a.EnrolledAt), a.ID, tokenHash, ms(a.EnrolledAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("bootstrap token is unknown, used or expired: %w", store.ErrConflict)
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO enrolled_agents (`+agentColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (id) DO UPDATE SET domains = excluded.domains, hostname = excluded.hostname, token_id = excluded.token_id,
			serial = excluded.serial, not_after = excluded.not_after, prev_serial = excluded.prev_serial, serial_seen = excluded.serial_seen,
			enrolled_at = excluded.enrolled_at, renewed_at = excluded.renewed_at, revoked_at = excluded.revoked_at,
			clone_at = excluded.clone_at, clone_from = excluded.clone_from, clone_reason = excluded.clone_reason
			WHERE enrolled_agents.revoked_at <> 0`,
			a.ID, strings.Join(a.Domains, ","), a.Hostname, a.TokenID, a.Serial, ms(a.NotAfter), a.PrevSerial, a.SerialSeen,
			ms(a.EnrolledAt), ms(a.RenewedAt), ms(a.RevokedAt), ms(a.Clone.At), a.Clone.From, a.Clone.Reason)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("agent %s is enrolled and not revoked: %w", a.ID, store.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("enroll agent %s: %w", a.ID, err)
	}
	return nil
}

// GetAgent implements store.Enrollments.
func (s *Store) GetAgent(ctx context.Context, id string) (store.EnrolledAgent, error) {
	a, err := scanAgent(s.db.QueryRowContext(ctx, `SELECT `+agentColumns+` FROM enrolled_agents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("agent %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("get agent %s: %w", id, err)
	}
	return a, nil
}

// ListAgents implements store.Enrollments.
func (s *Store) ListAgents(ctx context.Context) ([]store.EnrolledAgent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+agentColumns+` FROM enrolled_agents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	defer rows.Close()
	var out []store.EnrolledAgent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("list agents: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RotateAgent implements store.Enrollments.
func (s *Store) RotateAgent(ctx context.Context, id, presented, next string, notAfter, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE enrolled_agents SET prev_serial = ?, serial = ?, serial_seen = 0, not_after = ?, renewed_at = ?
		WHERE id = ? AND revoked_at = 0 AND (serial = ? OR (prev_serial = ? AND serial_seen = 0))`,
		presented, next, ms(notAfter), ms(at), id, presented, presented)
	if err != nil {
		return fmt.Errorf("rotate agent %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.agentMissingOr(ctx, id, fmt.Errorf("agent %s: serial %s is not current or the agent is revoked: %w", id, presented, store.ErrConflict))
	}
	return nil
}

// MarkSerialSeen implements store.Enrollments.
func (s *Store) MarkSerialSeen(ctx context.Context, id, serial string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE enrolled_agents SET serial_seen = 1 WHERE id = ? AND serial = ?`, id, serial); err != nil {
		return fmt.Errorf("mark serial of agent %s: %w", id, err)
	}
	return nil
}

// RevokeAgent implements store.Enrollments.
func (s *Store) RevokeAgent(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE enrolled_agents SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, ms(at), id)
	if err != nil {
		return fmt.Errorf("revoke agent %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.agentMissingOr(ctx, id, nil)
	}
	s.events.Publish(store.Event{Kind: store.EventAgentRevoked, Key: id})
	return nil
}

// ReportClone implements store.Enrollments.
func (s *Store) ReportClone(ctx context.Context, id string, r store.CloneReport) error {
	res, err := s.db.ExecContext(ctx, `UPDATE enrolled_agents SET clone_at = ?, clone_from = ?, clone_reason = ? WHERE id = ?`, ms(r.At), r.From, r.Reason, id)
	if err != nil {
		return fmt.Errorf("report clone of agent %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("agent %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// agentMissingOr returns ErrNotFound when the agent does not exist, else other.
func (s *Store) agentMissingOr(ctx context.Context, id string, other error) error {
	if _, err := s.GetAgent(ctx, id); err != nil {
		return err
	}
	return other
}

func scanAgent(r scanner) (store.EnrolledAgent, error) {
	var a store.EnrolledAgent
	var domains string
	var notAfter, enrolled, renewed, revoked, cloneAt int64
	err := r.Scan(&a.ID, &domains, &a.Hostname, &a.TokenID, &a.Serial, &notAfter, &a.PrevSerial, &a.SerialSeen,
		&enrolled, &renewed, &revoked, &cloneAt, &a.Clone.From, &a.Clone.Reason)
	a.Domains = splitDomains(domains)
	a.NotAfter, a.EnrolledAt, a.RenewedAt, a.RevokedAt, a.Clone.At = fromMS(notAfter), fromMS(enrolled), fromMS(renewed), fromMS(revoked), fromMS(cloneAt)
	return a, err
}

func splitDomains(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
