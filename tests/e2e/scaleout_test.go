package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// TestScaleOutSurvivesReplicaCrash runs two hrsync-cloud replicas on one
// PostgreSQL database, each with its own agent, and pulls an initial cycle
// of a SuccessFactors workforce. Operations of the replica that processes
// the job are dispatched through both replicas' agents. That replica is
// killed with SIGKILL mid-cycle; the other one must finish the cycle: its
// job lease expires and it takes the job over, it reaps the dead replica
// and requeues what was dispatched through it (the dead replica's agent is
// orphaned), and every worker ends with exactly one account, no record
// failed and the provisioning log holds every record once.
func TestScaleOutSurvivesReplicaCrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	const workers = 600
	dir := t.TempDir()
	dsn := pgtest.NewDatabase(t)
	dc := sambatest.New(t)
	ou, err := dc.CreateOU(ctx, "e2e-scaleout")
	require.NoError(t, err)

	replicas := map[string]*stack.Cloud{}
	agents := map[string]*stack.Agent{}
	for _, name := range []string{"a", "b"} {
		// Replica b shares a's secrets: one agent CA, token key and
		// gateway certificate for the whole cloud.
		c, err := stack.StartCloud(ctx, bins, stack.CloudOptions{DataDir: filepath.Join(dir, "cloud-"+name), PostgresDSN: dsn,
			ReplicaID: "replica-" + name, ReplicaLease: 3 * time.Second, ShareWith: replicas["a"],
			// Long enough that only the replica's death, not the operation
			// timeout, can bring operations back.
			Heartbeat: time.Second, OpTimeout: 5 * time.Minute})
		require.NoError(t, err)
		replicas[name] = c
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("replica %s log tail:\n%s", name, c.LogTail(80))
			}
			_ = c.Stop(10 * time.Second)
		})
	}
	for _, name := range []string{"a", "b"} {
		a, err := stack.StartAgent(ctx, bins, stack.AgentOptions{ID: "agent-" + name, Dir: filepath.Join(dir, "agent-"+name), Cloud: replicas[name], DC: dc})
		require.NoError(t, err)
		agents[name] = a
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("agent %s log tail:\n%s", name, a.LogTail(40))
			}
			_ = a.Stop(40 * time.Second)
		})
	}

	sim := startHrsim(t, ctx, "successfactors", workers, 29, "2026-10-05")
	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "personIdExternal", "matchingPriority": 1},
		{"target": "cn", "type": "expression", "apply": "onCreate", "expression": `Join(" ", Mid([displayName], 1, 40), [personIdExternal])`},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Join("", "sf", [personIdExternal])`},
		{"target": "displayName", "type": "direct", "source": "displayName"},
		{"target": "manager", "type": "direct", "source": "manager"},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([emplStatus], "True", "A", "False", "U", "False", "P", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	first := replicas["a"]
	job, err := first.CreateJobWithMapping(ctx, "sf-scaleout", dc.Domain, ou, raw)
	require.NoError(t, err)
	src, err := json.Marshal(map[string]any{"kind": "successfactors", "interval": "10m", "config": map[string]any{
		"baseUrl": sim.info["url"], "companyId": sim.info["companyId"], "username": sim.info["username"], "password": sim.info["password"], "rehearsal": true}})
	require.NoError(t, err)
	require.NoError(t, first.Do(ctx, http.MethodPut, "/api/v1/jobs/"+job.ID+"/source", first.AdminToken, "application/json", src, http.StatusOK, nil))

	// Mid-cycle: some, not all, accounts exist. The victim is the replica
	// that processes the job's records.
	require.Eventually(t, func() bool {
		var j struct {
			LinkedUsers int `json:"linkedUsers"`
		}
		return first.Do(ctx, http.MethodGet, "/api/v1/jobs/"+job.ID, first.AdminToken, "", nil, http.StatusOK, &j) == nil && j.LinkedUsers >= workers/5
	}, 5*time.Minute, 20*time.Millisecond)
	victim, survivor := "a", "b"
	if processed(replicas["b"]) > processed(replicas["a"]) {
		victim, survivor = "b", "a"
	}
	for name, a := range agents {
		t.Logf("agent-%s: %d operations before the crash", name, strings.Count(a.Log(), `msg="operation finished"`))
	}
	require.NoError(t, replicas[victim].Kill())
	t.Logf("killed replica-%s (%d records processed there); replica-%s carries on", victim, processed(replicas[victim]), survivor)
	c := replicas[survivor]

	// The survivor finishes the cycle: nothing staged waits, every worker
	// has one account, and managers are set.
	waitSteady(t, ctx, c, job, "")
	requireDirectoryMatchesHR(t, ctx, &env{dc: dc, ou: ou, cloud: c}, sim.workers(t), byPerson)
	require.Contains(t, c.Log(), "replica stopped heartbeating", "the survivor reaped the dead replica")
	t.Logf("replica-%s: %d records processed, %d reaps that requeued operations of the dead replica", survivor, processed(c),
		strings.Count(c.Log(), `msg="operations of dead replicas requeued"`))
	require.Positive(t, processed(c), "the survivor processed records after the crash")

	// The provisioning log holds every worker the cycle staged, with no
	// failure and no second create.
	var st sourceState
	require.NoError(t, c.Do(ctx, http.MethodGet, "/api/v1/jobs/"+job.ID+"/source", c.AdminToken, "", nil, http.StatusOK, &st))
	logs, err := c.Logs(ctx, job)
	require.NoError(t, err)
	creates, seen := map[string]int{}, map[string]bool{}
	for _, l := range logs {
		require.NotEqual(t, "failure", l.Status.Status, "%s %s: %+v", l.Action, l.Source.ID, l.Status.Error)
		if l.CycleID == "reference-resolution" {
			continue
		}
		seen[l.Source.ID] = true
		if l.Action == "create" {
			creates[l.Source.ID]++
		}
	}
	for id, n := range creates {
		require.Equal(t, 1, n, "worker %s created %d times", id, n)
	}
	require.GreaterOrEqual(t, len(seen), st.LastCycle.Read, "every worker read has a log entry")
	t.Logf("%d log entries, %d workers logged, %d created", len(logs), len(seen), len(creates))
}

// processed counts the records a cloud's log says it processed.
func processed(c *stack.Cloud) int {
	return strings.Count(c.Log(), `msg="record processed"`)
}
