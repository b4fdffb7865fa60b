package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// TestEnrollmentCloneAndRevocation drives enrollment with the built
// binaries: a token from hrsyncctl, hrsync-agent register, the agent on
// mutual TLS provisioning into Samba; the token refused the second time; a
// copy of the agent's state on a second "host" refused as a clone; and a
// revocation through hrsyncctl that stops the agent at once.
func TestEnrollmentCloneAndRevocation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	e := &env{dc: sambatest.New(t)}
	var err error
	e.ou, err = e.dc.CreateOU(ctx, "e2e-enroll")
	require.NoError(t, err)
	e.startCloud(t, ctx, stack.CloudOptions{DataDir: filepath.Join(dir, "cloud"), Heartbeat: time.Second, OpTimeout: 20 * time.Second})
	ctl := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, bins.Ctl, append([]string{"--url", e.cloud.URL, "--token", e.cloud.AdminToken}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	// The admin creates a token; the agent registers with it and connects.
	out, err := ctl("agent", "token", "create", "--domain", e.dc.Domain, "--ttl", "1h", "--json")
	require.NoError(t, err, out)
	var tok struct{ ID, Token, State string }
	require.NoError(t, json.Unmarshal([]byte(out), &tok))
	require.Equal(t, "usable", tok.State)
	e.agent, err = stack.StartAgent(ctx, bins, stack.AgentOptions{ID: "agent-enrolled", Dir: filepath.Join(dir, "agent"), Cloud: e.cloud, DC: e.dc, Token: tok.Token})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.agent.Stop(40 * time.Second) })
	require.Regexp(t, `msg="agent enrolled" (\w+=\S+ )*component=enroll agent_id=agent-enrolled`, e.cloud.Log())
	require.Regexp(t, `msg="agent connected" (\w+=\S+ )*component=gateway agent_id=agent-enrolled session_id=\w+ remote=127.0.0.1:\d+ serial=[0-9a-f]+`, e.cloud.Log(),
		"the session is authenticated by the client certificate")
	keyInfo, err := os.Stat(filepath.Join(dir, "agent", "state", "identity", "agent.pem"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), keyInfo.Mode().Perm(), "the private key is owner-only")
	require.NotContains(t, e.agent.Log(), tok.Token, "the token is never logged")
	require.NotContains(t, e.cloud.Log(), tok.Token)
	require.NotContains(t, e.agent.Log(), e.dc.Password)

	// It provisions.
	e.job, err = e.cloud.CreateJob(ctx, "enroll", e.dc.Domain, e.ou)
	require.NoError(t, err)
	e.upload(t, ctx, bulk(worker{ID: "31001", Given: "Grace", Family: "Hopper", Display: "Grace Hopper", Title: "Rear Admiral", Active: true}))
	logs := e.waitLogs(t, ctx, 1)
	require.Equal(t, "create", logs[0].Action)
	require.Equal(t, "success", logs[0].Status.Status, "%+v", logs[0].Status.Error)
	users := e.users(t, ctx)
	require.Contains(t, users, "31001")
	require.Equal(t, "Grace Hopper", users["31001"].GetAttributeValue("displayName"))

	// The token was spent.
	_, err = stack.EnrollAgent(ctx, bins, stack.AgentOptions{ID: "agent-second", Dir: filepath.Join(dir, "second"), Cloud: e.cloud, DC: e.dc, Token: tok.Token})
	require.ErrorContains(t, err, "registration refused (Unauthenticated): bootstrap token was already used")
	out, err = ctl("agent", "token", "list")
	require.NoError(t, err, out)
	require.Regexp(t, tok.ID+`\s+used\s+`+e.dc.Domain+`.*agent-enrolled`, out)
	require.NotContains(t, out, tok.Token, "tokens are listed without their secret")

	// A copy of the agent's state on another host (a cloned VM) is
	// refused while the original is connected, and reported.
	cloneDir := filepath.Join(dir, "clone")
	require.NoError(t, exec.Command("cp", "-a", filepath.Join(dir, "agent"), cloneDir).Run())
	cfg, err := os.ReadFile(filepath.Join(cloneDir, "agent.yaml"))
	require.NoError(t, err)
	cloneCfg := filepath.Join(cloneDir, "agent.yaml")
	require.NoError(t, os.WriteFile(cloneCfg, []byte(strings.ReplaceAll(string(cfg), filepath.Join(dir, "agent"), cloneDir)), 0o600))
	cloneOut, err := exec.CommandContext(ctx, bins.Agent, "run", "--config", cloneCfg).CombinedOutput()
	require.Error(t, err, "the clone stops")
	require.Contains(t, string(cloneOut), "another host presented this agent's identity", "%s", cloneOut)
	require.Contains(t, e.cloud.Log(), `level=ERROR msg="agent identity presented by a second host; refused (cloned VM or copied state?)"`)
	agents, err := e.cloud.AgentList(ctx)
	require.NoError(t, err)
	require.Len(t, agents, 1)
	require.True(t, agents[0].CloneSuspected)
	require.Contains(t, agents[0].CloneFrom, "127.0.0.1:")
	require.True(t, agents[0].Connected, "the original keeps its session")
	out, err = ctl("agent", "list")
	require.NoError(t, err, out)
	require.Regexp(t, `agent-enrolled\s+connected\s+.*from 127\.0\.0\.1:\d+`, out)

	// Revoked through hrsyncctl: the live session closes at once and the
	// agent stops, asking for re-enrolment.
	out, err = ctl("agent", "revoke", "agent-enrolled")
	require.NoError(t, err, out)
	require.Contains(t, out, "its live session was closed")
	require.Eventually(t, func() bool { return !e.agent.Running() }, 15*time.Second, 50*time.Millisecond, "the agent stops")
	require.Contains(t, e.agent.Log(), "re-enrol")
	require.Contains(t, e.agent.Log(), "agent-enrolled was revoked by an admin")
	// And a restart is refused at the handshake.
	require.Error(t, e.agent.Restart(ctx))
	require.Contains(t, e.agent.Log(), "agent was revoked: agent-enrolled at")
	out, err = ctl("agent", "list", "--json")
	require.NoError(t, err, out)
	require.Contains(t, out, `"revoked": true`)
}
