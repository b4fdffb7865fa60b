// Package cloudtest starts a real hrsync-cloud in the test process: temp
// data directory, loopback ports, short heartbeat and operation timeout,
// shut down by t.Cleanup. Other modules (tests/) import it; it is not under
// internal/ for that reason.
//
//	srv := cloudtest.NewServer(t, func(c *config.Config) { c.Heartbeat = time.Second })
//	resp := srv.Admin(t, "POST", "/api/v1/jobs", body)
package cloudtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/hrsync/hrsync/cloud/internal/cli"
	"github.com/hrsync/hrsync/cloud/internal/config"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// Server is a running in-process cloud.
type Server struct {
	*cli.Server
	// URL is the HTTP API base URL.
	URL string
	// Config is the effective configuration.
	Config config.Config

	mu sync.Mutex // guards the field below
	// certs caches the client certificate of each agent EnrollAgent made.
	certs map[string]tls.Certificate
}

// Config is the harness's configuration type, for mutate functions.
type Config = config.Config

// NewServer starts a cloud; mutate may change the configuration first.
func NewServer(t testing.TB, mutate func(*Config)) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.GRPCAddr = "127.0.0.1:0"
	cfg.Heartbeat = 200 * time.Millisecond
	cfg.OpTimeout = 5 * time.Second
	if mutate != nil {
		mutate(&cfg)
	}
	w := &testWriter{t: t}
	t.Cleanup(w.close) // registered first, so it runs after Stop
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := cli.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("start cloud: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop(5 * time.Second) })
	return &Server{Server: srv, URL: "http://" + srv.HTTPAddr, Config: cfg, certs: map[string]tls.Certificate{}}
}

// CreateAgentToken creates a bootstrap token for domains through the admin
// API and returns it.
func (s *Server) CreateAgentToken(t testing.TB, domains ...string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"domains": domains})
	status, _, resp := s.Do(t, http.MethodPost, "/api/v1/agentTokens", s.AdminToken, "application/json", body)
	if status != http.StatusCreated {
		t.Fatalf("create agent token: %d %s", status, resp)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(resp, &tok); err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// Register calls AgentEnrollment.Register as hrsync-agent register does:
// a new key, a certificate request, the token.
func (s *Server) Register(ctx context.Context, t testing.TB, token, agentID string) (tls.Certificate, error) {
	t.Helper()
	key, csr, err := tlsutil.NewKeyAndCSR(agentID)
	if err != nil {
		t.Fatal(err)
	}
	conn := s.dial(t, nil)
	resp, err := agentv1.NewAgentEnrollmentClient(conn).Register(ctx, &agentv1.RegisterRequest{Token: token, AgentId: agentID, Csr: csr, Hostname: "test-host"})
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := tlsutil.EncodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(resp.GetCertificate(), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert, nil
}

// EnrollAgent enrolls agentID for domains (token and registration) once per
// server and returns its client certificate.
func (s *Server) EnrollAgent(t testing.TB, agentID string, domains ...string) tls.Certificate {
	t.Helper()
	s.mu.Lock()
	cert, ok := s.certs[agentID]
	s.mu.Unlock()
	if ok {
		return cert
	}
	cert, err := s.Register(context.Background(), t, s.CreateAgentToken(t, domains...), agentID)
	if err != nil {
		t.Fatalf("register %s: %v", agentID, err)
	}
	s.mu.Lock()
	s.certs[agentID] = cert
	s.mu.Unlock()
	return cert
}

// Dial opens a gRPC connection to the gateway that verifies the cloud and
// presents cert (none when nil), closed by t.Cleanup.
func (s *Server) Dial(t testing.TB, cert *tls.Certificate) *grpc.ClientConn {
	t.Helper()
	return s.dial(t, cert)
}

func (s *Server) dial(t testing.TB, cert *tls.Certificate) *grpc.ClientConn {
	cfg, err := tlsutil.ClientConfig(s.CAFile, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	conn, err := grpc.NewClient(s.GRPCAddr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Do sends an HTTP request with a bearer token and returns status and body.
func (s *Server) Do(t testing.TB, method, path, token, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// testWriter sends log lines to t.Log until the test is over; goroutines
// that log later are silenced instead of panicking the test binary.
type testWriter struct {
	t      testing.TB
	mu     sync.Mutex
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
