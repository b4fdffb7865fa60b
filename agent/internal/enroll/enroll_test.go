package enroll

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hrsync/hrsync/shared/tlsutil"
)

// testCA signs agent certificates as the cloud would.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	cert, key, p, err := tlsutil.NewCA("test agent CA")
	require.NoError(t, err)
	return &testCA{cert: cert, key: key, pem: p}
}

func (ca *testCA) issue(t *testing.T, pub any, from time.Time, life time.Duration) []byte {
	t.Helper()
	uris, err := tlsutil.AgentIdentity{AgentID: "agent-1", Domains: []string{"corp.example.com"}}.URIs()
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "agent-1"},
		URIs: uris, NotBefore: from, NotAfter: from.Add(life), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca.cert, pub, ca.key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// enrolled writes an identity as Register would and loads it.
func enrolled(t *testing.T, ca *testCA, from time.Time, life time.Duration) *Identity {
	t.Helper()
	dir := t.TempDir()
	key, _, err := tlsutil.NewKeyAndCSR("agent-1")
	require.NoError(t, err)
	require.NoError(t, writePair(dir, key, ca.issue(t, &key.PublicKey, from, life), ca.pem))
	require.NoError(t, writeFile(filepath.Join(dir, metaFile), []byte(`{"agent_id":"agent-1","domains":["corp.example.com"],"cloud":"cloud:8443"}`), 0o644))
	id, err := Load(dir)
	require.NoError(t, err)
	return id
}

func TestRenewAt(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(30 * 24 * time.Hour)
	require.Equal(t, start.Add(20*24*time.Hour), RenewAt(start, end, 0))
	require.Equal(t, start.Add(20*24*time.Hour-12*time.Hour), RenewAt(start, end, 1), "jitter only ever renews earlier, by at most 1/60")
}

// TestRenewerRotatesWithNewKey drives the renewer with a fake clock: nothing
// happens before two thirds of the lifetime, then the certificate is
// replaced, with a new key, on disk and for new connections; a failed
// renewal is retried after a backoff.
func TestRenewerRotatesWithNewKey(t *testing.T) {
	ca := newTestCA(t)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	const life = 30 * 24 * time.Hour
	id := enrolled(t, ca, clock.Now(), life)
	first := id.Certificate()

	var calls atomic.Int32
	renewed := make(chan struct{}, 4)
	renew := func(ctx context.Context, csrDER []byte) ([]byte, []byte, error) {
		n := calls.Add(1)
		if n == 1 {
			return nil, nil, status.Error(codes.Unavailable, "cloud restarting")
		}
		csr, err := x509.ParseCertificateRequest(csrDER)
		require.NoError(t, err)
		defer func() { renewed <- struct{}{} }()
		return ca.issue(t, csr.PublicKey, clock.Now(), life), ca.pem, nil
	}
	r, err := NewRenewer(RenewerConfig{Identity: id, Renew: renew, Clock: clock, MinBackoff: time.Minute, MaxBackoff: time.Minute})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	require.NoError(t, clock.BlockUntilContext(ctx, 1))
	clock.Advance(19 * 24 * time.Hour) // before 2/3 less the jitter
	require.NoError(t, clock.BlockUntilContext(ctx, 1))
	require.Zero(t, calls.Load(), "not due yet")

	clock.Advance(24 * time.Hour) // past two thirds: the first try fails
	require.NoError(t, clock.BlockUntilContext(ctx, 1), "waits out the backoff")
	require.Equal(t, int32(1), calls.Load())
	require.Equal(t, first.SerialNumber, id.Certificate().SerialNumber, "a failed renewal keeps the certificate")

	clock.Advance(time.Minute)
	<-renewed
	require.NoError(t, clock.BlockUntilContext(ctx, 1), "the next renewal is scheduled")
	second := id.Certificate()
	require.NotEqual(t, first.SerialNumber, second.SerialNumber)
	require.False(t, first.PublicKey.(*ecdsa.PublicKey).Equal(second.PublicKey), "a new key")
	pair, err := id.GetClientCertificate(nil)
	require.NoError(t, err)
	require.Equal(t, second.Raw, pair.Certificate[0], "new connections present the new certificate")

	reloaded, err := Load(id.dir)
	require.NoError(t, err)
	require.Equal(t, second.SerialNumber, reloaded.Certificate().SerialNumber, "kept across restarts")
	fi, err := os.Stat(filepath.Join(id.dir, keyPairFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	cancel()
	require.NoError(t, <-done)
}

func TestRenewerStopsWhenRefused(t *testing.T) {
	ca := newTestCA(t)
	clock := clockwork.NewFakeClockAt(time.Now())
	id := enrolled(t, ca, clock.Now().Add(-29*24*time.Hour), 30*24*time.Hour) // overdue
	r, err := NewRenewer(RenewerConfig{Identity: id, Clock: clock, Renew: func(context.Context, []byte) ([]byte, []byte, error) {
		return nil, nil, status.Error(codes.PermissionDenied, "agent was revoked")
	}})
	require.NoError(t, err)
	err = r.Run(context.Background())
	require.Equal(t, codes.PermissionDenied, status.Code(err))
}

func TestLoad(t *testing.T) {
	_, err := Load(t.TempDir())
	require.ErrorIs(t, err, ErrNotEnrolled)

	id := enrolled(t, newTestCA(t), time.Now(), time.Hour)
	require.Equal(t, "agent-1", id.AgentID())
	require.Equal(t, []string{"corp.example.com"}, id.Domains())
	require.Equal(t, "cloud:8443", id.Cloud())
	require.Empty(t, id.CloudCA())
	require.NoError(t, os.Chmod(filepath.Join(id.dir, keyPairFile), 0o644))
	_, err = Load(id.dir)
	require.ErrorContains(t, err, "agent.pem has mode 0644")
}
