// Package pgtest runs a throwaway PostgreSQL server for tests and gives each
// test its own database, cloned from a template that already carries the
// hrsync schema. It installs nothing: the server binaries come from the
// Debian package postgresql (scripts/install-deps.sh installs it), found in
// /usr/lib/postgresql/<version>/bin, or from $PATH.
//
// One server runs per test process. It starts on first use, listens on
// 127.0.0.1 on a free port (its unix socket goes to a private directory),
// runs without fsync, and as the postgres OS user when the tests run as
// root. A test binary that wants the server gone the moment its tests end
// calls Main from TestMain; otherwise the kernel kills the server when the
// test process exits (a parent-death signal), and the next start removes
// what it left in $TMPDIR/hrsync-pgtest-<uid>.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		dsn := pgtest.NewDatabase(t) // migrated, private, dropped after the test
//		st, err := postgres.Open(ctx, dsn)
//		...
//	}
//
// The template uses the ICU collation en-US rather than C, as most managed
// PostgreSQL servers do, so tests notice SQL that depends on byte order.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store/postgres"
)

// TemplateDB is the migrated database every NewDatabase clones.
const TemplateDB = "hrsync_template"

// Package is the Debian package that provides the server binaries.
const Package = "postgresql"

// superuser is the role initdb creates; authentication is trust, on
// loopback only.
const superuser = "postgres"

// createDBOptions make every database (the template, empty ones) use a
// linguistic collation, so byte-order assumptions show up in tests.
const createDBOptions = `TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`

// Server is a running PostgreSQL server owned by this process.
type Server struct {
	// Host and Port are where the server accepts TCP connections.
	Host string
	Port int
	// Dir holds the data directory, the socket directory and the log; it
	// is removed by Stop.
	Dir string

	proc *process

	mu     sync.Mutex // mu guards the following fields
	admin  *pgx.Conn
	nextDB int

	stopOnce sync.Once
	stopErr  error
}

// Start initialises and starts a new server, then creates and migrates
// TemplateDB. Most tests want Shared or NewDatabase instead.
func Start(ctx context.Context) (*Server, error) {
	binDir, err := findBinDir(debianRoot, os.Getenv("PATH"))
	if err != nil {
		return nil, err
	}
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	// One root per user: another user's root is not ours to write in.
	root := filepath.Join(os.TempDir(), fmt.Sprintf("hrsync-pgtest-%d", os.Geteuid()))
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	// A world-traversable root lets the postgres user reach its own
	// directory below it whatever our umask was.
	if err := os.Chmod(root, 0o755); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	sweepStale(root)
	dir, err := newServerDir(root, owner)
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Dir: dir}
	if err := s.start(ctx, binDir, owner); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := s.createTemplate(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, binDir string, owner *credential) error {
	data := filepath.Join(s.Dir, "data")
	out, err := runOnce(ctx, owner, s.Dir, filepath.Join(binDir, "initdb"), "-D", data, "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	logPath := filepath.Join(s.Dir, "postgres.log")
	// A port picked here may be taken before the server binds it; a server
	// that exits before it accepts connections gets another port.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return err
		}
		p, err := startProcess(owner, s.Dir, logPath, filepath.Join(binDir, "postgres"), "-D", data,
			"-c", "listen_addresses=127.0.0.1", "-c", "port="+strconv.Itoa(port),
			"-c", "unix_socket_directories="+filepath.Join(s.Dir, "sock"),
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "dynamic_shared_memory_type=mmap", "-c", "max_connections=200", "-c", "shared_buffers=32MB")
		if err != nil {
			return err
		}
		s.proc, s.Port = p, port
		lastErr = s.waitReady(ctx)
		if lastErr == nil {
			return nil
		}
		p.kill()
	}
	log, _ := os.ReadFile(logPath)
	return fmt.Errorf("pgtest: postgres did not start: %w\n%s", lastErr, tail(log, 4000))
}

// waitReady connects until the server answers, or fails when it exits.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, s.DSN("postgres"))
		if err == nil {
			s.admin = conn
			return nil
		}
		select {
		case <-s.proc.exited:
			return fmt.Errorf("postgres exited: %w", s.proc.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("waiting for postgres: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) createTemplate(ctx context.Context) error {
	if _, err := s.admin.Exec(ctx, `CREATE DATABASE `+TemplateDB+` `+createDBOptions); err != nil {
		return fmt.Errorf("pgtest: create %s: %w", TemplateDB, err)
	}
	st, err := postgres.Open(ctx, s.DSN(TemplateDB))
	if err != nil {
		return fmt.Errorf("pgtest: migrate %s: %w", TemplateDB, err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	// Nobody may connect any more: CREATE DATABASE ... TEMPLATE fails
	// while the template has sessions.
	if _, err := s.admin.Exec(ctx, `ALTER DATABASE `+TemplateDB+` WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`); err != nil {
		return fmt.Errorf("pgtest: seal %s: %w", TemplateDB, err)
	}
	return nil
}

// DSN is a connection URL for database on this server.
func (s *Server) DSN(database string) string {
	u := url.URL{Scheme: "postgres", User: url.User(superuser), Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String()
}

// NewDatabase creates a database cloned from TemplateDB (so it is already
// migrated), drops it when the test ends, and returns its DSN.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	return s.newDatabase(t, `TEMPLATE `+TemplateDB)
}

// NewEmptyDatabase creates a database without the hrsync schema (for
// migration tests), drops it when the test ends, and returns its DSN.
func (s *Server) NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return s.newDatabase(t, createDBOptions)
}

func (s *Server) newDatabase(t testing.TB, options string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.mu.Lock()
	s.nextDB++
	name := fmt.Sprintf("test_%d", s.nextDB)
	_, err := s.adminExec(ctx, `CREATE DATABASE `+name+` `+options)
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s.mu.Lock()
		defer s.mu.Unlock()
		// FORCE ends sessions a test left open.
		if _, err := s.adminExec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.DSN(name)
}

// adminExec runs a statement on the admin session; s.mu must be held.
func (s *Server) adminExec(ctx context.Context, sql string) (int64, error) {
	if s.admin == nil {
		return 0, errors.New("the server is stopped")
	}
	tag, err := s.admin.Exec(ctx, sql)
	return tag.RowsAffected(), err
}

// Stop shuts the server down (fast shutdown, then SIGKILL to its process
// group after a grace period) and removes Dir. It is idempotent.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		if s.admin != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = s.admin.Close(ctx)
			cancel()
			s.admin = nil
		}
		s.mu.Unlock()
		if s.proc != nil {
			s.proc.stop(10 * time.Second)
		}
		if err := os.RemoveAll(s.Dir); err != nil {
			s.stopErr = fmt.Errorf("pgtest: %w", err)
		}
	})
	return s.stopErr
}

// Pid is the postmaster's process id (also its process group id).
func (s *Server) Pid() int { return s.proc.pid() }

var shared struct {
	mu  sync.Mutex // mu guards the following fields
	srv *Server
	err error
}

// Shared returns this process's server, starting it on first use. A server
// that cannot start fails every test that asks for it, with the reason.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv == nil && shared.err == nil {
		start := time.Now()
		shared.srv, shared.err = Start(context.Background())
		if shared.err == nil {
			t.Logf("pgtest: PostgreSQL on %s:%d started in %s", shared.srv.Host, shared.srv.Port, time.Since(start).Round(time.Millisecond))
		}
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv
}

// NewDatabase is Shared(t).NewDatabase(t): the DSN of a fresh, migrated
// database that lives as long as the test.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return Shared(t).NewDatabase(t)
}

// Main runs the tests and then stops the shared server, if one started:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		shared.srv = nil
	}
	return code
}

// debianRoot is where Debian installs one directory per major version.
const debianRoot = "/usr/lib/postgresql"

// findBinDir returns the directory with initdb and postgres: the newest
// version under root, else the directory of initdb on path.
func findBinDir(root, path string) (string, error) {
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "bin"))
	sort.Slice(dirs, func(i, j int) bool { return versionLess(dirs[j], dirs[i]) })
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	for _, d := range filepath.SplitList(path) {
		if d != "" && hasServer(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("pgtest: the PostgreSQL server (initdb, postgres) is not in %s/<version>/bin nor on $PATH: "+
		"install the Debian package %s (make deps does)", root, Package)
}

// versionLess orders .../<version>/bin paths by version number.
func versionLess(a, b string) bool {
	va, vb := filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b))
	fa, fb := strings.Split(va, "."), strings.Split(vb, ".")
	for i := 0; i < len(fa) && i < len(fb); i++ {
		na, ea := strconv.Atoi(fa[i])
		nb, eb := strconv.Atoi(fb[i])
		if ea != nil || eb != nil {
			return va < vb
		}
		if na != nb {
			return na < nb
		}
	}
	return len(fa) < len(fb)
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.IsDir() || st.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// credential is the OS user the server runs as; nil means ourselves.
type credential struct {
	uid, gid uint32
}

// serverUser picks the OS user for the server: PostgreSQL refuses to run
// as root, so root runs it as postgres.
func serverUser() (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root, PostgreSQL must run as the postgres user, which the Debian package %s creates: %w", Package, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgtest: uid of postgres: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgtest: gid of postgres: %w", err)
	}
	return &credential{uid: uint32(uid), gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
