package executor

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	"github.com/hrsync/hrsync/agent/internal/ldapx/ldaptest"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

func TestPool(t *testing.T) {
	var dials, closes int
	p := &pool{max: 2, dial: func(context.Context) (ldapx.Conn, error) {
		dials++
		return &ldaptest.Conn{CloseFunc: func() error { closes++; return nil }}, nil
	}}
	ctx := context.Background()

	a, err := p.get(ctx)
	require.NoError(t, err)
	p.put(a, nil)
	b, err := p.get(ctx)
	require.NoError(t, err)
	require.Same(t, a, b, "an idle connection is reused")
	require.Equal(t, 1, dials)

	// A directory error (the LDAP exchange worked) keeps the connection.
	p.put(b, direrr.New(agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, "exists"))
	c, _ := p.get(ctx)
	require.Same(t, a, c)

	// A network failure, timeout or cancellation closes it.
	for i, code := range []agentv1.ErrorCode{agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, agentv1.ErrorCode_ERROR_CODE_TIMEOUT, agentv1.ErrorCode_ERROR_CODE_CANCELLED} {
		p.put(c, fmt.Errorf("op: %w", direrr.New(code, "gone")))
		require.Equal(t, i+1, closes)
		c, _ = p.get(ctx)
	}
	require.Equal(t, 4, dials, "a fresh connection after each broken one")

	// Beyond the idle limit connections are closed.
	x, _ := p.get(ctx)
	y, _ := p.get(ctx)
	p.put(c, nil)
	p.put(x, nil)
	p.put(y, nil)
	require.Equal(t, 4, closes, "the third one is over the limit of two")
	p.close()
	require.Equal(t, 6, closes, "close empties the pool")
}
