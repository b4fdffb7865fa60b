package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAccidentalDeletionGuard: a bad upload that would disable more
// accounts than the threshold changes nothing in AD and quarantines the
// job; an admin allows it with hrsyncctl and the disables go through.
func TestAccidentalDeletionGuard(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	var err error
	e.job, err = e.cloud.CreateJobWith(ctx, map[string]any{"name": "guarded", "domain": e.dc.Domain, "defaultContainer": e.ou,
		"policy": map[string]any{"deletionThreshold": 2}})
	require.NoError(t, err)

	ws := many("g", 3)
	e.upload(t, ctx, bulk(ws...))
	e.waitLogs(t, ctx, 3)
	for i := range ws {
		ws[i].Active = false
	}
	e.upload(t, ctx, bulk(ws...))
	logs := e.waitLogs(t, ctx, 6)
	for _, l := range logs[3:] {
		require.Equal(t, "stagedDelete", l.Action)
	}
	var job struct {
		Quarantine *struct{ Reason string } `json:"quarantine"`
	}
	require.NoError(t, e.cloud.Do(ctx, "GET", "/api/v1/jobs/"+e.job.ID, e.cloud.AdminToken, "", nil, 200, &job))
	require.NotNil(t, job.Quarantine)
	require.Equal(t, "TooManyDeletes", job.Quarantine.Reason)
	for id, u := range e.users(t, ctx) {
		require.False(t, disabled(u), "%s must still be enabled", id)
	}

	out, err := exec.CommandContext(ctx, bins.Ctl, "--url", e.cloud.URL, "--token", e.cloud.AdminToken, "job", "allow-deletes", e.job.ID).CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "deletes allowed")
	logs = e.waitLogs(t, ctx, 9)
	for _, l := range logs[6:] {
		require.Equal(t, "disable", l.Action, "%+v", l.Status.Error)
		require.Equal(t, "success", l.Status.Status)
	}
	for id, u := range e.users(t, ctx) {
		require.True(t, disabled(u), "%s is disabled once allowed", id)
	}
	job.Quarantine = nil
	require.NoError(t, e.cloud.Do(ctx, "GET", "/api/v1/jobs/"+e.job.ID, e.cloud.AdminToken, "", nil, 200, &job))
	require.Nil(t, job.Quarantine, "allowing the deletes lifted the quarantine")
}
