package tlsutil

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDevPKIHandshake(t *testing.T) {
	dir := t.TempDir()
	p, err := EnsureDevPKI(dir, []string{"localhost", "127.0.0.1"})
	require.NoError(t, err)
	st, err := os.Stat(p.KeyFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "private key must be owner-only")

	// A second call keeps the same CA.
	ca1, _ := os.ReadFile(p.CAFile)
	_, err = EnsureDevPKI(dir, []string{"localhost"})
	require.NoError(t, err)
	ca2, _ := os.ReadFile(p.CAFile)
	require.Equal(t, ca1, ca2)

	srv, err := ServerConfig(p.CertFile, p.KeyFile)
	require.NoError(t, err)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srv)
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()

	tests := []struct {
		name       string
		serverName string
		caFile     string
		wantErr    bool
	}{
		{"trusted CA and IP SAN", "127.0.0.1", p.CAFile, false},
		{"wrong name", "cloud.example", p.CAFile, true},
		{"untrusted CA", "127.0.0.1", otherCA(t), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ClientConfig(tc.caFile, tc.serverName)
			require.NoError(t, err)
			c, err := tls.Dial("tcp", ln.Addr().String(), cfg)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			c.Close()
		})
	}
}

func TestLoadCAPoolRejectsGarbage(t *testing.T) {
	f := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(f, []byte("not a certificate"), 0o644))
	_, err := LoadCAPool(f)
	require.ErrorIs(t, err, ErrNoCertificates)
	_, err = LoadCAPool(filepath.Join(t.TempDir(), "missing.pem"))
	require.Error(t, err)
}

func otherCA(t *testing.T) string {
	_, _, pemBytes, err := NewCA("other")
	require.NoError(t, err)
	f := filepath.Join(t.TempDir(), "other.pem")
	require.NoError(t, os.WriteFile(f, pemBytes, 0o644))
	return f
}

func TestAgentIdentityRoundTrip(t *testing.T) {
	caCert, caKey, _, err := NewCA("test CA")
	require.NoError(t, err)
	key, csrDER, err := NewKeyAndCSR("agent-1")
	require.NoError(t, err)
	csr, err := x509.ParseCertificateRequest(csrDER)
	require.NoError(t, err)
	require.NoError(t, csr.CheckSignature())
	id := AgentIdentity{AgentID: "agent-1", Domains: []string{"corp.example.com", "emea.example.com"}}
	uris, err := id.URIs()
	require.NoError(t, err)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(42),
		Subject: pkix.Name{CommonName: id.AgentID}, URIs: uris, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, caCert, csr.PublicKey, caKey)
	require.NoError(t, err)
	certs, err := ParseCerts(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	require.NoError(t, err)
	got, err := AgentIdentityFromCert(certs[0])
	require.NoError(t, err)
	require.Equal(t, id, got)
	require.Equal(t, "2a", SerialHex(certs[0]))

	kp, err := EncodeKey(key)
	require.NoError(t, err)
	back, err := ParseKey(kp)
	require.NoError(t, err)
	require.True(t, key.Equal(back))

	_, err = AgentIdentityFromCert(caCert)
	require.ErrorIs(t, err, ErrNotAgentCertificate)
	_, err = ParseCerts([]byte("nothing"))
	require.ErrorIs(t, err, ErrNoCertificates)
}
