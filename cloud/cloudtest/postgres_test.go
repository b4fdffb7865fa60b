package cloudtest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// TestReplicasShareOnePostgres runs two clouds on one PostgreSQL database,
// as a scaled-out deployment does: a job created through one replica is
// served by the other.
func TestReplicasShareOnePostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	onPostgres := func(c *Config) {
		c.Store.Driver, c.Store.PostgresDSN = "postgres", dsn
		c.AdminToken = "admin-token-of-both"
	}
	a, b := NewServer(t, onPostgres), NewServer(t, onPostgres)
	jobID, _, _ := createJob(t, a)

	for _, srv := range []*Server{a, b} {
		status, _, body := srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID, srv.AdminToken, "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		var j struct{ ID, Name string }
		require.NoError(t, json.Unmarshal(body, &j))
		require.Equal(t, jobID, j.ID)
	}
}

// TestOperationsFindTheReplicaWithTheStream uploads through a replica that
// has no agent: the engine's operations are dispatched by the replica the
// agent is connected to, and their results wake the engine that waits for
// them on the first replica (store events), so the record is provisioned.
func TestOperationsFindTheReplicaWithTheStream(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	onPostgres := func(c *Config) {
		c.Store.Driver, c.Store.PostgresDSN = "postgres", dsn
		c.AdminToken = "admin-token-of-both"
	}
	a, b := NewServer(t, onPostgres), NewServer(t, onPostgres)
	jobID, sp, token := createJob(t, a)
	agent := connect(t, b, "agent-on-b")
	start := time.Now()
	upload(t, a, jobID, sp, token, "e1")

	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			msg, err := agent.stream.Recv()
			if err != nil {
				return
			}
			switch m := msg.GetMsg().(type) {
			case *agentv1.CloudMessage_Ping:
				_ = agent.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Pong{Pong: &agentv1.Pong{Nonce: m.Ping.GetNonce()}}})
			case *agentv1.CloudMessage_Operation:
				_ = agent.stream.Send(resultFor(m.Operation))
			}
		}
	}()
	t.Cleanup(func() { agent.cancel(); <-done })

	for _, srv := range []*Server{a, b} {
		require.Eventually(t, func() bool {
			status, _, body := srv.Do(t, http.MethodGet, "/v1.0/auditLogs/provisioning?$filter=jobId+eq+'"+jobID+"'", token, "", nil)
			var page struct {
				Value []struct {
					Action string `json:"provisioningAction"`
					Status struct {
						Status string `json:"status"`
					} `json:"provisioningStatusInfo"`
				} `json:"value"`
			}
			_ = json.Unmarshal(body, &page)
			return status == http.StatusOK && len(page.Value) == 1 && page.Value[0].Action == "create" && page.Value[0].Status.Status == "success"
		}, 20*time.Second, 20*time.Millisecond)
	}
	t.Logf("provisioned across replicas in %s", time.Since(start).Round(time.Millisecond))
}
