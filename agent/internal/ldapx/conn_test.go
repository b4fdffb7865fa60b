package ldapx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// tlsServer listens on 127.0.0.1 with a certificate for that IP and runs
// serve for each connection after the handshake. It returns the URL and
// the PEM of the CA.
func tlsServer(t *testing.T, serve func(net.Conn)) (string, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ldapx test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				serve(c)
			}()
		}
	}()
	return "ldaps://" + ln.Addr().String(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestDialFailures(t *testing.T) {
	silentURL, silentCA := tlsServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	hangupURL, hangupCA := tlsServer(t, func(c net.Conn) {
		c.Read(make([]byte, 1)) // wait for the bind, then hang up
	})
	_, otherCA := tlsServer(t, func(net.Conn) {})

	// A port that refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusedURL := "ldaps://" + ln.Addr().String()
	ln.Close()

	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name     string
		ctx      context.Context
		cfg      ldapx.Config
		code     agentv1.ErrorCode
		contains string
	}{
		{"no answer", t.Context(), ldapx.Config{URLs: []string{silentURL}, CAPEM: silentCA, Timeout: 200 * time.Millisecond},
			agentv1.ErrorCode_ERROR_CODE_TIMEOUT, "no answer within 200ms"},
		{"hang up", t.Context(), ldapx.Config{URLs: []string{hangupURL}, CAPEM: hangupCA},
			agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "bind to " + hangupURL},
		{"unknown CA", t.Context(), ldapx.Config{URLs: []string{silentURL}, CAPEM: otherCA},
			agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "TLS verification"},
		{"refused", t.Context(), ldapx.Config{URLs: []string{refusedURL}, CAPEM: otherCA},
			agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "dial " + refusedURL},
		{"canceled", canceled, ldapx.Config{URLs: []string{silentURL}, CAPEM: silentCA},
			agentv1.ErrorCode_ERROR_CODE_CANCELLED, "canceled"},
		{"plain ldap refused", t.Context(), ldapx.Config{URLs: []string{"ldap://127.0.0.1"}},
			agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, "want ldaps://"},
		{"bad CA PEM", t.Context(), ldapx.Config{URLs: []string{silentURL}, CAPEM: []byte("nope")},
			agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, "CAPEM"},
		{"no URLs", t.Context(), ldapx.Config{},
			agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, "no URLs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.BindDN = "CN=svc,DC=hrsync,DC=test"
			tc.cfg.Password = "Secret-Pa55word!"
			conn, err := ldapx.Dial(tc.ctx, tc.cfg)
			require.Error(t, err)
			require.Nil(t, conn)
			require.Equal(t, tc.code, direrr.CodeOf(err), "%v", err)
			require.Contains(t, err.Error(), tc.contains)
			require.NotContains(t, err.Error(), tc.cfg.Password)
		})
	}
}

func TestDialTriesNextURL(t *testing.T) {
	url, ca := tlsServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusedURL := "ldaps://" + ln.Addr().String()
	ln.Close()

	_, err = ldapx.Dial(t.Context(), ldapx.Config{
		URLs:     []string{refusedURL, url},
		BindDN:   "CN=svc,DC=hrsync,DC=test",
		Password: "Secret-Pa55word!",
		CAPEM:    ca,
		Timeout:  200 * time.Millisecond,
	})
	// Both URLs were tried: the first refused, the second timed out.
	require.ErrorContains(t, err, "dial "+refusedURL)
	require.ErrorContains(t, err, "bind to "+url)
}
