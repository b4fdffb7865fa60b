// Package fakecloud is an in-memory AgentGateway for agent tests: a real
// gRPC server on 127.0.0.1 with TLS from a throwaway CA, that records every
// Hello and Result and lets a test push operations, refuse connections with
// a chosen status, stay silent, or drop streams.
//
//	fc := fakecloud.Start(t)
//	cfg.Addr, cfg.TLS = fc.Addr, fc.ClientTLS(t)
//	fc.Send(&agentv1.CloudMessage{...})
package fakecloud

import (
	"crypto/tls"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// Cloud is the fake. Its exported knobs may be set before or between
// connections.
type Cloud struct {
	agentv1.UnimplementedAgentGatewayServer
	Addr   string
	caFile string

	mu sync.Mutex // guards the fields below
	// Refuse, when set, ends every new stream with this status error.
	Refuse *status.Status
	// Heartbeat is announced in Welcome. Default 1s.
	Heartbeat time.Duration
	// Silent stops pings and answers (to trip the agent's watchdog).
	Silent  bool
	hellos  []*agentv1.Hello
	results []*agentv1.Result
	out     chan *agentv1.CloudMessage
	drop    chan struct{}
	streams int
}

// Start serves a fake cloud until the test ends.
func Start(t *testing.T) *Cloud {
	t.Helper()
	pki, err := tlsutil.EnsureDevPKI(filepath.Join(t.TempDir(), "tls"), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	srvTLS, err := tlsutil.ServerConfig(pki.CertFile, pki.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cloud{Addr: ln.Addr().String(), caFile: pki.CAFile, Heartbeat: time.Second,
		out: make(chan *agentv1.CloudMessage, 64), drop: make(chan struct{}, 1)}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(srvTLS)))
	agentv1.RegisterAgentGatewayServer(srv, c)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return c
}

// CAFile is the fake's CA certificate, for agent configurations.
func (c *Cloud) CAFile() string { return c.caFile }

// ClientTLS trusts the fake's CA.
func (c *Cloud) ClientTLS(t *testing.T) *tls.Config {
	cfg, err := tlsutil.ClientConfig(c.caFile, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Connect implements agentv1.AgentGatewayServer.
func (c *Cloud) Connect(stream agentv1.AgentGateway_ConnectServer) error {
	c.mu.Lock()
	refuse, hb, silent := c.Refuse, c.Heartbeat, c.Silent
	c.streams++
	c.mu.Unlock()
	if refuse != nil {
		return refuse.Err()
	}
	msg, err := stream.Recv()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.hellos = append(c.hellos, msg.GetHello())
	c.mu.Unlock()
	if err := stream.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Welcome{Welcome: &agentv1.Welcome{
		SessionId: "s", HeartbeatInterval: durationpb.New(hb), ProtocolVersion: 1}}}); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		for {
			m, err := stream.Recv()
			if err != nil {
				errc <- err
				return
			}
			if r := m.GetResult(); r != nil {
				c.mu.Lock()
				c.results = append(c.results, r)
				c.mu.Unlock()
			}
		}
	}()
	ping := time.NewTicker(hb)
	defer ping.Stop()
	for {
		select {
		case err := <-errc:
			return err
		case <-c.drop:
			return status.Error(14, "dropped by test")
		case m := <-c.out:
			if err := stream.Send(m); err != nil {
				return err
			}
		case <-ping.C:
			if silent {
				continue
			}
			if err := stream.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Ping{Ping: &agentv1.Ping{Nonce: 1}}}); err != nil {
				return err
			}
		}
	}
}

// Send queues a message for the current (or next) stream.
func (c *Cloud) Send(m *agentv1.CloudMessage) { c.out <- m }

// Drop ends the current stream with UNAVAILABLE.
func (c *Cloud) Drop() { c.drop <- struct{}{} }

// Set changes knobs under the lock.
func (c *Cloud) Set(fn func(c *Cloud)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(c)
}

// Hellos returns the Hello of every stream so far.
func (c *Cloud) Hellos() []*agentv1.Hello {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*agentv1.Hello(nil), c.hellos...)
}

// Results returns every result received.
func (c *Cloud) Results() []*agentv1.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*agentv1.Result(nil), c.results...)
}

// Streams counts Connect calls.
func (c *Cloud) Streams() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams
}
