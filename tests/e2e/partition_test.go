package e2e

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/bridge"
	"github.com/hrsync/hrsync/tests/stack"
)

// partitionFor is how long TestPartition cuts the agent off:
// HRSYNC_E2E_PARTITION (a Go duration), two minutes by default.
func partitionFor(t *testing.T) time.Duration {
	v := os.Getenv("HRSYNC_E2E_PARTITION")
	if v == "" {
		return 2 * time.Minute
	}
	d, err := time.ParseDuration(v)
	require.NoError(t, err, "HRSYNC_E2E_PARTITION")
	return d
}

// TestPartition cuts the network between the built agent and the built
// cloud in the middle of a batch, silently (a blackhole: no FIN, no RST),
// for a few minutes, then heals it: the agent must notice, reconnect on its
// own and the batch must converge with every worker in AD exactly once.
func TestPartition(t *testing.T) {
	partition := partitionFor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+partition)
	defer cancel()
	var b *bridge.Bridge
	// A one-second heartbeat: both sides notice the silence within seconds.
	e := newEnvWith(t, ctx, stack.CloudOptions{Heartbeat: time.Second, OpTimeout: 20 * time.Second}, func(c *stack.Cloud, o *stack.AgentOptions) {
		b = bridge.Start(t, c.GRPCAddr())
		o.CloudAddr = b.Addr
	})

	ws := many("p", 50)
	e.upload(t, ctx, bulk(ws...))
	var atCut int
	require.Eventually(t, func() bool {
		logs, err := e.cloud.Logs(ctx, e.job)
		atCut = len(logs)
		return err == nil && len(logs) >= 1
	}, time.Minute, 10*time.Millisecond)
	b.Blackhole()
	cut := time.Now()
	reconnectsAtCut := e.agent.Reconnects()
	t.Logf("blackholed the agent's path with %d of %d records processed, for %s", atCut, len(ws), partition)

	// The cloud notices the quiet stream and lists the agent as gone.
	require.Eventually(t, func() bool {
		ids, err := e.cloud.Agents(ctx)
		return err == nil && !slices.Contains(ids, "agent-e2e")
	}, 30*time.Second, 100*time.Millisecond, "the cloud drops the silent agent")
	t.Logf("cloud dropped the agent after %s", time.Since(cut).Round(time.Millisecond))
	select {
	case <-time.After(time.Until(cut.Add(partition))):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	logs, err := e.cloud.Logs(ctx, e.job)
	require.NoError(t, err)
	atHeal := len(logs)
	require.Less(t, atHeal, len(ws), "the partition must land in the middle of the batch")
	b.Restore()
	healed := time.Now()
	t.Logf("restored with %d of %d records processed; the bridge accepted %d connections so far", atHeal, len(ws), b.Accepted())

	require.Eventually(t, func() bool { return e.agent.Reconnects() > reconnectsAtCut }, 2*time.Minute, 100*time.Millisecond,
		"the agent reconnects on its own")
	require.NoError(t, e.agent.WaitConnected(ctx))
	t.Logf("agent reconnected %s after the heal", time.Since(healed).Round(time.Millisecond))
	require.Greater(t, b.Accepted(), 1, "the agent opened new connections through the bridge")

	logs = e.waitLogs(t, ctx, len(ws))
	t.Logf("batch converged %s after the heal", time.Since(healed).Round(time.Millisecond))
	require.Len(t, logs, len(ws), "one log entry per record, none lost, none twice")
	seen := map[string]bool{}
	for _, l := range logs {
		require.False(t, seen[l.Source.ID], "record %s processed twice", l.Source.ID)
		seen[l.Source.ID] = true
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
	}
	users := e.users(t, ctx) // fails on two users with one employeeID
	require.Len(t, users, len(ws), "every worker exactly once in AD")
	for _, w := range ws {
		require.Contains(t, users, w.ID)
	}
	t.Logf("agent connected %d times in all", e.agent.Reconnects())

	require.NoError(t, e.agent.Stop(40*time.Second))
	requireNoPersonalData(t, e.agent, ws)
}
