package logfile

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC)

func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func TestRotatesHourly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	clk := clockwork.NewFakeClockAt(t0)
	f, err := Open(Config{Dir: dir, Clock: clk})
	require.NoError(t, err)
	defer f.Close()

	write := func(s string) {
		_, err := f.Write([]byte(s + "\n"))
		require.NoError(t, err)
	}
	write("a")
	clk.Advance(29 * time.Minute) // 10:59
	write("b")
	clk.Advance(2 * time.Minute) // 11:01
	write("c")

	require.Equal(t, []string{"hrsync-agent-2025-03-01T10-00Z.jsonl", "hrsync-agent-2025-03-01T11-00Z.jsonl"}, files(t, dir))
	b, err := os.ReadFile(filepath.Join(dir, "hrsync-agent-2025-03-01T10-00Z.jsonl"))
	require.NoError(t, err)
	require.Equal(t, "a\nb\n", string(b))
	b, err = os.ReadFile(filepath.Join(dir, "hrsync-agent-2025-03-01T11-00Z.jsonl"))
	require.NoError(t, err)
	require.Equal(t, "c\n", string(b))

	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm(), "logs are owner-only")

	require.NoError(t, f.Close())
	_, err = f.Write([]byte("late\n"))
	require.ErrorIs(t, err, os.ErrClosed)
}

func TestPruneKeepsExactlyTheRetention(t *testing.T) {
	tests := []struct {
		name      string
		retention time.Duration
		elapsed   time.Duration // after the first write at 10:30
		want      []string      // hours of the files left
	}{
		{"nothing old yet", 48 * time.Hour, 3 * time.Hour, []string{"01T10", "01T11", "01T12", "01T13"}},
		// At 10:30 two days later the 10:00 file started 48h30m ago.
		{"the oldest hour goes at 48h", 48 * time.Hour, 48 * time.Hour, []string{"01T11", "01T12", "03T10"}},
		{"just before its start is 48h old", 48 * time.Hour, 48*time.Hour - 31*time.Minute, []string{"01T10", "01T11", "01T12", "03T09"}},
		{"configured 1h keeps the current hour only", time.Hour, 3 * time.Hour, []string{"01T13"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			clk := clockwork.NewFakeClockAt(t0)
			f, err := Open(Config{Dir: dir, Clock: clk, Retention: tc.retention})
			require.NoError(t, err)
			defer f.Close()
			// One line an hour for three hours, then one at the end.
			for i := 0; i < 3; i++ {
				_, err := f.Write([]byte("x\n"))
				require.NoError(t, err)
				clk.Advance(time.Hour)
			}
			clk.Advance(tc.elapsed - 3*time.Hour)
			_, err = f.Write([]byte("now\n"))
			require.NoError(t, err)
			_, err = f.Prune()
			require.NoError(t, err)
			var got []string
			for _, n := range files(t, dir) {
				got = append(got, n[len("hrsync-agent-2025-03-"):len("hrsync-agent-2025-03-01T10")])
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRunPrunesWhileIdleAndLeavesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hrsync-agent-garbage.jsonl"), []byte("?"), 0o600))
	clk := clockwork.NewFakeClockAt(t0)
	f, err := Open(Config{Dir: dir, Clock: clk})
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Write([]byte("x\n"))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		f.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	require.NoError(t, clk.BlockUntilContext(ctx, 1))
	// Nothing is written for two days; the minute ticker still prunes.
	clk.Advance(48 * time.Hour)
	require.Eventually(t, func() bool {
		return slices.Equal(files(t, dir), []string{"hrsync-agent-garbage.jsonl", "notes.txt"})
	}, 5*time.Second, 5*time.Millisecond)

	// The next write opens the current hour's file.
	_, err = f.Write([]byte("y\n"))
	require.NoError(t, err)
	require.Contains(t, files(t, dir), "hrsync-agent-2025-03-03T10-00Z.jsonl")
}

func TestConfig(t *testing.T) {
	_, err := Open(Config{})
	require.ErrorContains(t, err, "Dir is required")
	_, err = Open(Config{Dir: t.TempDir(), Retention: time.Minute})
	require.ErrorContains(t, err, "shorter than the rotation period")
}
