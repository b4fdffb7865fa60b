package e2e

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/proxytest"
	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// newEnvWith is newEnv with the agent's options adjusted (a proxy, a
// bridge in front of the cloud) before it starts.
func newEnvWith(t *testing.T, ctx context.Context, cloudOpts stack.CloudOptions, agentOpts func(c *stack.Cloud, o *stack.AgentOptions)) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dc: sambatest.New(t)}
	var err error
	e.ou, err = e.dc.CreateOU(ctx, "e2e-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	require.NoError(t, err)
	cloudOpts.DataDir = filepath.Join(dir, "cloud")
	e.startCloud(t, ctx, cloudOpts)
	ao := stack.AgentOptions{ID: "agent-e2e", Dir: filepath.Join(dir, "agent"), Cloud: e.cloud, DC: e.dc}
	agentOpts(e.cloud, &ao)
	e.agent, err = stack.StartAgent(ctx, bins, ao)
	if e.agent != nil {
		t.Cleanup(func() { _ = e.agent.Stop(40 * time.Second) })
	}
	require.NoError(t, err)
	e.job, err = e.cloud.CreateJob(ctx, "e2e", e.dc.Domain, e.ou)
	require.NoError(t, err)
	return e
}

func TestProvisionThroughProxy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const proxyPassword = "pr0xy-Pa55word"
	var p *proxytest.Proxy
	e := newEnvWith(t, ctx, stack.CloudOptions{Heartbeat: time.Second, OpTimeout: 20 * time.Second}, func(c *stack.Cloud, o *stack.AgentOptions) {
		_, port, err := net.SplitHostPort(c.GRPCAddr())
		require.NoError(t, err)
		n, err := strconv.Atoi(port)
		require.NoError(t, err)
		// The proxy wants a user and lets CONNECT reach the cloud's port only.
		p = proxytest.New(t, proxytest.Options{User: "svc-hrsync", Password: proxyPassword, ConnectPorts: []int{n}})
		o.Proxy = "http://svc-hrsync@" + p.Addr
		o.ProxyPassword = proxyPassword
	})
	require.Contains(t, p.Connects(), e.cloud.GRPCAddr(), "the agent's stream was tunnelled by the proxy")

	ws := []worker{
		{ID: "31001", Given: "Søren", Family: "Kjær", Display: "Søren Kjær", Title: "SRE", Dept: "Platform", Active: true},
		{ID: "31002", Given: "Siobhán", Family: "O'Brien-Smyth", Display: "O'Brien-Smyth, Siobhán", Title: "Consultant", Active: true},
	}
	e.upload(t, ctx, bulk(ws...))
	for _, l := range e.waitLogs(t, ctx, len(ws)) {
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
	}
	users := e.users(t, ctx)
	require.Len(t, users, len(ws))
	for _, w := range ws {
		require.Equal(t, w.Display, users[w.ID].GetAttributeValue("displayName"))
	}
	require.GreaterOrEqual(t, p.Established(), 1)
	require.Equal(t, 1, e.agent.Reconnects(), "one stream, no reconnects")

	require.NoError(t, e.agent.Stop(40*time.Second))
	agentLog := requireNoPersonalData(t, e.agent, ws)
	require.Contains(t, agentLog, "cloud stream goes through a proxy")
	require.NotContains(t, agentLog, proxyPassword)
}

// requireNoPersonalData reads everything the agent logged, stderr and its
// JSON files, and fails if a worker's name or e-mail address is in it. It
// returns the text it scanned.
func requireNoPersonalData(t *testing.T, a *stack.Agent, ws []worker) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(a.LogDir(), "hrsync-agent-*.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "the agent writes JSON log files under its state directory")
	var all strings.Builder
	all.WriteString(a.Log())
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all.Write(b)
	}
	text := all.String()
	require.Contains(t, text, `"msg":"operation finished"`, "the scan covers a debug-level run with operations")
	require.Contains(t, text, `"dn":"CN=(redacted),OU=`, "DNs are logged with their name redacted")
	for _, w := range ws {
		for _, personal := range []string{w.Given, w.Family, w.Display, "u" + w.ID + "@hrsync.test"} {
			if personal != "" {
				require.NotContains(t, text, personal, "worker %s's personal data is in the agent's log", w.ID)
			}
		}
	}
	return text
}
