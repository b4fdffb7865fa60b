// Package gateway serves AgentGateway.Connect, the stream every agent
// dials out to open. It authenticates the agent, checks its protocol
// version, completes the Hello/Welcome handshake, keeps a registry of live
// sessions keyed by agent ID, pings each agent at the interval it announced
// in Welcome and closes sessions that go quiet. What flows over a session is
// the business of a Handler (the dispatcher).
package gateway

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/rpcerr"
	"github.com/hrsync/hrsync/shared/version"
)

// Handler receives what happens on sessions.
type Handler interface {
	SessionUp(s *Session, hello *agentv1.Hello)
	SessionDown(s *Session)
	Result(s *Session, res *agentv1.Result)
}

// Config configures the gateway.
type Config struct {
	// AgentToken is the shared secret agents present until enrollment
	// certificates replace it. Required.
	AgentToken string
	Handler    Handler
	// Heartbeat is the interval announced to agents. Default 15s.
	Heartbeat time.Duration
	// HandshakeTimeout bounds the wait for Hello. Default 15s.
	HandshakeTimeout time.Duration
	Clock            clockwork.Clock
	Logger           *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.AgentToken == "" {
		return errors.New("gateway config: AgentToken is required")
	}
	if c.Handler == nil {
		return errors.New("gateway config: Handler is required")
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 15 * time.Second
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Server implements agentv1.AgentGatewayServer.
type Server struct {
	agentv1.UnimplementedAgentGatewayServer
	cfg Config

	mu sync.Mutex // guards the fields below
	// sessions holds the live session of each agent.
	sessions map[string]*Session
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, sessions: map[string]*Session{}}, nil
}

// Sessions returns the live sessions.
func (s *Server) Sessions() []*Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		out = append(out, sess)
	}
	return out
}

// Connect implements agentv1.AgentGatewayServer.
func (s *Server) Connect(stream agentv1.AgentGateway_ConnectServer) error {
	return rpcerr.ToStatus(s.connect(stream))
}

func (s *Server) connect(stream agentv1.AgentGateway_ConnectServer) error {
	ctx := stream.Context()
	if err := s.authenticate(ctx); err != nil {
		return err
	}
	hello, err := s.awaitHello(ctx, stream)
	if err != nil {
		return err
	}
	if hello.GetAgentId() == "" {
		return fmt.Errorf("hello without agent_id: %w", rpcerr.ErrProtocol)
	}
	if hello.GetProtocolVersion() < version.MinProtocol {
		return fmt.Errorf("agent %s speaks protocol %d, this cloud needs at least %d: %w",
			hello.GetAgentId(), hello.GetProtocolVersion(), version.MinProtocol, rpcerr.ErrUpgradeRequired)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sess := &Session{
		id:       newID(),
		agentID:  hello.GetAgentId(),
		hostname: hello.GetHostname(),
		version:  hello.GetVersion(),
		domains:  lower(hello.GetDomains()),
		since:    s.cfg.Clock.Now(),
		out:      make(chan *agentv1.CloudMessage, 256),
		cancel:   cancel,
		closed:   make(chan struct{}),
	}
	log := s.cfg.Logger.With("agent_id", sess.agentID, "session_id", sess.id)

	welcome := &agentv1.Welcome{
		SessionId:         sess.id,
		HeartbeatInterval: durationpb.New(s.cfg.Heartbeat),
		ProtocolVersion:   version.Protocol,
		CloudVersion:      version.Version,
	}
	if err := stream.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Welcome{Welcome: welcome}}); err != nil {
		return fmt.Errorf("send welcome: %w", err)
	}
	s.register(sess, log)
	defer s.unregister(sess, log)
	log.Info("agent connected", "hostname", sess.hostname, "version", sess.version, "domains", sess.domains,
		"in_flight", len(hello.GetInFlightOpIds()), "last_acked_seq", hello.GetLastAckedSeq())
	s.cfg.Handler.SessionUp(sess, hello)

	recvErr := make(chan error, 1)
	var lastRecv = newStamp(s.cfg.Clock.Now())
	go func() {
		for {
			msg, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			lastRecv.set(s.cfg.Clock.Now())
			switch m := msg.GetMsg().(type) {
			case *agentv1.AgentMessage_Result:
				s.cfg.Handler.Result(sess, m.Result)
			case *agentv1.AgentMessage_Pong:
			default:
				recvErr <- fmt.Errorf("unexpected %T after hello: %w", m, rpcerr.ErrProtocol)
				return
			}
		}
	}()

	ping := s.cfg.Clock.NewTicker(s.cfg.Heartbeat)
	defer ping.Stop()
	var nonce uint64
	for {
		select {
		case <-ctx.Done():
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return nil
		case err := <-recvErr:
			if isEOF(err) {
				log.Info("agent closed the stream")
				return nil
			}
			return err
		case msg := <-sess.out:
			if err := stream.Send(msg); err != nil {
				return fmt.Errorf("send: %w", err)
			}
		case <-ping.Chan():
			if quiet := s.cfg.Clock.Since(lastRecv.get()); quiet > 3*s.cfg.Heartbeat {
				log.Warn("agent went quiet; closing session", "quiet", quiet.Round(time.Millisecond))
				return fmt.Errorf("agent %s quiet for %s: %w", sess.agentID, quiet.Round(time.Millisecond), rpcerr.ErrUnavailable)
			}
			nonce++
			if err := stream.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Ping{Ping: &agentv1.Ping{
				Nonce: nonce, SentAt: timestamppb.New(s.cfg.Clock.Now())}}}); err != nil {
				return fmt.Errorf("send ping: %w", err)
			}
		}
	}
}

func (s *Server) authenticate(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		token, ok := strings.CutPrefix(v, "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AgentToken)) == 1 {
			return nil
		}
	}
	return fmt.Errorf("missing or wrong agent token: %w", rpcerr.ErrUnauthenticated)
}

func (s *Server) awaitHello(ctx context.Context, stream agentv1.AgentGateway_ConnectServer) (*agentv1.Hello, error) {
	type recv struct {
		msg *agentv1.AgentMessage
		err error
	}
	ch := make(chan recv, 1)
	go func() {
		m, err := stream.Recv()
		ch <- recv{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("await hello: %w", r.err)
		}
		h := r.msg.GetHello()
		if h == nil {
			return nil, fmt.Errorf("first message must be Hello, got %T: %w", r.msg.GetMsg(), rpcerr.ErrProtocol)
		}
		return h, nil
	case <-s.cfg.Clock.After(s.cfg.HandshakeTimeout):
		return nil, fmt.Errorf("no Hello within %s: %w", s.cfg.HandshakeTimeout, rpcerr.ErrProtocol)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Server) register(sess *Session, log *slog.Logger) {
	s.mu.Lock()
	old := s.sessions[sess.agentID]
	s.sessions[sess.agentID] = sess
	s.mu.Unlock()
	if old != nil {
		log.Warn("agent reconnected while an older session was open; closing the older one", "old_session_id", old.id)
		old.cancel(fmt.Errorf("replaced by session %s: %w", sess.id, rpcerr.ErrUnavailable))
	}
}

func (s *Server) unregister(sess *Session, log *slog.Logger) {
	s.mu.Lock()
	if s.sessions[sess.agentID] == sess {
		delete(s.sessions, sess.agentID)
	}
	s.mu.Unlock()
	sess.closeOnce.Do(func() { close(sess.closed) })
	log.Info("agent disconnected")
	s.cfg.Handler.SessionDown(sess)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(strings.TrimSuffix(s, "."))
	}
	return out
}
