package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"
)

// TestDryRunAndApplyPlan: with the job paused, hrsyncctl job plan shows
// what the queued records would do and writes nothing; apply-plan refuses
// when the directory changed underneath, and applies an unchanged plan.
func TestDryRunAndApplyPlan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	ctl := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, bins.Ctl, append([]string{"--url", e.cloud.URL, "--token", e.cloud.AdminToken}, args...)...).CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	ada := worker{ID: "p1", Given: "Ada", Family: "Plan", Display: "Ada Plan", Title: "Analyst", Active: true}
	e.waitCycle(t, ctx, e.upload(t, ctx, bulk(ada)), 1)

	ctl("job", "pause", e.job.ID)
	ada.Title = "Lead Analyst"
	bo := worker{ID: "p2", Given: "Bo", Family: "Plan", Display: "Bo Plan", Title: "Intern", Active: true}
	e.upload(t, ctx, bulk(ada, bo))

	var plan struct {
		Fingerprint string         `json:"fingerprint"`
		Counts      map[string]int `json:"counts"`
		Summary     string         `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(ctl("job", "plan", "--json", e.job.ID)), &plan))
	require.Equal(t, map[string]int{"create": 1, "update": 1}, plan.Counts)
	require.Contains(t, plan.Summary, `title: "Analyst" -> "Lead Analyst"`)
	users := e.users(t, ctx)
	require.Len(t, users, 1, "planning created nothing")
	require.Equal(t, "Analyst", users["p1"].GetAttributeValue("title"), "planning changed nothing")

	// Someone edits the directory: the plan no longer holds.
	conn, err := e.dc.Dial(ctx)
	require.NoError(t, err)
	mod := ldap.NewModifyRequest(users["p1"].DN, nil)
	mod.Replace("title", []string{"Edited by hand"})
	require.NoError(t, conn.Modify(mod))
	conn.Close()
	out, err := exec.CommandContext(ctx, bins.Ctl, "--url", e.cloud.URL, "--token", e.cloud.AdminToken,
		"job", "apply-plan", "--fingerprint", plan.Fingerprint, e.job.ID).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "PlanChanged")
	require.Len(t, e.users(t, ctx), 1, "a refused plan does nothing")

	require.NoError(t, json.Unmarshal([]byte(ctl("job", "plan", "--json", e.job.ID)), &plan))
	require.Contains(t, plan.Summary, `title: "Edited by hand" -> "Lead Analyst"`)
	require.Contains(t, ctl("job", "apply-plan", "--fingerprint", plan.Fingerprint, e.job.ID), "Applied")
	require.Eventually(t, func() bool {
		u := e.users(t, ctx)
		return len(u) == 2 && u["p1"].GetAttributeValue("title") == "Lead Analyst"
	}, time.Minute, 100*time.Millisecond)
}
