// Package winsvc runs the agent as an operating-system service through
// kardianos/service: the Service Control Manager on Windows, systemd on
// Linux. Start launches the agent in a goroutine and returns at once; Stop
// cancels it and waits, bounded, for in-flight operations to drain. Nothing
// here calls os.Exit.
package winsvc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kardianos/service"
)

// Name is the service name.
const Name = "hrsync-agent"

// Program adapts a Run function to service.Interface.
type Program struct {
	// Run is the agent; it returns when ctx ends.
	Run func(ctx context.Context) error
	// StopTimeout bounds the wait in Stop. Default 45s.
	StopTimeout time.Duration

	mu     sync.Mutex // guards the fields below
	cancel context.CancelFunc
	done   chan error
}

// Start implements service.Interface.
func (p *Program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.mu.Lock()
	p.cancel, p.done = cancel, make(chan error, 1)
	done := p.done
	p.mu.Unlock()
	go func() { done <- p.Run(ctx) }()
	return nil
}

// Stop implements service.Interface.
func (p *Program) Stop(service.Service) error {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.cancel, p.done = nil, nil
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	timeout := p.StopTimeout
	if timeout <= 0 {
		timeout = 45 * time.Second
	}
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("agent did not stop within %s", timeout)
	}
}

// Config describes the installed service.
func Config(configFile string) *service.Config {
	return &service.Config{
		Name:        Name,
		DisplayName: "hrsync agent",
		Description: "Writes HR-driven account changes from hrsync-cloud into Active Directory. Dials out only.",
		Arguments:   []string{"run", "--config", configFile},
		Option: service.KeyValue{
			"Restart":                "on-failure",
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "5s",
		},
	}
}

// Control runs an install/uninstall/start/stop action.
func Control(s service.Service, action string) error {
	if err := service.Control(s, action); err != nil {
		return fmt.Errorf("%s %s with the %s service manager: %w", action, Name, s.Platform(), err)
	}
	return nil
}

// Status returns a readable status of the installed service.
func Status(s service.Service) (string, error) {
	st, err := s.Status()
	if errors.Is(err, service.ErrNotInstalled) {
		return "not installed", nil
	}
	if err != nil {
		return "", fmt.Errorf("status of %s from the %s service manager: %w", Name, s.Platform(), err)
	}
	switch st {
	case service.StatusRunning:
		return "running", nil
	case service.StatusStopped:
		return "stopped", nil
	}
	return "unknown", nil
}
