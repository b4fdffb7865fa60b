// Package postgres is the PostgreSQL implementation of store.Store, for
// several hrsync-cloud replicas sharing one database. It mirrors
// store/sqlite method for method, file for file, and passes the same
// conformance suite (store/storetest).
//
// Design:
//   - The driver is pgx used natively through pgxpool rather than through
//     database/sql: errors come back as *pgconn.PgError with the SQLSTATE
//     we map, bytea and bigint scan straight into []byte and int64, COPY
//     stages uploads in one round trip, and the pool is the maintained one.
//     Pool settings come from the DSN (pool_max_conns=8, ...).
//   - Times are BIGINT Unix milliseconds, 0 meaning unset, exactly as in
//     SQLite: both dialects truncate to the same precision, so a time read
//     back (or carried in a paging token) compares equal in either one.
//   - Identifier columns are COLLATE "C": ids sort bytewise as in SQLite,
//     whatever collation the database defaults to.
//   - Transactions run at READ COMMITTED. Every fenced update is a single
//     UPDATE ... WHERE state = ... AND attempt = ..., so racing callers
//     queue on the row lock and the losers re-check the condition and see
//     zero rows (store.ErrConflict).
//   - Migrations (migrations/*.sql, embedded) run in one transaction that
//     first takes pg_advisory_xact_lock, so replicas starting together
//     migrate once and the others wait, then find nothing to do.
//
// Open takes a libpq-style DSN or URL:
//
//	st, err := postgres.Open(ctx, "postgres://hrsync@db:5432/hrsync?sslmode=verify-full")
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations of one database ("hrsync" in ASCII).
const migrationLockKey int64 = 0x68_72_73_79_6e_63

// SQLSTATE codes we map to store errors.
const uniqueViolation = "23505"

// Store implements store.Store.
type Store struct {
	db *pgxpool.Pool

	// events fans out what the listener hears (see Subscribe).
	events store.Hub
	// listenCtx owns the listener goroutine; Close cancels it.
	listenCtx    context.Context
	listenCancel context.CancelFunc
	listenOnce   sync.Once
	listenWG     sync.WaitGroup
	listenErr    atomic.Value // error
	// listening is closed once the listener first LISTENs.
	listening     chan struct{}
	listeningOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn and migrates it.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx redacts the password from its parse errors.
		return nil, fmt.Errorf("postgres dsn: %w", err)
	}
	db, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s := &Store{db: db, listening: make(chan struct{})}
	s.listenCtx, s.listenCancel = context.WithCancel(context.Background())
	if err := s.migrate(ctx); err != nil {
		s.listenCancel()
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the listener and closes the pool.
func (s *Store) Close() error {
	s.listenCancel()
	s.listenWG.Wait()
	s.db.Close()
	return nil
}

// migrationVersions lists the embedded migrations in the order they apply.
func migrationVersions() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	versions := make([]string, len(names))
	for i, name := range names {
		versions[i] = strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
	}
	return versions, nil
}

func (s *Store) migrate(ctx context.Context) error {
	versions, err := migrationVersions()
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		// The lock comes first: even CREATE TABLE IF NOT EXISTS fails when
		// two sessions run it at once.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied := map[string]bool{}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, v := range done {
			applied[v] = true
		}
		for _, version := range versions {
			if applied[version] {
				continue
			}
			body, err := migrations.ReadFile("migrations/" + version + ".sql")
			if err != nil {
				return fmt.Errorf("migration %s: %w", version, err)
			}
			// Without arguments pgx uses the simple protocol, which runs
			// a file of several statements.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", version, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version); err != nil {
				return fmt.Errorf("migration %s: %w", version, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, fn)
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// limit turns a row limit into a LIMIT argument with SQLite's meaning: a
// negative limit is no limit (NULL), where Postgres would reject it.
func limit(n int) any {
	if n < 0 {
		return nil
	}
	return n
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation
}

// notFound reports whether a single-row query found nothing.
func notFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
