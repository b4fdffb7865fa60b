package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// childEnv makes the test binary act as a test process that starts a
// server and is then killed (TestKilledTestProcessLeavesNoServer).
const childEnv = "PGTEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChild())
	}
	os.Exit(Main(m))
}

func runChild() int {
	s, err := Start(context.Background())
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Printf("READY %d %s\n", s.Pid(), s.Dir)
	select {} // until killed
}

func query[T any](t *testing.T, dsn, sql string) T {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var v T
	require.NoError(t, conn.QueryRow(ctx, sql).Scan(&v))
	return v
}

func TestDatabasesAreMigratedAndIsolated(t *testing.T) {
	ctx := context.Background()
	a, b := NewDatabase(t), NewDatabase(t)
	require.NotEqual(t, a, b)
	for _, dsn := range []string{a, b} {
		require.Positive(t, query[int](t, dsn, `SELECT COUNT(*) FROM schema_migrations`), "cloned from the migrated template")
		require.Equal(t, "en-US", query[string](t, dsn, `SELECT daticulocale FROM pg_database WHERE datname = current_database()`))
	}
	conn, err := pgx.Connect(ctx, a)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO counters (name, value) VALUES ('only-in-a', 1)`)
	require.NoError(t, err)
	require.Zero(t, query[int](t, b, `SELECT COUNT(*) FROM counters WHERE name = 'only-in-a'`))

	empty := Shared(t).NewEmptyDatabase(t)
	require.Zero(t, query[int](t, empty, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`))
}

func TestDatabaseIsDroppedAfterTheTest(t *testing.T) {
	var dsn string
	t.Run("user", func(t *testing.T) {
		dsn = NewDatabase(t)
		// An open session does not keep the database alive.
		conn, err := pgx.Connect(context.Background(), dsn)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(context.Background()) })
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	name := strings.TrimPrefix(u.Path, "/")
	require.NotEmpty(t, name)
	admin := Shared(t).DSN("postgres")
	require.Zero(t, query[int](t, admin, `SELECT COUNT(*) FROM pg_database WHERE datname = '`+name+`'`))
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// groupAlive reports whether any process is left in the process group.
func groupAlive(pgid int) bool { return syscall.Kill(-pgid, 0) == nil }

func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 15*time.Second, 20*time.Millisecond, msg)
}

func TestStopLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	require.NoError(t, err)
	pid := s.Pid()
	// A session means a backend process besides the postmaster.
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	require.NoError(t, err)
	defer conn.Close(ctx)
	require.True(t, alive(pid))

	require.NoError(t, s.Stop())
	require.False(t, alive(pid), "postmaster")
	eventually(t, func() bool { return !groupAlive(pid) }, "backends")
	require.NoDirExists(t, s.Dir)
	require.NoError(t, s.Stop(), "Stop is idempotent")
}

// TestKilledTestProcessLeavesNoServer kills a test process that runs a
// server: the kernel kills the server, and the next start sweeps its files.
func TestKilledTestProcessLeavesNoServer(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	var pid int
	var dir string
	_, err = fmt.Sscanf(line, "READY %d %s", &pid, &dir)
	require.NoError(t, err, "child said %q", line)
	require.True(t, alive(pid))
	require.DirExists(t, dir)

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	eventually(t, func() bool { return !alive(pid) && !groupAlive(pid) }, "the server dies with its test process")

	// A killed process cannot clean up: its directory stays until a sweep.
	// Test processes of other packages sweep the same root when they
	// start, so the directory may already be gone; either way a sweep
	// must leave nothing behind.
	sweepStale(filepath.Dir(dir))
	require.NoDirExists(t, dir)
}

// TestSweepKillsAnOrphanedServer: a server whose owner is gone but which
// still runs (say the parent-death signal was lost) is killed and removed.
func TestSweepKillsAnOrphanedServer(t *testing.T) {
	s, err := Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop() })
	pid := s.Pid()

	// Hand the directory to a process that has exited.
	gone := exec.Command("true")
	require.NoError(t, gone.Run())
	require.NoError(t, os.WriteFile(filepath.Join(s.Dir, ownerFile), []byte(fmt.Sprintf("%d 1\n", gone.Process.Pid)), 0o644))

	sweepStale(filepath.Dir(s.Dir))
	eventually(t, func() bool { return !alive(pid) && !groupAlive(pid) }, "the orphan is killed")
	require.NoDirExists(t, s.Dir)

	// The directory of a live process (ours) is left alone.
	live := Shared(t)
	sweepStale(filepath.Dir(live.Dir))
	require.DirExists(t, live.Dir)
	require.True(t, alive(live.Pid()))
}

func TestFindBinDir(t *testing.T) {
	server := func(t *testing.T, dir string, names ...string) string {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for _, n := range names {
			require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755))
		}
		return dir
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, root, path string)
		want    string // relative to root, or "PATH"
		wantErr bool
	}{
		{"nothing installed", func(t *testing.T, root, path string) {}, "", true},
		{"newest version wins", func(t *testing.T, root, path string) {
			for _, v := range []string{"9.6", "13", "15"} {
				server(t, filepath.Join(root, v, "bin"), "initdb", "postgres")
			}
		}, "15/bin", false},
		{"incomplete version is skipped", func(t *testing.T, root, path string) {
			server(t, filepath.Join(root, "16", "bin"), "initdb")
			server(t, filepath.Join(root, "15", "bin"), "initdb", "postgres")
		}, "15/bin", false},
		{"PATH when Debian's directory is missing", func(t *testing.T, root, path string) {
			server(t, path, "initdb", "postgres")
		}, "PATH", false},
		{"client tools alone are not enough", func(t *testing.T, root, path string) {
			server(t, path, "psql", "pg_dump")
		}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, path := filepath.Join(t.TempDir(), "postgresql"), t.TempDir()
			tc.setup(t, root, path)
			got, err := findBinDir(root, path)
			if tc.wantErr {
				require.Error(t, err)
				require.Contains(t, err.Error(), "Debian package postgresql", "the message names the package to install")
				return
			}
			require.NoError(t, err)
			want := filepath.Join(root, tc.want)
			if tc.want == "PATH" {
				want = path
			}
			require.Equal(t, want, got)
		})
	}
}

func TestProcessStart(t *testing.T) {
	mine, err := processStart(os.Getpid())
	require.NoError(t, err)
	require.NotEmpty(t, mine)
	again, err := processStart(os.Getpid())
	require.NoError(t, err)
	require.Equal(t, mine, again)
	gone := exec.Command("true")
	require.NoError(t, gone.Run())
	_, err = processStart(gone.Process.Pid)
	require.True(t, errors.Is(err, os.ErrNotExist), "got %v", err)
}
