package link

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
	"github.com/hrsync/hrsync/shared/version"
)

// Worker is what a session hands operations to.
type Worker interface {
	Submit(op *agentv1.Operation)
	Cancel(opID string) bool
	InFlight() []string
	Results() <-chan *agentv1.Result
	// Reply queues a result for an operation that was not started.
	Reply(res *agentv1.Result)
}

// SeqStore remembers the highest delivered sequence.
type SeqStore interface {
	LastAckedSeq() uint64
	SetLastAckedSeq(seq uint64) error
}

// Config configures sessions and the supervisor.
type Config struct {
	// Addr is the cloud's gRPC address, host:port.
	Addr string
	// TLS verifies the cloud and presents the agent's enrolled client
	// certificate (GetClientCertificate, so a renewed one is used on the
	// next connection). Required: the stream never runs in clear text.
	TLS     *tls.Config
	AgentID string
	// InstanceID tells this process's sessions apart from a cloned host's
	// with the same identity; random by default.
	InstanceID string
	Hostname   string
	Domains    []string

	Worker   Worker
	Seq      SeqStore
	Clock    clockwork.Clock
	Logger   *slog.Logger
	Observer func(State, error)

	// Dialer, when set, opens the connection to Addr (through a proxy, for
	// instance); it receives Addr unresolved. By default gRPC dials
	// directly and never looks at HTTPS_PROXY: the agent's configuration
	// decides (see package proxy).
	Dialer func(ctx context.Context, addr string) (net.Conn, error)
	// DialOptions are appended to the defaults.
	DialOptions []grpc.DialOption
	// HandshakeTimeout bounds Hello→Welcome. Default 15s.
	HandshakeTimeout time.Duration
	// MinBackoff and MaxBackoff bound reconnect delays. Defaults 500ms, 30s.
	MinBackoff, MaxBackoff time.Duration
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	switch {
	case c.Addr == "":
		return errors.New("link config: Addr is required")
	case c.TLS == nil:
		return errors.New("link config: TLS is required")
	case c.AgentID == "":
		return errors.New("link config: AgentID is required")
	case c.Worker == nil:
		return errors.New("link config: Worker is required")
	case c.Seq == nil:
		return errors.New("link config: Seq is required")
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Hostname == "" {
		c.Hostname, _ = os.Hostname()
	}
	if c.InstanceID == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		c.InstanceID = hex.EncodeToString(b)
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 15 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	return nil
}

// errWatchdog ends a session whose cloud went quiet.
var errWatchdog = errors.New("no message from the cloud within three heartbeat intervals")

// Session is one connection to the cloud.
type Session struct {
	cfg *Config
	// draining, when set, makes the session refuse new operations.
	draining *atomic.Bool
	// connected is set once the handshake completed.
	connected bool
	setState  func(State, error)
}

// Run dials, handshakes and streams until the connection ends or ctx is done.
func (s *Session) Run(ctx context.Context) error {
	cfg := s.cfg
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(credentials.NewTLS(cfg.TLS)),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
		grpc.WithNoProxy(),
	}
	target := cfg.Addr
	if cfg.Dialer != nil {
		// passthrough hands the host name to the dialer, so a proxy
		// resolves the cloud's name, not the agent.
		target = "passthrough:///" + cfg.Addr
		opts = append(opts, grpc.WithContextDialer(cfg.Dialer))
	}
	conn, err := grpc.NewClient(target, append(opts, cfg.DialOptions...)...)
	if err != nil {
		return fmt.Errorf("dial %s: %w", cfg.Addr, err)
	}
	defer conn.Close()

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := agentv1.NewAgentGatewayClient(conn).Connect(sctx)
	if err != nil {
		return fmt.Errorf("open stream: %w", err)
	}
	hello := &agentv1.Hello{
		AgentId:         cfg.AgentID,
		Version:         version.Version,
		ProtocolVersion: version.Protocol,
		Capabilities:    []string{"ldap.users.v1"},
		Domains:         cfg.Domains,
		LastAckedSeq:    cfg.Seq.LastAckedSeq(),
		InFlightOpIds:   cfg.Worker.InFlight(),
		Hostname:        cfg.Hostname,
		InstanceId:      cfg.InstanceID,
	}
	if err := stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Hello{Hello: hello}}); err != nil {
		return fmt.Errorf("send hello: %w", err)
	}
	welcome, err := s.awaitWelcome(sctx, stream)
	if err != nil {
		return err
	}
	hb := welcome.GetHeartbeatInterval().AsDuration()
	if hb <= 0 {
		hb = 15 * time.Second
	}
	s.connected = true
	s.setState(StateConnected, nil)
	cfg.Logger.Info("connected to cloud", "session_id", welcome.GetSessionId(), "heartbeat", hb, "cloud_version", welcome.GetCloudVersion())

	var lastRecv atomic.Int64
	lastRecv.Store(cfg.Clock.Now().UnixNano())
	pongs := make(chan *agentv1.Pong, 8)
	recvErr := make(chan error, 1)
	go func() {
		recvErr <- s.recvLoop(stream, &lastRecv, pongs)
	}()

	watchdog := cfg.Clock.NewTicker(hb / 2)
	defer watchdog.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = stream.CloseSend()
			return ctx.Err()
		case err := <-recvErr:
			return err
		case p := <-pongs:
			if err := stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Pong{Pong: p}}); err != nil {
				return fmt.Errorf("send pong: %w", err)
			}
		case res := <-cfg.Worker.Results():
			if err := stream.Send(&agentv1.AgentMessage{Msg: &agentv1.AgentMessage_Result{Result: res}}); err != nil {
				// The cloud dispatches the operation again; the journal
				// answers it without a second write.
				return fmt.Errorf("send result: %w", err)
			}
			if !res.GetMore() {
				if err := cfg.Seq.SetLastAckedSeq(res.GetSeq()); err != nil {
					cfg.Logger.Warn("cannot record delivered sequence", "error", err)
				}
			}
		case <-watchdog.Chan():
			quiet := cfg.Clock.Since(time.Unix(0, lastRecv.Load()))
			if quiet > 3*hb {
				return fmt.Errorf("%w (quiet for %s)", errWatchdog, quiet.Round(time.Millisecond))
			}
		}
	}
}

func (s *Session) awaitWelcome(ctx context.Context, stream agentv1.AgentGateway_ConnectClient) (*agentv1.Welcome, error) {
	type recv struct {
		msg *agentv1.CloudMessage
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
			return nil, fmt.Errorf("handshake: %w", r.err)
		}
		w := r.msg.GetWelcome()
		if w == nil {
			return nil, fmt.Errorf("handshake: expected Welcome, got %T", r.msg.GetMsg())
		}
		return w, nil
	case <-s.cfg.Clock.After(s.cfg.HandshakeTimeout):
		return nil, fmt.Errorf("handshake: no Welcome within %s", s.cfg.HandshakeTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Session) recvLoop(stream agentv1.AgentGateway_ConnectClient, lastRecv *atomic.Int64, pongs chan<- *agentv1.Pong) error {
	log := s.cfg.Logger
	for {
		msg, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		lastRecv.Store(s.cfg.Clock.Now().UnixNano())
		switch m := msg.GetMsg().(type) {
		case *agentv1.CloudMessage_Operation:
			op := m.Operation
			if s.draining.Load() {
				log.Info("refusing operation while draining", "op_id", op.GetOpId(), "attempt", op.GetAttempt())
				s.refuse(op)
				continue
			}
			log.Debug("operation received", "op_id", op.GetOpId(), "attempt", op.GetAttempt(), "seq", op.GetSeq())
			s.cfg.Worker.Submit(op)
		case *agentv1.CloudMessage_Ping:
			select {
			case pongs <- &agentv1.Pong{Nonce: m.Ping.GetNonce()}:
			default: // the sender is busy; the next ping gets its pong
			}
		case *agentv1.CloudMessage_Cancel:
			found := s.cfg.Worker.Cancel(m.Cancel.GetOpId())
			log.Info("operation cancelled by cloud", "op_id", m.Cancel.GetOpId(), "running", found, "reason", m.Cancel.GetReason())
		default:
			log.Warn("unknown message from cloud ignored", "type", fmt.Sprintf("%T", m))
		}
	}
}

// refuse answers an operation with a retryable error so the cloud
// dispatches it elsewhere or later.
func (s *Session) refuse(op *agentv1.Operation) {
	s.cfg.Worker.Reply(&agentv1.Result{
		OpId: op.GetOpId(), Attempt: op.GetAttempt(), Seq: op.GetSeq(), LeaseGeneration: op.GetLeaseGeneration(),
		Error: direrr.ToProto(direrr.New(agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "agent is shutting down")),
	})
}
