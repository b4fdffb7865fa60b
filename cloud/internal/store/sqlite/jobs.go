package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

const jobColumns = `id, service_principal, name, template, domain, default_container, mapping, upload_token_hash, created_at, scoping, schema_version, quarantine_reason, quarantined_at, deletes_allowed_before, paused, alerted_reason`

// CreateJob implements store.Jobs.
func (s *Store) CreateJob(ctx context.Context, j store.Job) error {
	if len(j.Scoping) == 0 {
		j.Scoping = []byte("{}")
	}
	if j.SchemaVersion == 0 {
		j.SchemaVersion = 1
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO jobs (`+jobColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		j.ID, j.ServicePrincipal, j.Name, j.Template, j.Domain, j.DefaultContainer, j.Mapping, j.UploadTokenHash, ms(j.CreatedAt), j.Scoping, j.SchemaVersion,
		j.QuarantineReason, ms(j.QuarantinedAt), ms(j.DeletesAllowedBefore), j.Paused, j.AlertedReason)
	if isUniqueViolation(err) {
		return fmt.Errorf("job %s: %w", j.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create job %s: %w", j.ID, err)
	}
	return nil
}

// GetJob implements store.Jobs.
func (s *Store) GetJob(ctx context.Context, id string) (store.Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, fmt.Errorf("job %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return j, fmt.Errorf("get job %s: %w", id, err)
	}
	return j, nil
}

// ListJobs implements store.Jobs.
func (s *Store) ListJobs(ctx context.Context) ([]store.Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanJob(r scanner) (store.Job, error) {
	var j store.Job
	var created, quarantined, allowed int64
	err := r.Scan(&j.ID, &j.ServicePrincipal, &j.Name, &j.Template, &j.Domain, &j.DefaultContainer, &j.Mapping, &j.UploadTokenHash, &created, &j.Scoping, &j.SchemaVersion,
		&j.QuarantineReason, &quarantined, &allowed, &j.Paused, &j.AlertedReason)
	j.CreatedAt, j.QuarantinedAt, j.DeletesAllowedBefore = fromMS(created), fromMS(quarantined), fromMS(allowed)
	return j, err
}

// UpdateJobSchema implements store.Jobs.
func (s *Store) UpdateJobSchema(ctx context.Context, id string, mapping, scoping []byte) (int, error) {
	if len(scoping) == 0 {
		scoping = []byte("{}")
	}
	var version int
	err := s.db.QueryRowContext(ctx, `UPDATE jobs SET mapping = ?, scoping = ?, schema_version = schema_version + 1
		WHERE id = ? RETURNING schema_version`, mapping, scoping, id).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("job %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("update schema of job %s: %w", id, err)
	}
	return version, nil
}

// SetQuarantine implements store.Jobs.
func (s *Store) SetQuarantine(ctx context.Context, id, reason string, at time.Time) error {
	if reason == "" {
		at = time.Time{}
	}
	return s.updateJob(ctx, id, `UPDATE jobs SET quarantine_reason = ?, quarantined_at = ? WHERE id = ?`, reason, ms(at), id)
}

// AllowDeletes implements store.Jobs.
func (s *Store) AllowDeletes(ctx context.Context, id string, before time.Time) error {
	return s.updateJob(ctx, id, `UPDATE jobs SET deletes_allowed_before = ?,
		quarantine_reason = CASE WHEN quarantine_reason = 'TooManyDeletes' THEN '' ELSE quarantine_reason END,
		quarantined_at = CASE WHEN quarantine_reason = 'TooManyDeletes' THEN 0 ELSE quarantined_at END
		WHERE id = ?`, ms(before), id)
}

func (s *Store) updateJob(ctx context.Context, id, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("update job %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("job %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// MarkAlerted implements store.Jobs.
func (s *Store) MarkAlerted(ctx context.Context, id, reason string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET alerted_reason = ? WHERE id = ? AND alerted_reason <> ?`, reason, id, reason)
	if err != nil {
		return false, fmt.Errorf("mark job %s alerted: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	if _, err := s.GetJob(ctx, id); err != nil {
		return false, err
	}
	return false, nil
}

// SetPaused implements store.Jobs.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool) error {
	return s.updateJob(ctx, id, `UPDATE jobs SET paused = ? WHERE id = ?`, paused, id)
}

// ResetJob implements store.Jobs.
func (s *Store) ResetJob(ctx context.Context, id string, r store.Reset) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		var stmts []string
		if r.Escrows {
			stmts = append(stmts, `DELETE FROM escrows WHERE job_id = ?`)
		}
		if r.Links {
			stmts = append(stmts, `DELETE FROM links WHERE job_id = ?`, `DELETE FROM pending_references WHERE job_id = ?`)
		}
		if r.Quarantine {
			stmts = append(stmts, `UPDATE jobs SET quarantine_reason = '', quarantined_at = 0 WHERE id = ?`)
		}
		if r.Watermark {
			stmts = append(stmts, `UPDATE sync_states SET watermark = NULL, watermark_version = 0, next_cycle_at = 0 WHERE job_id = ?`,
				`DELETE FROM source_digests WHERE job_id = ?`)
		}
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset job %s: %w", id, err)
	}
	return nil
}
