package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/tests/stack"
)

// TestHAPairSurvivesAgentKills is the HA proof: two agents serve the
// domain while 2,000 new workers are provisioned into Samba, and the agent
// holding in-flight operations is killed (SIGKILL) 20 times over the
// cycle, restarted each time. At the end every worker has exactly one
// enabled account, every record succeeded once, and every operation the
// killed agent held shows up in its record's log as dispatched again.
func TestHAPairSurvivesAgentKills(t *testing.T) {
	const workers, kills = 2000, 20
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	b, err := stack.StartAgent(ctx, bins, stack.AgentOptions{ID: "agent-e2e-b", Dir: filepath.Join(t.TempDir(), "agent-b"), Cloud: e.cloud, DC: e.dc})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent b log tail:\n%s", b.LogTail(40))
		}
		_ = b.Stop(40 * time.Second)
	})
	agents := map[string]*stack.Agent{e.agent.ID(): e.agent, b.ID(): b}

	ws := many("ha", workers)
	for first := 0; first < len(ws); first += 50 {
		body := bulk(ws[first:min(first+50, len(ws))]...)
		for {
			status, hdr, resp, err := e.cloud.Upload(ctx, e.job, body)
			require.NoError(t, err)
			if status == http.StatusTooManyRequests {
				wait, _ := strconv.Atoi(hdr.Get("Retry-After"))
				time.Sleep(time.Duration(max(wait, 1)) * time.Second)
				continue
			}
			require.Equal(t, http.StatusAccepted, status, "%s", resp)
			break
		}
	}

	held := map[string]string{} // op ID → the agent that held it when killed
	for k := 0; k < kills; k++ {
		// Spread the kills over the cycle.
		require.Eventually(t, func() bool {
			n, err := e.cloud.LinkedUsers(ctx, e.job)
			return err == nil && n >= k*workers/(kills+4)
		}, 5*time.Minute, 50*time.Millisecond)
		var victim *stack.Agent
		require.Eventually(t, func() bool {
			in, err := e.cloud.InFlight(ctx)
			if err != nil {
				return false
			}
			victim = nil
			most := 0
			for id, ops := range in {
				if len(ops) > most && agents[id] != nil {
					victim, most = agents[id], len(ops)
				}
			}
			return victim != nil
		}, time.Minute, 5*time.Millisecond, "kill %d: no agent holds an operation", k+1)
		n, err := e.cloud.LinkedUsers(ctx, e.job)
		require.NoError(t, err)
		require.Less(t, n, workers, "kill %d: the cycle ended before all kills", k+1)

		// Freeze it first, so the list of what it holds is exact: a
		// frozen agent answers nothing more.
		require.NoError(t, victim.Freeze())
		time.Sleep(300 * time.Millisecond) // answers already on the wire land
		in, err := e.cloud.InFlight(ctx)
		require.NoError(t, err)
		for _, op := range in[victim.ID()] {
			held[op] = victim.ID()
		}
		require.NoError(t, victim.Kill())
		t.Logf("kill %d: %s held %d operations, %d of %d workers linked", k+1, victim.ID(), len(in[victim.ID()]), n, workers)
		require.NoError(t, victim.Restart(ctx))
	}
	require.NotEmpty(t, held, "the kills hit no operation")

	require.Eventually(t, func() bool {
		n, err := e.cloud.LinkedUsers(ctx, e.job)
		return err == nil && n >= workers
	}, 10*time.Minute, 200*time.Millisecond)
	logs := e.waitLogs(t, ctx, workers)

	// Every record once, successful; every held operation accounted for.
	seen := map[string]bool{}
	redispatched := map[string]int{} // op ID → dispatches, from the logs
	for _, l := range logs {
		require.False(t, seen[l.Source.ID], "record %s processed twice", l.Source.ID)
		seen[l.Source.ID] = true
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
		for _, s := range l.Steps {
			if s.Name == "EntryExportRedispatch" {
				d, err := strconv.Atoi(s.Details["dispatches"])
				require.NoError(t, err, "dispatches of %s", s.Details["opId"])
				redispatched[s.Details["opId"]] = d
			}
		}
	}
	require.Len(t, seen, workers)
	records := 0
	for op, agent := range held {
		if !strings.HasPrefix(op, "rec-") && !strings.HasPrefix(op, "ref.") {
			continue // the cycle's directory export belongs to no record
		}
		records++
		require.GreaterOrEqual(t, redispatched[op], 2, "operation %s, held by %s when it was killed, is not shown as dispatched again", op, agent)
	}
	t.Logf("%d kills; %d operations held by a killed agent (%d of records), all dispatched again; %d records show a redispatch", kills, len(held), records, len(redispatched))

	users := e.users(t, ctx)
	require.Len(t, users, workers, "every worker exactly once in AD")
	for _, w := range ws {
		require.Contains(t, users, w.ID)
		require.False(t, disabled(users[w.ID]), "%s is disabled", w.ID)
	}
}
