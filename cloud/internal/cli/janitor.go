package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// janitor removes provisioning logs older than the retention, at start and
// then every hour.
type janitor struct {
	logs      store.Logs
	retention time.Duration
	clock     clockwork.Clock
	log       *slog.Logger
}

func (j *janitor) run(ctx context.Context) {
	tick := j.clock.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		n, err := j.logs.PruneLogs(ctx, j.clock.Now().Add(-j.retention))
		switch {
		case err != nil && ctx.Err() == nil:
			j.log.Error("pruning provisioning logs failed", "error", err)
		case n > 0:
			j.log.Info("provisioning logs pruned", "entries", n, "retention", j.retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
		}
	}
}
