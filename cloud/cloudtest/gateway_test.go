package cloudtest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/version"
)

// rawAgent speaks the stream protocol by hand, so tests can misbehave.
type rawAgent struct {
	stream agentv1.AgentGateway_ConnectClient
	cancel context.CancelFunc
}

func dial(t *testing.T, srv *Server, cert *tls.Certificate) (agentv1.AgentGateway_ConnectClient, context.CancelFunc) {
	t.Helper()
	conn := srv.Dial(t, cert)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := agentv1.NewAgentGatewayClient(conn).Connect(ctx)
	require.NoError(t, err)
	return stream, cancel
}

// connect enrolls id (once per server) for hrsync.test and opens a session.
// Each call is a new agent process (instance).
func connect(t *testing.T, srv *Server, id string, inFlight ...string) *rawAgent {
	t.Helper()
	return connectAt(t, srv, id, version.Protocol, inFlight...)
}

// connectAt is connect for an agent that speaks the given protocol.
func connectAt(t *testing.T, srv *Server, id string, protocol uint32, inFlight ...string) *rawAgent {
	t.Helper()
	cert := srv.EnrollAgent(t, id, "hrsync.test")
	stream, cancel := dial(t, srv, &cert)
	require.NoError(t, stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: &agentv1.Hello{
		AgentId: id, ProtocolVersion: protocol, Domains: []string{"HRSYNC.test"}, InFlightOpIds: inFlight, InstanceId: "instance-of-" + id}}}))
	msg, err := stream.Recv()
	require.NoError(t, err)
	require.NotNil(t, msg.GetWelcome(), "got %v", msg)
	require.Equal(t, 200*time.Millisecond, msg.GetWelcome().GetHeartbeatInterval().AsDuration(), "heartbeat comes from the cloud's config")
	a := &rawAgent{stream: stream, cancel: cancel}
	t.Cleanup(cancel)
	return a
}

// nextOp reads until an Operation arrives, answering pings.
func (a *rawAgent) nextOp(t *testing.T) *agentv1.Operation {
	t.Helper()
	for {
		msg, err := a.stream.Recv()
		require.NoError(t, err)
		switch m := msg.GetMsg().(type) {
		case *agentv1.CloudMessage_Ping:
			require.NoError(t, a.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Pong{Pong: &agentv1.Pong{Nonce: m.Ping.GetNonce()}}}))
		case *agentv1.CloudMessage_Operation:
			return m.Operation
		}
	}
}

func TestGatewayRefusals(t *testing.T) {
	srv := NewServer(t, nil)
	cert := srv.EnrollAgent(t, "a", "hrsync.test")
	tests := []struct {
		name  string
		cert  *tls.Certificate
		hello *agentv1.AgentMessage
		code  codes.Code
	}{
		{"no client certificate", nil, &agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: &agentv1.Hello{AgentId: "a", ProtocolVersion: 1}}}, codes.Unauthenticated},
		{"protocol too old", &cert, &agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: &agentv1.Hello{AgentId: "a", ProtocolVersion: 0}}}, codes.FailedPrecondition},
		{"no hello first", &cert, &agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Pong{Pong: &agentv1.Pong{}}}, codes.InvalidArgument},
		{"hello names another agent", &cert, &agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: &agentv1.Hello{AgentId: "b", ProtocolVersion: 1}}}, codes.PermissionDenied},
		{"domain outside the enrollment", &cert, &agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: &agentv1.Hello{ProtocolVersion: 1, Domains: []string{"other.test"}}}}, codes.PermissionDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stream, cancel := dial(t, srv, tc.cert)
			defer cancel()
			_ = stream.Send(tc.hello)
			_, err := stream.Recv()
			require.Equal(t, tc.code, status.Code(err), "%v", err)
		})
	}
}

func createJob(t *testing.T, srv *Server) (jobID, sp, token string) {
	t.Helper()
	status, _, body := srv.Do(t, http.MethodPost, "/api/v1/jobs", srv.AdminToken, "application/json",
		[]byte(`{"name":"t","domain":"hrsync.test","defaultContainer":"OU=t,DC=hrsync,DC=test"}`))
	require.Equal(t, http.StatusCreated, status, string(body))
	var j struct {
		ID, ServicePrincipalID, UploadToken string
	}
	require.NoError(t, json.Unmarshal(body, &j))
	return j.ID, j.ServicePrincipalID, j.UploadToken
}

func upload(t *testing.T, srv *Server, jobID, sp, token, externalID string) {
	t.Helper()
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","bulkId":"1","path":"/Users",
		"data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"` + externalID + `","displayName":"Ada Lovelace","userName":"ada@hrsync.test","active":true}}]}`
	status, _, resp := srv.Do(t, http.MethodPost, "/v1.0/servicePrincipals/"+sp+"/synchronization/jobs/"+jobID+"/bulkUpload", token, "application/scim+json", []byte(body))
	require.Equal(t, http.StatusAccepted, status, string(resp))
}

// TestDispatchFencingAndRedispatch walks one record through a misbehaving
// agent: a dropped stream re-dispatches with a new attempt, a stale result
// is ignored, a reconnect that reports the op in flight adopts it.
func TestDispatchFencingAndRedispatch(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	a1 := connect(t, srv, "agent-1")
	upload(t, srv, jobID, sp, token, "e1")

	find := a1.nextOp(t)
	require.Equal(t, "hrsync.test", find.GetDomain())
	require.NotNil(t, find.GetFindUser().GetMatch())
	require.Equal(t, "employeeID", find.GetFindUser().GetMatch().GetAttribute())
	require.Equal(t, "e1", find.GetFindUser().GetMatch().GetValue())
	require.Equal(t, uint32(1), find.GetAttempt())
	require.Equal(t, 1, inFlight(t, srv)["agent-1"], "the agents list counts what agent-1 holds")

	// The agent drops without answering: attempt 2 goes to the next agent.
	a1.cancel()
	a2 := connect(t, srv, "agent-2")
	again := a2.nextOp(t)
	require.Equal(t, find.GetOpId(), again.GetOpId())
	require.Equal(t, uint32(2), again.GetAttempt())
	require.Greater(t, again.GetSeq(), find.GetSeq())

	// A stale answer (attempt 1) changes nothing; the current one does.
	stale := &agentv1.Result{OpId: find.GetOpId(), Attempt: 1, Outcome: agentv1.Outcome_OUTCOME_READ,
		Entries: []*agentv1.Entry{{Dn: "CN=Wrong,DC=hrsync,DC=test", ObjectGuid: "stale"}}}
	require.NoError(t, a2.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Result{Result: stale}}))
	require.NoError(t, a2.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Result{Result: &agentv1.Result{
		OpId: again.GetOpId(), Attempt: 2, Outcome: agentv1.Outcome_OUTCOME_READ}}}))

	// No match: the engine creates.
	create := a2.nextOp(t)
	cu := create.GetCreateUser()
	require.NotNil(t, cu, "got %v", create)
	require.Equal(t, "Ada Lovelace", cu.GetCn())
	require.Equal(t, "OU=t,DC=hrsync,DC=test", cu.GetParentDn())
	require.True(t, cu.GetEnable())
	require.Equal(t, "e1", cu.GetMatch().GetValue())

	// agent-2 reconnects while still running the create: it is adopted, not
	// sent again, and its answer for the same attempt completes the record.
	a2.cancel()
	a2b := connect(t, srv, "agent-2", create.GetOpId())
	require.NoError(t, a2b.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Result{Result: &agentv1.Result{
		OpId: create.GetOpId(), Attempt: create.GetAttempt(), Outcome: agentv1.Outcome_OUTCOME_CREATED,
		Entries: []*agentv1.Entry{{Dn: "CN=Ada Lovelace,OU=t,DC=hrsync,DC=test", ObjectGuid: "0b9c6a8e-0000-4000-8000-000000000001", Enabled: true}}}}}))

	require.Eventually(t, func() bool {
		status, _, body := srv.Do(t, http.MethodGet, "/v1.0/auditLogs/provisioning?$filter=jobId+eq+'"+jobID+"'", token, "", nil)
		var page struct {
			Value []struct {
				Action string `json:"provisioningAction"`
				Target struct {
					ID string `json:"id"`
				} `json:"targetIdentity"`
				Status struct {
					Status string `json:"status"`
				} `json:"provisioningStatusInfo"`
			} `json:"value"`
		}
		_ = json.Unmarshal(body, &page)
		return status == http.StatusOK && len(page.Value) == 1 && page.Value[0].Action == "create" &&
			page.Value[0].Status.Status == "success" && page.Value[0].Target.ID == "0b9c6a8e-0000-4000-8000-000000000001"
	}, 10*time.Second, 20*time.Millisecond)
}

// inFlight reads each live agent's count of unanswered operations from
// the admin API.
func inFlight(t *testing.T, srv *Server) map[string]int {
	t.Helper()
	status, _, body := srv.Do(t, http.MethodGet, "/api/v1/agents", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var page struct {
		Value []struct {
			AgentID  string `json:"agentId"`
			InFlight int    `json:"inFlight"`
		} `json:"value"`
	}
	require.NoError(t, json.Unmarshal(body, &page))
	out := map[string]int{}
	for _, a := range page.Value {
		out[a.AgentID] = a.InFlight
	}
	return out
}

// resultFor answers an operation the way an empty directory would.
func resultFor(o *agentv1.Operation) *agentv1.AgentMessage {
	res := &agentv1.Result{OpId: o.GetOpId(), Attempt: o.GetAttempt(), Seq: o.GetSeq(), Outcome: agentv1.Outcome_OUTCOME_READ}
	if cu := o.GetCreateUser(); cu != nil {
		res.Outcome = agentv1.Outcome_OUTCOME_CREATED
		res.Entries = []*agentv1.Entry{{Dn: "CN=" + cu.GetCn() + "," + cu.GetParentDn(), ObjectGuid: "guid-" + o.GetOpId(), Enabled: true}}
	}
	return &agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Result{Result: res}}
}

// TestInDoubtCreateRunsOnItsDC answers a create with the agent's "in
// doubt" failure (its domain controller failed after the add was sent):
// the next attempt is pinned to that DC (only_dc) and goes to an agent
// that knows what that means, not to an older one still connected; when
// it fails the same way the record fails at once, with advice, rather
// than hold an engine worker through retries, and waits in escrow.
func TestInDoubtCreateRunsOnItsDC(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	old := connectAt(t, srv, "agent-old", version.ProtocolOnlyDC-1)
	upload(t, srv, jobID, sp, token, "e1")
	a := old
	send := func(res *agentv1.Result) {
		t.Helper()
		require.NoError(t, a.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Result{Result: res}}))
	}
	inDoubt := func(o *agentv1.Operation) *agentv1.Result {
		return &agentv1.Result{OpId: o.GetOpId(), Attempt: o.GetAttempt(), Error: &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
			Message: "read back: connection reset", Retryable: true, InDoubtDc: "ldaps://dc1.hrsync.test"}}
	}

	find := a.nextOp(t)
	send(&agentv1.Result{OpId: find.GetOpId(), Attempt: find.GetAttempt(), Outcome: agentv1.Outcome_OUTCOME_READ})
	create := a.nextOp(t)
	require.NotNil(t, create.GetCreateUser())
	require.Empty(t, create.GetOnlyDc())
	send(inDoubt(create))

	// The retry waits a second (RetryBase); it must skip the old agent.
	a = connect(t, srv, "agent-new")
	again := a.nextOp(t)
	require.Equal(t, create.GetOpId(), again.GetOpId())
	require.Equal(t, create.GetAttempt()+1, again.GetAttempt())
	require.Equal(t, "ldaps://dc1.hrsync.test", again.GetOnlyDc(), "the next attempt runs where the add may have landed")
	require.Equal(t, create.GetCreateUser().GetCn(), again.GetCreateUser().GetCn())
	send(inDoubt(again))

	require.Eventually(t, func() bool {
		status, _, body := srv.Do(t, http.MethodGet, "/v1.0/auditLogs/provisioning?$filter=jobId+eq+'"+jobID+"'", token, "", nil)
		var page struct {
			Value []struct {
				Status struct {
					Status string `json:"status"`
					Error  struct {
						Recommendation string `json:"recommendedAction"`
					} `json:"errorInformation"`
				} `json:"provisioningStatusInfo"`
			} `json:"value"`
		}
		_ = json.Unmarshal(body, &page)
		return status == http.StatusOK && len(page.Value) == 1 && page.Value[0].Status.Status == "failure" &&
			strings.Contains(page.Value[0].Status.Error.Recommendation, "Domain controller ldaps://dc1.hrsync.test failed while creating the account")
	}, 10*time.Second, 20*time.Millisecond, "the record fails with advice after the pinned attempt")
}
