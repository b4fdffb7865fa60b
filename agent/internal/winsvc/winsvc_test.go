package winsvc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestProgramStartStop(t *testing.T) {
	started := make(chan struct{})
	p := &Program{Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return nil
	}}
	require.NoError(t, p.Start(nil))
	<-started
	require.NoError(t, p.Stop(nil))
	require.NoError(t, p.Stop(nil), "stop is idempotent")
}

func TestProgramStopBounded(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	p := &Program{StopTimeout: 50 * time.Millisecond, Run: func(ctx context.Context) error {
		<-block
		return nil
	}}
	require.NoError(t, p.Start(nil))
	require.Error(t, p.Stop(nil), "a run that ignores cancellation is reported, not waited on forever")
}

func TestProgramRunErrorSurfaces(t *testing.T) {
	p := &Program{Run: func(ctx context.Context) error {
		<-ctx.Done()
		return errors.New("drain failed")
	}}
	require.NoError(t, p.Start(nil))
	require.EqualError(t, p.Stop(nil), "drain failed")
}

func TestConfigRunsForeground(t *testing.T) {
	c := Config("/etc/hrsync/agent.yaml")
	require.Equal(t, []string{"run", "--config", "/etc/hrsync/agent.yaml"}, c.Arguments)
	require.Equal(t, Name, c.Name)
}

type fakeEvents struct{ warnings, errors []string }

func (f *fakeEvents) Warning(v ...any) error {
	f.warnings = append(f.warnings, fmt.Sprint(v...))
	return nil
}
func (f *fakeEvents) Error(v ...any) error { f.errors = append(f.errors, fmt.Sprint(v...)); return nil }

func TestEventLogHandlerTakesWarningsAndErrors(t *testing.T) {
	ev := &fakeEvents{}
	log := slog.New(NewEventLogHandler(ev)).With("agent_id", "a1")
	log.Debug("noise")
	log.Info("agent started")
	log.Warn("stream ended; reconnecting", "error", "proxy unreachable")
	log.Error("user add failed", "dn", "CN=Søren Kjær,OU=Staff,DC=corp")
	require.Equal(t, []string{`level=WARN msg="stream ended; reconnecting" agent_id=a1 error="proxy unreachable"`}, ev.warnings)
	require.Equal(t, []string{`level=ERROR msg="user add failed" agent_id=a1 dn="CN=(redacted),OU=Staff,DC=corp"`}, ev.errors)
}
