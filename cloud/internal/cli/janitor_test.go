package cli

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
)

func TestJanitorPrunesOldLogs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	defer st.Close()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for id, age := range map[string]time.Duration{"old": 31 * 24 * time.Hour, "new": 29 * 24 * time.Hour} {
		require.NoError(t, st.FinishRecord(ctx, store.Outcome{Log: store.LogEntry{ID: id, JobID: "j", ActivityTime: now.Add(-age), Action: "update", Status: "success"}}))
	}
	clk := clockwork.NewFakeClockAt(now)
	j := &janitor{logs: st, retention: 30 * 24 * time.Hour, clock: clk, log: slog.New(slog.DiscardHandler)}
	done := make(chan struct{})
	go func() { j.run(ctx); close(done) }()
	require.Eventually(t, func() bool {
		left, _ := st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
		return len(left) == 1 && left[0].ID == "new"
	}, 5*time.Second, 10*time.Millisecond)

	// An hour later the next entry has aged out too.
	require.NoError(t, clk.BlockUntilContext(ctx, 1))
	clk.Advance(25 * 24 * time.Hour)
	require.Eventually(t, func() bool {
		left, _ := st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
		return len(left) == 0
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
}
