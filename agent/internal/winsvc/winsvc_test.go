package winsvc

import (
	"context"
	"errors"
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
