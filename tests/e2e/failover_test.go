package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// TestDCFailover runs the built agent against a domain of two Samba DCs,
// the first preferred, and SIGKILLs that one in the middle of a batch:
// the rest of the batch goes to the second DC with nothing lost. A create
// whose add had reached the first DC when it died is in doubt: it is not
// repeated on the second (which would make a second account once the DCs
// replicate) but retried on the first when it is back, where it finds and
// finishes its account. Once the first DC is healthy again the agent
// returns to it. After replication both ways each DC holds every worker
// exactly once.
func TestDCFailover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dc1 := sambatest.NewWith(t, sambatest.Options{Joinable: true})
	dc2 := sambatest.NewJoined(t, dc1)
	ou, err := dc1.CreateOU(ctx, "e2e-failover")
	require.NoError(t, err)
	require.NoError(t, dc2.Replicate(ctx, dc1), "the OU reaches the second DC")

	dir := t.TempDir()
	e := &env{dc: dc1, ou: ou}
	e.startCloud(t, ctx, stack.CloudOptions{DataDir: filepath.Join(dir, "cloud"), Heartbeat: time.Second, OpTimeout: 20 * time.Second})
	e.agent, err = stack.StartAgent(ctx, bins, stack.AgentOptions{ID: "agent-failover", Dir: filepath.Join(dir, "agent"), Cloud: e.cloud,
		DC: dc1, FailoverDCs: []*sambatest.DC{dc2},
		ExtraConfig: "dc_health:\n  interval: 1s\n  timeout: 5s\n  failback_after: 3s\n"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.agent.Stop(40 * time.Second) })
	e.job, err = e.cloud.CreateJob(ctx, "failover", dc1.Domain, ou)
	require.NoError(t, err)

	ws := many("fo", 50)
	e.upload(t, ctx, bulk(ws...))
	var atKill int
	require.Eventually(t, func() bool {
		logs, err := e.cloud.Logs(ctx, e.job)
		atKill = len(logs)
		return err == nil && atKill >= 10
	}, 2*time.Minute, 10*time.Millisecond)
	require.NoError(t, dc1.Kill())
	t.Logf("killed the preferred DC with %d of %d records processed", atKill, len(ws))

	// Every worker gets a log entry: provisioned on dc2, or failed in
	// doubt on dc1 and waiting for it.
	var inDoubt []string
	require.Eventually(t, func() bool {
		latest, err := latestLogs(ctx, e)
		return err == nil && len(latest) == len(ws)
	}, 2*time.Minute, 100*time.Millisecond)
	latest, err := latestLogs(ctx, e)
	require.NoError(t, err)
	for id, l := range latest {
		if l.Status.Status == "success" {
			continue
		}
		require.NotNil(t, l.Status.Error, "%s", id)
		require.Contains(t, l.Status.Error.Recommendation, "Domain controller "+dc1.URL+" failed while creating the account", "%s: only in-doubt creates fail", id)
		inDoubt = append(inDoubt, id)
	}
	require.Less(t, atKill, len(ws), "the kill must land in the middle of the batch")
	require.Equal(t, dc2.URL, dcInUse(e.agent), "the agent moved to the second DC")
	t.Logf("%d creates in doubt on the killed DC: %v", len(inDoubt), inDoubt)

	// The preferred DC comes back: the creates in doubt are retried there
	// (escrow, a minute after they failed). A retry finishes the account
	// the first attempt left on dc1 (or, when the agent has already moved
	// back to dc1, matches it and finds nothing to change: skipped), or
	// creates it if the add never landed.
	require.NoError(t, dc1.Restart(ctx))
	require.Eventually(t, func() bool {
		latest, err := latestLogs(ctx, e)
		if err != nil {
			return false
		}
		for _, l := range latest {
			if l.Status.Status == "failure" || l.Target.ID == "" {
				return false
			}
		}
		return len(latest) == len(ws)
	}, 3*time.Minute, time.Second, "every worker provisioned once the DC is back")

	// The preferred DC is back. Once it has been healthy for
	// failback_after, the agent's next operation returns to it: keep
	// hiring one worker at a time until the agent says it moved back.
	var more []worker
	require.Eventually(t, func() bool {
		w := many(fmt.Sprintf("fb%d-", len(more)), 1)
		more = append(more, w...)
		up := e.upload(t, ctx, bulk(w...))
		for _, l := range e.waitCycle(t, ctx, up, 1) {
			require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
		}
		return dcInUse(e.agent) == dc1.URL
	}, 2*time.Minute, time.Second, "the agent fails back to the preferred DC")
	t.Logf("failed back after %d more hires", len(more))
	last := more[len(more)-1]
	require.Contains(t, e.users(t, ctx), last.ID, "the hire after the fail-back is on the preferred DC")

	// Replication both ways: each DC holds every worker exactly once (users
	// fails on two accounts with one employeeID), none lost, none twice.
	require.NoError(t, dc2.Replicate(ctx, dc1))
	require.NoError(t, dc1.Replicate(ctx, dc2))
	all := append(ws, more...)
	for _, dc := range []*sambatest.DC{dc1, dc2} {
		users := (&env{dc: dc}).users(t, ctx)
		require.Len(t, users, len(all), "on %s", dc.URL)
		for _, w := range all {
			require.Contains(t, users, w.ID, "on %s", dc.URL)
		}
	}
}

// dcInUse is the DC the agent last said it moved to ("" before any move).
func dcInUse(a *stack.Agent) string {
	lines := strings.Split(a.Log(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if !strings.Contains(lines[i], `msg="domain controller in use changed"`) {
			continue
		}
		for _, f := range strings.Fields(lines[i]) {
			if v, ok := strings.CutPrefix(f, "dc="); ok {
				return v
			}
		}
	}
	return ""
}

// latestLogs returns each worker's latest provisioning log entry.
func latestLogs(ctx context.Context, e *env) (map[string]stack.LogEntry, error) {
	logs, err := e.cloud.Logs(ctx, e.job)
	if err != nil {
		return nil, err
	}
	out := map[string]stack.LogEntry{}
	for _, l := range logs {
		if prev, ok := out[l.Source.ID]; !ok || l.ActivityTime.After(prev.ActivityTime) {
			out[l.Source.ID] = l
		}
	}
	return out, nil
}
