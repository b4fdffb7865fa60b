package link

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hrsync/hrsync/shared/backoff"
	"github.com/hrsync/hrsync/shared/rpcerr"
)

// State is the state of the agent's connection.
type State int

const (
	StateIdle State = iota
	StateConnecting
	StateConnected
	StateDraining
	StateClosed
)

func (s State) String() string {
	return [...]string{"idle", "connecting", "connected", "draining", "closed"}[s]
}

// validTransitions lists the allowed moves between states.
var validTransitions = map[State][]State{
	StateIdle:       {StateConnecting, StateClosed},
	StateConnecting: {StateConnected, StateConnecting, StateDraining, StateClosed},
	StateConnected:  {StateConnecting, StateDraining, StateClosed},
	StateDraining:   {StateClosed, StateConnecting, StateConnected},
	StateClosed:     {},
}

// ErrStopped is returned by Run when the supervisor gave up for a reason an
// admin must fix: re-enrolment or an upgrade.
var ErrStopped = errors.New("link stopped")

// Supervisor reconnects sessions with backoff until its context ends.
type Supervisor struct {
	cfg      Config
	draining atomic.Bool

	mu sync.Mutex // guards the fields below
	// state is the current connection state.
	state State
	// lastErr is why the last session ended.
	lastErr error
}

// NewSupervisor validates cfg.
func NewSupervisor(cfg Config) (*Supervisor, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Supervisor{cfg: cfg}, nil
}

// State returns the current state and why the last session ended.
func (s *Supervisor) State() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.lastErr
}

func (s *Supervisor) setState(to State, err error) {
	s.mu.Lock()
	from := s.state
	ok := from == to && to == StateConnecting
	for _, v := range validTransitions[from] {
		ok = ok || v == to
	}
	if !ok {
		s.mu.Unlock()
		s.cfg.Logger.Error("invalid link state transition", "from", from, "to", to)
		return
	}
	s.state, s.lastErr = to, err
	s.mu.Unlock()
	if from != to {
		s.cfg.Logger.Debug("link state changed", "from", from, "to", to)
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer(to, err)
	}
}

// Drain makes the current and later sessions refuse new operations; the
// caller then waits for the worker and cancels Run's context.
func (s *Supervisor) Drain() {
	s.draining.Store(true)
	s.setState(StateDraining, nil)
}

// Run loops over sessions until ctx ends (nil) or the cloud requires an
// admin action (an error wrapping ErrStopped).
func (s *Supervisor) Run(ctx context.Context) error {
	b := backoff.New(backoff.Config{Min: s.cfg.MinBackoff, Max: s.cfg.MaxBackoff})
	defer s.setState(StateClosed, nil)
	for {
		s.setState(StateConnecting, nil)
		sess := &Session{cfg: &s.cfg, draining: &s.draining, setState: s.setState}
		started := s.cfg.Clock.Now()
		err := sess.Run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch rpcerr.Classify(err) {
		case rpcerr.Reenroll:
			s.cfg.Logger.Error("cloud refused the agent's identity; re-enrol the agent", "error", err)
			return fmt.Errorf("%w: re-enrolment needed: %w", ErrStopped, err)
		case rpcerr.Upgrade:
			s.cfg.Logger.Error("cloud requires a newer agent; upgrade the agent", "error", err)
			return fmt.Errorf("%w: upgrade needed: %w", ErrStopped, err)
		}
		// A session that was up for a while resets the curve.
		if sess.connected && s.cfg.Clock.Since(started) > time.Minute {
			b.Reset()
		}
		delay := b.Next()
		s.cfg.Logger.Warn("stream ended; reconnecting", "error", err, "delay", delay.Round(time.Millisecond), "failures", b.Failures())
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil
		case <-s.cfg.Clock.After(delay):
		}
	}
}
