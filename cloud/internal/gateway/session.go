package gateway

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Session is one live agent stream.
type Session struct {
	id       string
	agentID  string
	hostname string
	version  string
	domains  []string
	since    time.Time
	out      chan *agentv1.CloudMessage
	cancel   context.CancelCauseFunc
	// instanceID is random per agent process (Hello.instance_id).
	instanceID string
	// protocol is the stream protocol the agent speaks (Hello).
	protocol uint32
	// serial of the client certificate the session authenticated with.
	serial string
	// remote is the agent's address.
	remote string
	// lastRecv is when the agent last sent anything.
	lastRecv *stamp

	closeOnce sync.Once
	closed    chan struct{}
}

// ID is the session's identifier, new on every connect.
func (s *Session) ID() string { return s.id }

// AgentID identifies the agent.
func (s *Session) AgentID() string { return s.agentID }

// Hostname is what the agent reported.
func (s *Session) Hostname() string { return s.hostname }

// Version is the agent's build version.
func (s *Session) Version() string { return s.version }

// Protocol returns the stream protocol version the agent speaks.
func (s *Session) Protocol() uint32 { return s.protocol }

// Domains are the domains the agent serves, lower case.
func (s *Session) Domains() []string { return s.domains }

// Remote is the agent's network address.
func (s *Session) Remote() string { return s.remote }

// Serial is the serial number (hex) of the agent's client certificate.
func (s *Session) Serial() string { return s.serial }

// Since is when the session was accepted.
func (s *Session) Since() time.Time { return s.since }

// Serves reports whether the agent serves domain.
func (s *Session) Serves(domain string) bool {
	return slices.Contains(s.domains, strings.ToLower(strings.TrimSuffix(domain, ".")))
}

// Send queues msg for the agent. It returns false when the session is
// closed or its queue is full; the caller treats the message as not sent.
func (s *Session) Send(msg *agentv1.CloudMessage) bool {
	select {
	case <-s.closed:
		return false
	default:
	}
	select {
	case s.out <- msg:
		return true
	default:
		return false
	}
}

type stamp struct {
	mu sync.Mutex
	t  time.Time
}

func newStamp(t time.Time) *stamp { return &stamp{t: t} }

func (s *stamp) set(t time.Time) {
	s.mu.Lock()
	s.t = t
	s.mu.Unlock()
}

func (s *stamp) get() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || status.Code(err) == codes.Canceled
}
