package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// GetLink implements store.Links.
func (s *Store) GetLink(ctx context.Context, jobID, anchor string) (store.Link, error) {
	l := store.Link{JobID: jobID, Anchor: anchor}
	var at int64
	err := s.db.QueryRow(ctx, `SELECT object_guid, dn, enabled, updated_at FROM links WHERE job_id = $1 AND anchor = $2`, jobID, anchor).
		Scan(&l.ObjectGUID, &l.DN, &l.Enabled, &at)
	if notFound(err) {
		return l, fmt.Errorf("link %s/%s: %w", jobID, anchor, store.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("get link %s/%s: %w", jobID, anchor, err)
	}
	l.UpdatedAt = fromMS(at)
	return l, nil
}

// DeleteLink implements store.Links.
func (s *Store) DeleteLink(ctx context.Context, jobID, anchor string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM links WHERE job_id = $1 AND anchor = $2`, jobID, anchor); err != nil {
		return fmt.Errorf("delete link %s/%s: %w", jobID, anchor, err)
	}
	return nil
}

// CountLinks implements store.Links.
func (s *Store) CountLinks(ctx context.Context, jobID string) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM links WHERE job_id = $1`, jobID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count links of %s: %w", jobID, err)
	}
	return n, nil
}

// LinksToObject implements store.Links.
func (s *Store) LinksToObject(ctx context.Context, jobID, objectGUID string) ([]store.Link, error) {
	rows, err := s.db.Query(ctx, `SELECT anchor, dn, enabled, updated_at FROM links WHERE job_id = $1 AND object_guid = $2 ORDER BY anchor`, jobID, objectGUID)
	if err != nil {
		return nil, fmt.Errorf("links to %s in %s: %w", objectGUID, jobID, err)
	}
	defer rows.Close()
	var out []store.Link
	for rows.Next() {
		l := store.Link{JobID: jobID, ObjectGUID: objectGUID}
		var at int64
		if err := rows.Scan(&l.Anchor, &l.DN, &l.Enabled, &at); err != nil {
			return nil, fmt.Errorf("links to %s in %s: %w", objectGUID, jobID, err)
		}
		l.UpdatedAt = fromMS(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// DisabledLinks implements store.Links.
func (s *Store) DisabledLinks(ctx context.Context, jobID string, before time.Time, limit int) ([]store.Link, error) {
	rows, err := s.db.Query(ctx, `SELECT anchor, object_guid, dn, updated_at, disabled_at FROM links
		WHERE job_id = $1 AND disabled_at > 0 AND disabled_at <= $2 ORDER BY disabled_at, anchor LIMIT $3`, jobID, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("disabled links of %s: %w", jobID, err)
	}
	defer rows.Close()
	var out []store.Link
	for rows.Next() {
		l := store.Link{JobID: jobID}
		var at, dis int64
		if err := rows.Scan(&l.Anchor, &l.ObjectGUID, &l.DN, &at, &dis); err != nil {
			return nil, fmt.Errorf("disabled links of %s: %w", jobID, err)
		}
		l.UpdatedAt, l.DisabledAt = fromMS(at), fromMS(dis)
		out = append(out, l)
	}
	return out, rows.Err()
}

// LinkByMatchValue implements store.Links.
func (s *Store) LinkByMatchValue(ctx context.Context, jobID, value string) (store.Link, error) {
	l := store.Link{JobID: jobID, MatchValue: value}
	var at int64
	err := s.db.QueryRow(ctx, `SELECT anchor, object_guid, dn, enabled, updated_at FROM links
		WHERE job_id = $1 AND match_value = $2 AND match_value <> '' ORDER BY anchor LIMIT 1`, jobID, value).
		Scan(&l.Anchor, &l.ObjectGUID, &l.DN, &l.Enabled, &at)
	if notFound(err) {
		return l, fmt.Errorf("link of %s with value %q: %w", jobID, value, store.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("link of %s with value %q: %w", jobID, value, err)
	}
	l.UpdatedAt = fromMS(at)
	return l, nil
}
