package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// ResolvableReferences implements store.References.
func (s *Store) ResolvableReferences(ctx context.Context, jobID string, n int) ([]store.ResolvableReference, error) {
	rows, err := s.db.Query(ctx, `SELECT p.anchor, p.attribute, p.target, p.created_at,
			h.object_guid, h.dn, h.enabled, h.updated_at, t.anchor, t.object_guid, t.dn, t.enabled, t.updated_at
		FROM pending_references p
		JOIN links h ON h.job_id = p.job_id AND h.anchor = p.anchor
		JOIN links t ON t.job_id = p.job_id AND t.anchor = COALESCE(
			(SELECT a.anchor FROM links a WHERE a.job_id = p.job_id AND a.anchor = p.target),
			(SELECT m.anchor FROM links m WHERE m.job_id = p.job_id AND m.match_value = p.target AND m.match_value <> '' ORDER BY m.anchor LIMIT 1))
		WHERE p.job_id = $1 ORDER BY p.created_at, p.anchor LIMIT $2`, jobID, limit(n))
	if err != nil {
		return nil, fmt.Errorf("resolvable references of %s: %w", jobID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ResolvableReference, error) {
		var r store.ResolvableReference
		var created, hu, tu int64
		err := row.Scan(&r.Anchor, &r.Attribute, &r.Target, &created, &r.Holder.ObjectGUID, &r.Holder.DN, &r.Holder.Enabled, &hu,
			&r.To.Anchor, &r.To.ObjectGUID, &r.To.DN, &r.To.Enabled, &tu)
		r.JobID, r.CreatedAt = jobID, fromMS(created)
		r.Holder.JobID, r.Holder.Anchor, r.Holder.UpdatedAt = jobID, r.Anchor, fromMS(hu)
		r.To.JobID, r.To.UpdatedAt = jobID, fromMS(tu)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("resolvable references of %s: %w", jobID, err)
	}
	return out, nil
}

// CountPendingReferences implements store.References.
func (s *Store) CountPendingReferences(ctx context.Context, jobID string) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM pending_references WHERE job_id = $1`, jobID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending references of %s: %w", jobID, err)
	}
	return n, nil
}
