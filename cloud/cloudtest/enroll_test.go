package cloudtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestAgentEnrollmentAPI walks the admin side: token created and shown
// once, listed without its secret, spent by a registration, the agent
// listed, revoked, and its live session closed at once.
func TestAgentEnrollmentAPI(t *testing.T) {
	srv := NewServer(t, nil)
	code, _, body := srv.Do(t, http.MethodPost, "/api/v1/agentTokens", srv.AdminToken, "application/json",
		[]byte(`{"domains":["HRSYNC.test"],"ttl":"2h","description":"dc-site-a"}`))
	require.Equal(t, http.StatusCreated, code, string(body))
	var tok struct{ ID, Token, State string }
	require.NoError(t, json.Unmarshal(body, &tok))
	require.True(t, strings.HasPrefix(tok.Token, "hrsbt_"))
	require.Equal(t, "usable", tok.State)

	code, _, body = srv.Do(t, http.MethodPost, "/api/v1/agentTokens", srv.AdminToken, "application/json", []byte(`{"domains":[]}`))
	require.Equal(t, http.StatusBadRequest, code, string(body))
	code, _, _ = srv.Do(t, http.MethodGet, "/api/v1/agentTokens", "not-admin", "", nil)
	require.Equal(t, http.StatusUnauthorized, code)

	cert, err := srv.Register(context.Background(), t, tok.Token, "agent-api")
	require.NoError(t, err)
	srv.mu.Lock()
	srv.certs["agent-api"] = cert
	srv.mu.Unlock()
	_, err = srv.Register(context.Background(), t, tok.Token, "agent-other")
	require.Equal(t, codes.Unauthenticated, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "already used")

	code, _, body = srv.Do(t, http.MethodGet, "/api/v1/agentTokens", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, string(body), tok.Token, "listed without the secret")
	require.Contains(t, string(body), `"state": "used"`)
	require.Contains(t, string(body), `"usedBy": "agent-api"`)

	a := connect(t, srv, "agent-api")
	agents := func() []map[string]any {
		_, _, body := srv.Do(t, http.MethodGet, "/api/v1/agents", srv.AdminToken, "", nil)
		var out struct{ Value []map[string]any }
		require.NoError(t, json.Unmarshal(body, &out))
		return out.Value
	}
	require.Eventually(t, func() bool { l := agents(); return len(l) == 1 && l[0]["connected"] == true }, 5*time.Second, 10*time.Millisecond)
	l := agents()
	require.Equal(t, "agent-api", l[0]["agentId"])
	require.Equal(t, false, l[0]["cloneSuspected"])
	require.Equal(t, false, l[0]["revoked"])
	require.NotEmpty(t, l[0]["certificateSerial"])

	code, _, body = srv.Do(t, http.MethodPost, "/api/v1/agents/agent-api/revoke", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Contains(t, string(body), `"sessionClosed": true`)
	for {
		_, err := a.stream.Recv()
		if err != nil {
			require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)
			break
		}
	}
	l = agents()
	require.Equal(t, true, l[0]["revoked"])
	require.Equal(t, false, l[0]["connected"])
	code, _, _ = srv.Do(t, http.MethodPost, "/api/v1/agents/nobody/revoke", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusNotFound, code)
}
