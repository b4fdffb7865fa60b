// Package gateway serves AgentGateway.Connect, the stream every agent
// dials out to open. It authenticates the agent by the client certificate
// the TLS layer verified (the identity, and the domains the agent may
// serve, come from its enrollment; see package enroll), checks its protocol
// version, completes the Hello/Welcome handshake, keeps a registry of live
// sessions keyed by agent ID, pings each agent at the interval it announced
// in Welcome and closes sessions that go quiet. A second live session with
// the same identity from another agent process is a cloned host: it is
// refused and reported. Disconnect closes an agent's session at once (after
// a revocation). What flows over a session is the business of a Handler
// (the dispatcher).
package gateway

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hrsync/hrsync/cloud/internal/enroll"
	"github.com/hrsync/hrsync/cloud/internal/store"
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

// Authenticator checks the verified client certificate of a connecting
// agent (enroll.Service).
type Authenticator interface {
	Authenticate(ctx context.Context, cert *x509.Certificate, remote string) (enroll.Identity, error)
	// ReportClone records a second host with agentID's identity and
	// returns the error to refuse it with.
	ReportClone(ctx context.Context, agentID, remote, reason string) error
	// Recheck tells whether an authenticated agent may keep its session:
	// an error wrapping enroll.ErrRevoked or enroll.ErrNotEnrolled closes
	// it; any other error is the store failing and leaves it open.
	Recheck(ctx context.Context, agentID string) error
}

// Config configures the gateway.
type Config struct {
	// Identities authenticates agents. Required.
	Identities Authenticator
	Handler    Handler
	// Heartbeat is the interval announced to agents. Default 15s.
	Heartbeat time.Duration
	// HandshakeTimeout bounds the wait for Hello. Default 15s.
	HandshakeTimeout time.Duration
	// Events, when set, tells the gateway of agents revoked through
	// another replica, so it closes their sessions at once (Run). Each
	// session also rechecks its agent at every heartbeat, which bounds the
	// delay when an event is lost.
	Events store.Events
	// Leases, when set (replicas sharing a database), records which agent
	// process holds each agent's session in a lease renewed at every
	// heartbeat, so a second process with the same identity is refused
	// as a clone on whichever replica it connects to.
	Leases store.Leases
	Clock  clockwork.Clock
	Logger *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Identities == nil {
		return errors.New("gateway config: Identities is required")
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

// Run closes the sessions of agents revoked anywhere, as the store
// reports them, until ctx ends. Without Config.Events it returns at once;
// the heartbeat recheck still applies.
func (s *Server) Run(ctx context.Context) {
	if s.cfg.Events == nil {
		return
	}
	events, err := s.cfg.Events.Subscribe(ctx)
	if err != nil {
		s.cfg.Logger.Error("cannot subscribe to store events; revocations made on other replicas take effect at the next heartbeat", "error", err)
		return
	}
	for ev := range events {
		if ev.Kind != store.EventAgentRevoked {
			continue
		}
		if s.Disconnect(ev.Key, enroll.RevokedError(ev.Key)) {
			s.cfg.Logger.Warn("revoked agent's session closed", "agent_id", ev.Key)
		}
	}
}

// Connect implements agentv1.AgentGatewayServer.
func (s *Server) Connect(stream agentv1.AgentGateway_ConnectServer) error {
	return rpcerr.ToStatus(s.connect(stream))
}

func (s *Server) connect(stream agentv1.AgentGateway_ConnectServer) error {
	ctx := stream.Context()
	cert, remote := enroll.PeerCertificate(ctx)
	if cert == nil {
		return fmt.Errorf("no client certificate: enroll the agent with hrsync-agent register: %w", rpcerr.ErrUnauthenticated)
	}
	ident, err := s.cfg.Identities.Authenticate(ctx, cert, remote)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "agent refused", "agent_id", cert.Subject.CommonName, "remote", remote, "error", err)
		return err
	}
	hello, err := s.awaitHello(ctx, stream)
	if err != nil {
		return err
	}
	if id := hello.GetAgentId(); id != "" && id != ident.AgentID {
		return fmt.Errorf("hello names agent %q but the certificate is agent %q: %w", id, ident.AgentID, rpcerr.ErrPermissionDenied)
	}
	if hello.GetProtocolVersion() < version.MinProtocol {
		return fmt.Errorf("agent %s speaks protocol %d, this cloud needs at least %d: %w",
			ident.AgentID, hello.GetProtocolVersion(), version.MinProtocol, rpcerr.ErrUpgradeRequired)
	}
	domains := lower(hello.GetDomains())
	for _, d := range domains {
		if !ident.Allows(d) {
			s.cfg.Logger.WarnContext(ctx, "agent refused: domain not in its enrollment", "agent_id", ident.AgentID, "domain", d, "allowed", ident.Domains)
			return fmt.Errorf("%w: agent %s offers %s but its enrollment allows only %s; enroll it for that domain: %w",
				enroll.ErrDomain, ident.AgentID, d, strings.Join(ident.Domains, ", "), rpcerr.ErrPermissionDenied)
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	now := s.cfg.Clock.Now()
	sess := &Session{
		id:         newID(),
		agentID:    ident.AgentID,
		instanceID: hello.GetInstanceId(),
		protocol:   hello.GetProtocolVersion(),
		serial:     ident.Serial,
		remote:     remote,
		hostname:   hello.GetHostname(),
		version:    hello.GetVersion(),
		domains:    domains,
		since:      now,
		lastRecv:   newStamp(now),
		out:        make(chan *agentv1.CloudMessage, 256),
		cancel:     cancel,
		closed:     make(chan struct{}),
	}
	log := s.cfg.Logger.With("agent_id", sess.agentID, "session_id", sess.id)
	if err := s.register(ctx, sess, log); err != nil {
		return err
	}
	defer s.unregister(sess, log)

	welcome := &agentv1.Welcome{
		SessionId:         sess.id,
		HeartbeatInterval: durationpb.New(s.cfg.Heartbeat),
		ProtocolVersion:   version.Protocol,
		CloudVersion:      version.Version,
	}
	if err := stream.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Welcome{Welcome: welcome}}); err != nil {
		return fmt.Errorf("send welcome: %w", err)
	}
	log.Info("agent connected", "remote", remote, "serial", sess.serial, "hostname", sess.hostname, "version", sess.version, "domains", sess.domains,
		"in_flight", len(hello.GetInFlightOpIds()), "last_acked_seq", hello.GetLastAckedSeq())
	s.cfg.Handler.SessionUp(sess, hello)

	recvErr := make(chan error, 1)
	lastRecv := sess.lastRecv
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
			if err := s.keep(ctx, sess, log); err != nil {
				return err
			}
			nonce++
			if err := stream.Send(&agentv1.CloudMessage{Msg: &agentv1.CloudMessage_Ping{Ping: &agentv1.Ping{
				Nonce: nonce, SentAt: timestamppb.New(s.cfg.Clock.Now())}}}); err != nil {
				return fmt.Errorf("send ping: %w", err)
			}
		}
	}
}

// presenceLease names the lease that records which process holds an
// agent's session (Config.Leases).
func presenceLease(agentID string) string { return "agent-session/" + agentID }

// claim takes, or at a heartbeat renews, the agent's presence lease for
// this session's process until two heartbeats from now: a live session
// holds it without a gap. Another process holding it is a clone (an error
// wrapping enroll.ErrCloneSuspected); a store that cannot answer is
// rpcerr.ErrUnavailable.
func (s *Server) claim(ctx context.Context, sess *Session) error {
	if s.cfg.Leases == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, recheckTimeout)
	defer cancel()
	err := s.cfg.Leases.AcquireLease(ctx, presenceLease(sess.agentID), sess.instanceID, s.cfg.Clock.Now(), 2*s.cfg.Heartbeat)
	if errors.Is(err, store.ErrConflict) {
		reason := fmt.Sprintf("a session from %s while another process's session is live (on this or another replica)", sess.remote)
		return s.cfg.Identities.ReportClone(ctx, sess.agentID, sess.remote, reason)
	}
	if err != nil {
		return fmt.Errorf("record agent %s's session: %w: %w", sess.agentID, err, rpcerr.ErrUnavailable)
	}
	return nil
}

// release gives up the presence lease of a session that ended, so the
// agent's next process may connect at once. (If the same process already
// holds a session on another replica, that replica takes the lease back
// at its next heartbeat.)
func (s *Server) release(sess *Session, log *slog.Logger) {
	if s.cfg.Leases == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), recheckTimeout)
	defer cancel()
	if err := s.cfg.Leases.ReleaseLease(ctx, presenceLease(sess.agentID), sess.instanceID); err != nil {
		log.Warn("cannot release the agent's session lease; it expires by itself", "error", err)
	}
}

// keep runs at every heartbeat of a session: it returns the error to close
// the session with when its agent was revoked since it connected or
// another process took the agent's identity, and renews the presence
// lease while the agent is heard from (a session quiet for 1.5 heartbeats
// no longer counts as live, as in register, so its lease lapses).
func (s *Server) keep(ctx context.Context, sess *Session, log *slog.Logger) error {
	if err := s.recheck(ctx, sess.agentID, log); err != nil {
		return err
	}
	if s.cfg.Clock.Since(sess.lastRecv.get()) > s.cfg.Heartbeat*3/2 {
		return nil
	}
	err := s.claim(ctx, sess)
	if errors.Is(err, enroll.ErrCloneSuspected) {
		log.Error("another process took this agent's identity; closing session", "error", err)
		return err
	}
	if err != nil {
		log.Warn("cannot renew the agent's session lease; keeping the session", "error", err)
	}
	return nil
}

// recheckTimeout bounds the store read of a heartbeat's recheck.
const recheckTimeout = 5 * time.Second

// recheck returns the error to close a session with when its agent was
// revoked (or unenrolled) since it connected. A store that cannot answer
// does not close sessions: the agent keeps working and the next heartbeat
// asks again.
func (s *Server) recheck(ctx context.Context, agentID string, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, recheckTimeout)
	defer cancel()
	err := s.cfg.Identities.Recheck(ctx, agentID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, enroll.ErrRevoked), errors.Is(err, enroll.ErrNotEnrolled):
		log.Warn("agent no longer authorised; closing session", "error", err)
		return err
	default:
		log.Warn("cannot recheck the agent's enrollment; keeping the session", "error", err)
		return nil
	}
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
	// A timer stopped on return: one left running would outlive every
	// handshake by HandshakeTimeout.
	timeout := s.cfg.Clock.NewTimer(s.cfg.HandshakeTimeout)
	defer timeout.Stop()
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
	case <-timeout.Chan():
		return nil, fmt.Errorf("no Hello within %s: %w", s.cfg.HandshakeTimeout, rpcerr.ErrProtocol)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// register makes sess the agent's live session. The same agent process
// reconnecting replaces its older session (a half-open stream); another
// process with the same identity while the older session is alive is a
// cloned host and is refused, on this replica by the sessions it holds and
// on any replica by the presence lease (claim).
func (s *Server) register(ctx context.Context, sess *Session, log *slog.Logger) error {
	if err := s.claim(ctx, sess); err != nil {
		return err
	}
	s.mu.Lock()
	old := s.sessions[sess.agentID]
	if old != nil && old.instanceID != sess.instanceID && s.cfg.Clock.Since(old.lastRecv.get()) < s.cfg.Heartbeat*3/2 {
		s.mu.Unlock()
		s.release(sess, log)
		reason := fmt.Sprintf("a second session from %s while session %s from %s is live", sess.remote, old.id, old.remote)
		return s.cfg.Identities.ReportClone(ctx, sess.agentID, sess.remote, reason)
	}
	s.sessions[sess.agentID] = sess
	s.mu.Unlock()
	if old != nil {
		log.Warn("agent reconnected while an older session was open; closing the older one", "old_session_id", old.id)
		old.cancel(fmt.Errorf("replaced by session %s: %w", sess.id, rpcerr.ErrUnavailable))
	}
	return nil
}

// Disconnect closes agentID's live session at once with cause (a revoked
// agent's). It reports whether there was one.
func (s *Server) Disconnect(agentID string, cause error) bool {
	s.mu.Lock()
	sess := s.sessions[agentID]
	s.mu.Unlock()
	if sess == nil {
		return false
	}
	sess.cancel(cause)
	return true
}

func (s *Server) unregister(sess *Session, log *slog.Logger) {
	s.mu.Lock()
	if s.sessions[sess.agentID] == sess {
		delete(s.sessions, sess.agentID)
	}
	s.mu.Unlock()
	sess.closeOnce.Do(func() { close(sess.closed) })
	s.release(sess, log)
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
