package enroll_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/hrsync/hrsync/cloud/internal/enroll"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/rpcerr"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

type harness struct {
	svc   *enroll.Service
	st    store.Store
	clock *clockwork.FakeClock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "hrsync.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ca, err := enroll.EnsureCA(filepath.Join(dir, "agent-ca"))
	require.NoError(t, err)
	clock := clockwork.NewFakeClockAt(time.Now().Truncate(time.Millisecond))
	svc, err := enroll.New(enroll.Config{Store: st, CA: ca, TokenKey: []byte("0123456789abcdef0123456789abcdef"), Clock: clock})
	require.NoError(t, err)
	return &harness{svc: svc, st: st, clock: clock}
}

func (h *harness) token(t *testing.T, domains ...string) string {
	t.Helper()
	tok, err := h.svc.CreateToken(context.Background(), enroll.TokenRequest{Domains: domains})
	require.NoError(t, err)
	return tok.Token
}

// agentCert is a registered agent's key and certificate.
type agentCert struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func (h *harness) register(t *testing.T, token, id string) (agentCert, error) {
	t.Helper()
	key, csr, err := tlsutil.NewKeyAndCSR(id)
	require.NoError(t, err)
	resp, err := h.svc.Register(context.Background(), &agentv1.RegisterRequest{Token: token, AgentId: id, Csr: csr, Hostname: "h"})
	if err != nil {
		return agentCert{}, err
	}
	certs, err := tlsutil.ParseCerts(resp.GetCertificate())
	require.NoError(t, err)
	return agentCert{key: key, cert: certs[0]}, nil
}

// asPeer is ctx as seen by a handler whose client presented cert.
func asPeer(cert *x509.Certificate) context.Context {
	return peer.NewContext(context.Background(), &peer.Peer{AuthInfo: credentials.TLSInfo{
		State: tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}}})
}

func (h *harness) renew(t *testing.T, old *x509.Certificate) (agentCert, error) {
	t.Helper()
	key, csr, err := tlsutil.NewKeyAndCSR("ignored")
	require.NoError(t, err)
	resp, err := h.svc.Renew(asPeer(old), &agentv1.RenewRequest{Csr: csr})
	if err != nil {
		return agentCert{}, err
	}
	certs, err := tlsutil.ParseCerts(resp.GetCertificate())
	require.NoError(t, err)
	return agentCert{key: key, cert: certs[0]}, nil
}

func TestRegisterIssuesIdentity(t *testing.T) {
	h := newHarness(t)
	a, err := h.register(t, h.token(t, "Corp.Example.com.", "emea.example.com"), "agent-1")
	require.NoError(t, err)
	id, err := tlsutil.AgentIdentityFromCert(a.cert)
	require.NoError(t, err)
	require.Equal(t, tlsutil.AgentIdentity{AgentID: "agent-1", Domains: []string{"corp.example.com", "emea.example.com"}}, id)
	require.True(t, a.key.PublicKey.Equal(a.cert.PublicKey), "the certificate is for the agent's own key")
	require.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, a.cert.ExtKeyUsage)
	require.WithinDuration(t, h.clock.Now().Add(30*24*time.Hour), a.cert.NotAfter, time.Second, "default lifetime 30 days")
	_, err = a.cert.Verify(x509.VerifyOptions{Roots: h.svc.CA().Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)

	got, err := h.svc.Authenticate(context.Background(), a.cert, "10.0.0.1:1")
	require.NoError(t, err)
	require.Equal(t, "agent-1", got.AgentID)
	require.True(t, got.Allows("CORP.example.com"))
	require.False(t, got.Allows("other.example.com"))

	toks, err := h.svc.ListTokens(context.Background())
	require.NoError(t, err)
	require.Len(t, toks, 1)
	require.Equal(t, "agent-1", toks[0].UsedBy)
	require.NotContains(t, string(toks[0].Hash), "hrsbt_", "only the keyed hash is stored")
}

func TestRegisterRefusals(t *testing.T) {
	h := newHarness(t)
	used := h.token(t, "corp.example.com")
	_, err := h.register(t, used, "first")
	require.NoError(t, err)
	expired := h.token(t, "corp.example.com")
	h.clock.Advance(25 * time.Hour) // past the default 24h
	fresh := func() string { return h.token(t, "corp.example.com") }

	tests := []struct {
		name     string
		token    string
		id       string
		csr      []byte
		code     codes.Code
		sentinel error
		message  string
	}{
		{"unknown token", "hrsbt_nonsense", "a", nil, codes.Unauthenticated, enroll.ErrTokenUnknown, "bootstrap token is unknown"},
		{"used token", used, "a", nil, codes.Unauthenticated, enroll.ErrTokenUsed, "already used (token"},
		{"expired token", expired, "a", nil, codes.Unauthenticated, enroll.ErrTokenExpired, "has expired"},
		{"bad agent id", fresh(), "no spaces please", nil, codes.InvalidArgument, enroll.ErrInvalid, "agent ID"},
		{"agent id taken", fresh(), "first", nil, codes.AlreadyExists, enroll.ErrAgentEnrolled, "revoke it first"},
		{"garbage csr", fresh(), "b", []byte("garbage"), codes.InvalidArgument, enroll.ErrInvalid, "certificate request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			csr := tc.csr
			if csr == nil {
				_, csr, err = tlsutil.NewKeyAndCSR(tc.id)
				require.NoError(t, err)
			}
			_, err := h.svc.Register(context.Background(), &agentv1.RegisterRequest{Token: tc.token, AgentId: tc.id, Csr: csr})
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			require.Contains(t, status.Convert(err).Message(), tc.message)
			require.NotContains(t, status.Convert(err).Message(), tc.token[len(enroll.TokenPrefix):], "the token is never echoed")
		})
	}
	agents, err := h.svc.ListAgents(context.Background())
	require.NoError(t, err)
	require.Len(t, agents, 1, "no refusal enrolled anything")
}

func TestRenewRotatesBeforeExpiry(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first, err := h.register(t, h.token(t, "corp.example.com"), "agent-1")
	require.NoError(t, err)
	_, err = h.svc.Authenticate(ctx, first.cert, "r")
	require.NoError(t, err)

	h.clock.Advance(20 * 24 * time.Hour) // two thirds of 30 days
	second, err := h.renew(t, first.cert)
	require.NoError(t, err)
	require.NotEqual(t, first.cert.SerialNumber, second.cert.SerialNumber)
	require.False(t, second.key.PublicKey.Equal(first.cert.PublicKey), "a new key")
	require.WithinDuration(t, h.clock.Now().Add(30*24*time.Hour), second.cert.NotAfter, time.Second)
	id, err := tlsutil.AgentIdentityFromCert(second.cert)
	require.NoError(t, err)
	require.Equal(t, []string{"corp.example.com"}, id.Domains, "the identity carries over")

	// The answer got lost: the old certificate still works and renews
	// again, until the new one is seen.
	third, err := h.renew(t, first.cert)
	require.NoError(t, err)
	_, err = h.svc.Authenticate(ctx, third.cert, "r")
	require.NoError(t, err)

	// Now the older certificates are held by someone else: a clone.
	for _, old := range []*x509.Certificate{first.cert, second.cert} {
		_, err = h.svc.Authenticate(ctx, old, "10.9.9.9:443")
		require.ErrorIs(t, err, enroll.ErrCloneSuspected)
		require.Equal(t, codes.PermissionDenied, status.Code(rpcerr.ToStatus(err)))
	}
	a, err := h.st.GetAgent(ctx, "agent-1")
	require.NoError(t, err)
	require.Equal(t, "10.9.9.9:443", a.Clone.From)
	require.Equal(t, h.clock.Now().UTC(), a.Clone.At)
	require.Contains(t, a.Clone.Reason, "superseded")
	_, err = h.renew(t, first.cert)
	require.Equal(t, codes.PermissionDenied, status.Code(err))

	// Renewing with the same key is refused.
	resp, err := h.svc.Renew(asPeer(third.cert), &agentv1.RenewRequest{Csr: csrFor(t, third.key)})
	require.Nil(t, resp)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	// Without a client certificate there is nothing to renew.
	_, err = h.svc.Renew(ctx, &agentv1.RenewRequest{Csr: csrFor(t, third.key)})
	require.Equal(t, codes.Unauthenticated, status.Code(err))
}

func TestRevokedAgentIsRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a, err := h.register(t, h.token(t, "corp.example.com"), "agent-1")
	require.NoError(t, err)
	require.NoError(t, h.svc.Revoke(ctx, "agent-1"))
	_, err = h.svc.Authenticate(ctx, a.cert, "r")
	require.ErrorIs(t, err, enroll.ErrRevoked)
	_, err = h.renew(t, a.cert)
	require.Equal(t, codes.PermissionDenied, status.Code(err))
	require.ErrorIs(t, h.svc.Revoke(ctx, "nobody"), store.ErrNotFound)

	// A revoked agent enrolls again with a new token; the old certificate
	// stays refused.
	again, err := h.register(t, h.token(t, "corp.example.com"), "agent-1")
	require.NoError(t, err)
	_, err = h.svc.Authenticate(ctx, again.cert, "r")
	require.NoError(t, err)
	_, err = h.svc.Authenticate(ctx, a.cert, "r")
	require.ErrorIs(t, err, enroll.ErrCloneSuspected)
}

func TestCreateTokenValidates(t *testing.T) {
	h := newHarness(t)
	for _, req := range []enroll.TokenRequest{
		{},
		{Domains: []string{"nodot"}},
		{Domains: []string{"corp.example.com"}, TTL: 31 * 24 * time.Hour},
		{Domains: []string{"corp.example.com"}, TTL: time.Second},
	} {
		_, err := h.svc.CreateToken(context.Background(), req)
		require.ErrorIs(t, err, enroll.ErrInvalid, "%+v", req)
	}
}

func csrFor(t *testing.T, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	require.NoError(t, err)
	return der
}
