//go:build !linux

package pgtest

import (
	"context"
	"errors"
	"time"
)

var errUnsupported = errors.New("pgtest: starting PostgreSQL is implemented for Linux only")

type process struct {
	exited  chan struct{}
	waitErr error
}

func startProcess(*credential, string, string, string, ...string) (*process, error) {
	return nil, errUnsupported
}

func runOnce(context.Context, *credential, string, string, ...string) ([]byte, error) {
	return nil, errUnsupported
}

func newServerDir(string, *credential) (string, error) { return "", errUnsupported }

func sweepStale(string) {}

func (p *process) pid() int { return 0 }

func (p *process) stop(time.Duration) {}

func (p *process) kill() {}
