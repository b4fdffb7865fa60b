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
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/cli"
	"github.com/hrsync/hrsync/cloud/internal/config"
)

// Server is a running in-process cloud.
type Server struct {
	*cli.Server
	// URL is the HTTP API base URL.
	URL string
	// Config is the effective configuration.
	Config config.Config
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
	return &Server{Server: srv, URL: "http://" + srv.HTTPAddr, Config: cfg}
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
