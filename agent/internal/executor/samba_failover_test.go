package executor_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/executor"
	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/sambatest"
)

// TestSambaFailover runs a stream of creates against two DCs of one Samba
// domain, stops the preferred DC in the middle and checks that the rest
// succeed on the other, that no create is lost or done twice, and that
// operations return to the preferred DC once it is back.
func TestSambaFailover(t *testing.T) {
	ctx := t.Context()
	dc1 := sambatest.NewWith(t, sambatest.Options{Joinable: true})
	dc2 := sambatest.NewJoined(t, dc1)
	ou, err := dc1.CreateOU(ctx, "Failover")
	require.NoError(t, err)
	require.NoError(t, dc2.Replicate(ctx, dc1))

	dcOf := func(dc *sambatest.DC) executor.DC {
		return executor.DC{Name: dc.URL, Dial: func(ctx context.Context) (ldapx.Conn, error) {
			return ldapx.Dial(ctx, ldapx.Config{URLs: []string{dc.URL}, BindDN: dc.BindDN, Password: dc.Password, CAPEM: dc.CAPEM, Timeout: 20 * time.Second})
		}}
	}
	clock := clockwork.NewFakeClock()
	ex, err := executor.New(executor.Config{
		Domains:        map[string]executor.Domain{dc1.Domain: {DCs: []executor.DC{dcOf(dc1), dcOf(dc2)}}},
		Logger:         slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})),
		Clock:          clock,
		HealthInterval: 30 * time.Second,
		FailbackAfter:  time.Minute,
	})
	require.NoError(t, err)
	t.Cleanup(ex.Close)
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { ex.Run(runCtx) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	seq := uint64(0)
	create := func(i int) *agentv1.Result {
		t.Helper()
		seq++
		op := createUser(ou, fmt.Sprintf("Failover %d", i), fmt.Sprintf("FO%d", i), fmt.Sprintf("fo%d", i), true)
		op.OpId, op.Attempt, op.Seq, op.Domain = fmt.Sprintf("fo-%d", i), 1, seq, dc1.Domain
		var results []*agentv1.Result
		ex.Execute(ctx, op, func(r *agentv1.Result) { results = append(results, r) })
		require.Len(t, results, 1)
		require.Nil(t, results[0].GetError(), "create %d: %v", i, results[0].GetError())
		require.Equal(t, agentv1.Outcome_OUTCOME_CREATED, results[0].GetOutcome(), "create %d", i)
		return results[0]
	}

	const total, stopAt = 10, 4
	for i := range total {
		if i == stopAt {
			// The pool holds connections to dc1 that die with it.
			require.NoError(t, dc1.Kill())
		}
		create(i)
		want := dc1.URL
		if i >= stopAt {
			want = dc2.URL
		}
		require.Equal(t, want, ex.ActiveDC(dc1.Domain), "create %d", i)
	}

	// dc1 comes back; the agent stays on dc2 until dc1 has been healthy
	// for FailbackAfter.
	require.NoError(t, dc1.Restart(ctx))
	check := func(d time.Duration) {
		t.Helper()
		require.NoError(t, clock.BlockUntilContext(ctx, 1))
		clock.Advance(d)
		require.NoError(t, clock.BlockUntilContext(ctx, 1))
	}
	check(30 * time.Second)
	create(total)
	require.Equal(t, dc2.URL, ex.ActiveDC(dc1.Domain), "dc1 healthy, but not for FailbackAfter yet")
	check(time.Minute)
	create(total + 1)
	require.Equal(t, dc1.URL, ex.ActiveDC(dc1.Domain), "back on the preferred DC")

	// Once replication has run both ways, each DC holds every user exactly
	// once: no create was lost or done twice.
	require.NoError(t, dc2.Replicate(ctx, dc1))
	require.NoError(t, dc1.Replicate(ctx, dc2))
	for _, dc := range []*sambatest.DC{dc1, dc2} {
		raw, err := dc.Dial(ctx)
		require.NoError(t, err)
		res, err := raw.Search(ldap.NewSearchRequest(ou, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=user)", []string{"employeeID"}, nil))
		raw.Close()
		require.NoError(t, err)
		count := map[string]int{}
		for _, e := range res.Entries {
			count[e.GetAttributeValue("employeeID")]++
		}
		for i := range total + 2 {
			require.Equal(t, 1, count[fmt.Sprintf("FO%d", i)], "FO%d on %s", i, dc.Addr)
		}
		require.Len(t, res.Entries, total+2, "on %s", dc.Addr)
	}
}
