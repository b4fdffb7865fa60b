package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/hrsync/hrsync/cloud/internal/enroll"
	"github.com/hrsync/hrsync/cloud/internal/gateway"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/rpcerr"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

type nopHandler struct{}

func (nopHandler) SessionUp(*gateway.Session, *agentv1.Hello) {}
func (nopHandler) SessionDown(*gateway.Session)               {}
func (nopHandler) Result(*gateway.Session, *agentv1.Result)   {}

// harness is a gateway and the enrollment service behind one mutual-TLS
// gRPC listener, as hrsync-cloud serves them.
type harness struct {
	gw     *gateway.Server
	enr    *enroll.Service
	st     store.Store
	clock  *clockwork.FakeClock
	addr   string
	caFile string
	tls    *tls.Config
}

func newHarness(t *testing.T, opts ...func(*gateway.Config, store.Store)) *harness {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ca, err := enroll.EnsureCA(filepath.Join(dir, "agent-ca"))
	require.NoError(t, err)
	clock := clockwork.NewFakeClockAt(time.Now())
	enr, err := enroll.New(enroll.Config{Store: st, CA: ca, TokenKey: []byte("0123456789abcdef0123456789abcdef"), Clock: clock})
	require.NoError(t, err)
	pki, err := tlsutil.EnsureDevPKI(filepath.Join(dir, "tls"), []string{"127.0.0.1"})
	require.NoError(t, err)
	tlsCfg, err := tlsutil.ServerConfig(pki.CertFile, pki.KeyFile)
	require.NoError(t, err)
	tlsCfg.ClientAuth = tls.VerifyClientCertIfGiven
	tlsCfg.ClientCAs = ca.Pool()
	h := &harness{enr: enr, st: st, clock: clock, caFile: pki.CAFile, tls: tlsCfg}
	h.serve(t, opts...)
	return h
}

// replica is another gateway, with its own listener, over the same store,
// enrollment service and clock: a second hrsync-cloud replica.
func (h *harness) replica(t *testing.T, opts ...func(*gateway.Config, store.Store)) *harness {
	t.Helper()
	r := *h
	r.serve(t, opts...)
	return &r
}

// serve starts h's gateway and its gRPC listener.
func (h *harness) serve(t *testing.T, opts ...func(*gateway.Config, store.Store)) {
	t.Helper()
	gcfg := gateway.Config{Identities: h.enr, Handler: nopHandler{}, Heartbeat: time.Second, Clock: h.clock}
	for _, o := range opts {
		o(&gcfg, h.st)
	}
	gw, err := gateway.New(gcfg)
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); gw.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-ran })

	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(h.tls)))
	agentv1.RegisterAgentGatewayServer(srv, gw)
	agentv1.RegisterAgentEnrollmentServer(srv, h.enr)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	h.gw, h.addr = gw, ln.Addr().String()
}

func (h *harness) conn(t *testing.T, cert *tls.Certificate) *grpc.ClientConn {
	t.Helper()
	cfg, err := tlsutil.ClientConfig(h.caFile, "127.0.0.1")
	require.NoError(t, err)
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	c, err := grpc.NewClient(h.addr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// enroll registers id for domains over the wire and returns its certificate.
func (h *harness) enroll(t *testing.T, id string, domains ...string) tls.Certificate {
	t.Helper()
	tok, err := h.enr.CreateToken(context.Background(), enroll.TokenRequest{Domains: domains})
	require.NoError(t, err)
	key, csr, err := tlsutil.NewKeyAndCSR(id)
	require.NoError(t, err)
	resp, err := agentv1.NewAgentEnrollmentClient(h.conn(t, nil)).Register(context.Background(),
		&agentv1.RegisterRequest{Token: tok.Token, AgentId: id, Csr: csr})
	require.NoError(t, err)
	return keyPair(t, resp.GetCertificate(), key)
}

func keyPair(t *testing.T, certPEM []byte, key *ecdsa.PrivateKey) tls.Certificate {
	t.Helper()
	keyPEM, err := tlsutil.EncodeKey(key)
	require.NoError(t, err)
	kp, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return kp
}

// session is one agent stream.
type session struct {
	stream agentv1.AgentGateway_ConnectClient
	cancel context.CancelFunc
}

// open sends Hello and returns the stream and the first answer's error
// (nil: Welcome arrived).
func (h *harness) open(t *testing.T, cert *tls.Certificate, hello *agentv1.Hello) (*session, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stream, err := agentv1.NewAgentGatewayClient(h.conn(t, cert)).Connect(ctx)
	require.NoError(t, err)
	if hello.ProtocolVersion == 0 {
		hello.ProtocolVersion = 1
	}
	// A refused handshake may close the stream before Hello is read; Recv
	// then carries the status.
	_ = stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: hello}})
	msg, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	require.NotNil(t, msg.GetWelcome(), "got %v", msg)
	return &session{stream: stream, cancel: cancel}, nil
}

// waitEnd reads until the stream ends and returns why.
func (s *session) waitEnd() error {
	for {
		if _, err := s.stream.Recv(); err != nil {
			return err
		}
	}
}

func TestRefusals(t *testing.T) {
	h := newHarness(t)
	cert := h.enroll(t, "agent-1", "corp.example.com")
	tests := []struct {
		name    string
		cert    *tls.Certificate
		hello   *agentv1.Hello
		code    codes.Code
		message string
	}{
		{"no client certificate", nil, &agentv1.Hello{}, codes.Unauthenticated, "no client certificate: enroll the agent"},
		{"wrong domain", &cert, &agentv1.Hello{Domains: []string{"corp.example.com", "emea.example.com"}}, codes.PermissionDenied,
			"offers emea.example.com but its enrollment allows only corp.example.com"},
		{"hello names another agent", &cert, &agentv1.Hello{AgentId: "agent-2"}, codes.PermissionDenied, "certificate is agent \"agent-1\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.open(t, tc.cert, tc.hello)
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			require.Contains(t, status.Convert(err).Message(), tc.message)
		})
	}
	require.Empty(t, h.gw.Sessions())

	s, err := h.open(t, &cert, &agentv1.Hello{AgentId: "agent-1", Domains: []string{"CORP.example.com."}, InstanceId: "i1"})
	require.NoError(t, err, "the enrolled domain, in any case")
	require.Len(t, h.gw.Sessions(), 1)
	require.Equal(t, "agent-1", h.gw.Sessions()[0].AgentID())
	s.cancel()
}

func TestRevokedAgentIsClosedAndRefused(t *testing.T) {
	h := newHarness(t)
	cert := h.enroll(t, "agent-1", "corp.example.com")
	s, err := h.open(t, &cert, &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: "i1"})
	require.NoError(t, err)

	// What the admin API's revoke does.
	require.NoError(t, h.enr.Revoke(context.Background(), "agent-1"))
	require.True(t, h.gw.Disconnect("agent-1", enroll.RevokedError("agent-1")))
	err = s.waitEnd()
	require.Equal(t, codes.PermissionDenied, status.Code(err), "the live session ends at once: %v", err)
	require.Contains(t, status.Convert(err).Message(), "agent was revoked")
	require.Eventually(t, func() bool { return len(h.gw.Sessions()) == 0 }, 5*time.Second, time.Millisecond)

	_, err = h.open(t, &cert, &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: "i1"})
	require.Equal(t, codes.PermissionDenied, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "agent was revoked: agent-1 at")
	require.Equal(t, rpcerr.Reenroll, rpcerr.Classify(err), "the agent stops and asks for re-enrolment")
	require.False(t, h.gw.Disconnect("agent-1", errors.New("x")), "no session left")
}

// TestRevokedOnAnotherReplica revokes an agent in the store without
// telling this gateway, as a replica that does not hold the agent's
// session does: the store's event closes the session at once, and when
// events are lost the next heartbeat's recheck does.
func TestRevokedOnAnotherReplica(t *testing.T) {
	tests := []struct {
		name string
		opts []func(*gateway.Config, store.Store)
		// advance moves the gateway's clock after the revocation.
		advance time.Duration
	}{
		{"the store's event", []func(*gateway.Config, store.Store){func(c *gateway.Config, st store.Store) { c.Events = st }}, 0},
		{"the heartbeat recheck, events lost", nil, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts...)
			cert := h.enroll(t, "agent-1", "corp.example.com")
			s, err := h.open(t, &cert, &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: "i1"})
			require.NoError(t, err)
			// Still open after a heartbeat while it is enrolled.
			h.clock.BlockUntilContext(t.Context(), 1)
			h.clock.Advance(time.Second)
			msg, err := s.stream.Recv()
			require.NoError(t, err)
			require.NotNil(t, msg.GetPing(), "got %v", msg)
			require.Len(t, h.gw.Sessions(), 1)

			require.NoError(t, h.st.RevokeAgent(context.Background(), "agent-1", h.clock.Now()))
			if tc.advance > 0 {
				h.clock.BlockUntilContext(t.Context(), 1)
				h.clock.Advance(tc.advance)
			}
			err = s.waitEnd()
			require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)
			require.Contains(t, status.Convert(err).Message(), "agent-1 was revoked by an admin")
			require.Eventually(t, func() bool { return len(h.gw.Sessions()) == 0 }, 5*time.Second, time.Millisecond)
		})
	}
}

func TestCloneDetected(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	cert := h.enroll(t, "agent-1", "corp.example.com")
	hello := func(instance string) *agentv1.Hello {
		return &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: instance}
	}
	first, err := h.open(t, &cert, hello("vm-a"))
	require.NoError(t, err)

	// The same process reconnecting replaces its half-open session.
	_, err = h.open(t, &cert, hello("vm-a"))
	require.NoError(t, err)
	require.Equal(t, codes.Unavailable, status.Code(first.waitEnd()))

	// Another process with the same certificate while that one is alive:
	// a cloned VM. It is refused, reported, and the original stays.
	_, err = h.open(t, &cert, hello("vm-b"))
	require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)
	require.Contains(t, status.Convert(err).Message(), "another host presented this agent's identity")
	a, err := h.st.GetAgent(ctx, "agent-1")
	require.NoError(t, err)
	require.False(t, a.Clone.At.IsZero())
	require.Contains(t, a.Clone.From, "127.0.0.1:")
	require.Contains(t, a.Clone.Reason, "second session")
	require.Len(t, h.gw.Sessions(), 1, "the original session lives on")

	// Once the original went quiet (a crashed host), a new process takes over.
	h.clock.Advance(2 * time.Second)
	_, err = h.open(t, &cert, hello("vm-c"))
	require.NoError(t, err)
}

// TestCloneOnAnotherReplica connects a second process with an agent's
// identity to another replica than the first's: with the presence lease
// in the shared store it is refused as a clone there too, while the same
// process moving to the other replica is not.
func TestCloneOnAnotherReplica(t *testing.T) {
	leases := func(c *gateway.Config, st store.Store) { c.Leases = st }
	a := newHarness(t, leases)
	b := a.replica(t, leases)
	ctx := context.Background()
	cert := a.enroll(t, "agent-1", "corp.example.com")
	hello := func(instance string) *agentv1.Hello {
		return &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: instance}
	}
	first, err := a.open(t, &cert, hello("vm-a"))
	require.NoError(t, err)

	_, err = b.open(t, &cert, hello("vm-b"))
	require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)
	require.Contains(t, status.Convert(err).Message(), "another host presented this agent's identity")
	rec, err := a.st.GetAgent(ctx, "agent-1")
	require.NoError(t, err)
	require.Contains(t, rec.Clone.Reason, "another process's session is live")
	require.Empty(t, b.gw.Sessions())

	// The same process reconnecting through the other replica is no clone.
	moved, err := b.open(t, &cert, hello("vm-a"))
	require.NoError(t, err)
	require.Len(t, b.gw.Sessions(), 1)

	// Its old session ends (releasing the lease); the new one's next
	// heartbeat takes the lease back, so a clone is still refused.
	first.cancel()
	require.Eventually(t, func() bool { return len(a.gw.Sessions()) == 0 }, 5*time.Second, time.Millisecond)
	a.clock.BlockUntilContext(ctx, 1)
	a.clock.Advance(time.Second)
	msg, err := moved.stream.Recv()
	require.NoError(t, err)
	require.NotNil(t, msg.GetPing())
	require.NoError(t, moved.stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Pong{Pong: &agentv1.Pong{Nonce: msg.GetPing().GetNonce()}}}))
	_, err = a.open(t, &cert, hello("vm-c"))
	require.Equal(t, codes.PermissionDenied, status.Code(err), "%v", err)

	// Once that session ends too, a new process (a restarted host) may
	// connect anywhere at once.
	moved.cancel()
	require.Eventually(t, func() bool { return len(b.gw.Sessions()) == 0 }, 5*time.Second, time.Millisecond)
	_, err = a.open(t, &cert, hello("vm-d"))
	require.NoError(t, err)
}

func TestRotationSupersedesOldCertificate(t *testing.T) {
	h := newHarness(t)
	cert := h.enroll(t, "agent-1", "corp.example.com")
	s, err := h.open(t, &cert, &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: "i1"})
	require.NoError(t, err)
	s.cancel()
	require.Eventually(t, func() bool { return len(h.gw.Sessions()) == 0 }, 5*time.Second, time.Millisecond)

	// (The timing of renewals is the agent's; the fake clock cannot move
	// past real time here, where TLS checks validity with the real one.)
	key, csr, err := tlsutil.NewKeyAndCSR("agent-1")
	require.NoError(t, err)
	resp, err := agentv1.NewAgentEnrollmentClient(h.conn(t, &cert)).Renew(context.Background(), &agentv1.RenewRequest{Csr: csr})
	require.NoError(t, err, "renewal over mutual TLS")
	renewed := keyPair(t, resp.GetCertificate(), key)
	_, err = h.open(t, &renewed, &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: "i1"})
	require.NoError(t, err)

	// A host still holding the old certificate is a clone.
	_, err = h.open(t, &cert, &agentv1.Hello{Domains: []string{"corp.example.com"}, InstanceId: "i9"})
	require.Equal(t, codes.PermissionDenied, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "was superseded by")
	a, err := h.st.GetAgent(context.Background(), "agent-1")
	require.NoError(t, err)
	require.Contains(t, a.Clone.Reason, "superseded")
}
