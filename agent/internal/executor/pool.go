package executor

import (
	"context"
	"sync"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// pool keeps bound connections to one domain for reuse: a TLS handshake
// and a bind per operation would cost more than the operation itself.
type pool struct {
	dial func(ctx context.Context) (ldapx.Conn, error)
	max  int

	mu sync.Mutex // guards idle
	// idle holds connections ready for the next operation, newest last.
	idle []ldapx.Conn
}

// get returns an idle connection, or dials a new one.
func (p *pool) get(ctx context.Context) (ldapx.Conn, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	return p.dial(ctx)
}

// put returns a connection after an operation. A connection whose operation
// failed on the network, timed out or was cancelled may be dead (ldapx
// closes it under such a call) and is closed instead; so is one beyond the
// pool's size.
func (p *pool) put(c ldapx.Conn, err error) {
	switch direrr.CodeOf(err) {
	case agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, agentv1.ErrorCode_ERROR_CODE_TIMEOUT,
		agentv1.ErrorCode_ERROR_CODE_CANCELLED, agentv1.ErrorCode_ERROR_CODE_BUSY, agentv1.ErrorCode_ERROR_CODE_INTERNAL:
		if err != nil {
			_ = c.Close()
			return
		}
	}
	p.mu.Lock()
	if len(p.idle) < p.max {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	_ = c.Close()
}

// close closes every idle connection.
func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
}
