package executor

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	"github.com/hrsync/hrsync/agent/internal/ldapx/ldaptest"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

func TestPool(t *testing.T) {
	var dials, closes int
	p := newPool("a.test", []DC{{Name: "dc1", Dial: func(context.Context) (ldapx.Conn, error) {
		dials++
		return &ldaptest.Conn{CloseFunc: func() error { closes++; return nil }}, nil
	}}}, 2, clockwork.NewFakeClock(), slog.New(slog.DiscardHandler), time.Minute, time.Second)
	ctx := context.Background()
	get := func() ldapx.Conn {
		c, i, _, err := p.get(ctx, make([]bool, 1), false)
		require.NoError(t, err)
		require.Equal(t, 0, i)
		return c
	}

	a := get()
	p.put(0, a, nil)
	b := get()
	require.Same(t, a, b, "an idle connection is reused")
	require.Equal(t, 1, dials)

	// A directory error (the LDAP exchange worked) keeps the connection.
	p.put(0, b, direrr.New(agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, "exists"))
	c := get()
	require.Same(t, a, c)

	// A network failure, timeout or cancellation closes it.
	for i, code := range []agentv1.ErrorCode{agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, agentv1.ErrorCode_ERROR_CODE_TIMEOUT, agentv1.ErrorCode_ERROR_CODE_CANCELLED} {
		p.put(0, c, fmt.Errorf("op: %w", direrr.New(code, "gone")))
		require.Equal(t, i+1, closes)
		c = get()
	}
	require.Equal(t, 4, dials, "a fresh connection after each broken one")

	// Beyond the idle limit connections are closed.
	x, y := get(), get()
	p.put(0, c, nil)
	p.put(0, x, nil)
	p.put(0, y, nil)
	require.Equal(t, 4, closes, "the third one is over the limit of two")
	p.close()
	require.Equal(t, 6, closes, "close empties the pool")
}

// refused is the error of a call to a stopped fake DC.
func refused(op, dc string) error {
	return direrr.New(agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "%s %s: connection refused", op, dc)
}

// fakeDC is a DC whose connections answer searches until it is stopped.
type fakeDC struct {
	mu       sync.Mutex
	down     bool
	searches int
}

func (d *fakeDC) set(down bool) {
	d.mu.Lock()
	d.down = down
	d.mu.Unlock()
}

func (d *fakeDC) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.searches
}

func (d *fakeDC) dial(name string) func(context.Context) (ldapx.Conn, error) {
	return func(context.Context) (ldapx.Conn, error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.down {
			return nil, refused("dial", name)
		}
		return &ldaptest.Conn{SearchFunc: func(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.down {
				return nil, refused("search", name)
			}
			if req.BaseDN != "" { // not a health check
				d.searches++
			}
			return &ldap.SearchResult{}, nil
		}}, nil
	}
}

// TestFailover moves operations to the second DC when the first stops,
// and back once the first has been healthy for FailbackAfter.
func TestFailover(t *testing.T) {
	dc1, dc2 := &fakeDC{}, &fakeDC{}
	clock := clockwork.NewFakeClock()
	logs := &bytes.Buffer{}
	var logMu sync.Mutex
	ex, err := New(Config{
		Domains: map[string]Domain{"a.test": {DCs: []DC{
			{Name: "ldaps://dc1", Dial: dc1.dial("dc1")},
			{Name: "ldaps://dc2", Dial: dc2.dial("dc2")},
		}}},
		Logger:         slog.New(slog.NewTextHandler(&lockedWriter{w: logs, mu: &logMu}, nil)),
		Clock:          clock,
		HealthInterval: 30 * time.Second,
		FailbackAfter:  2 * time.Minute,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { ex.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	lookup := func() {
		t.Helper()
		var res []*agentv1.Result
		ex.Execute(ctx, &agentv1.Operation{OpId: "x", Domain: "a.test", Kind: &agentv1.Operation_LookupValues{
			LookupValues: &agentv1.LookupValues{Attribute: "mail", Values: []string{"a@a.test"}},
		}}, func(r *agentv1.Result) { res = append(res, r) })
		require.Len(t, res, 1)
		require.Nil(t, res[0].GetError())
	}
	// check advances the clock to the next health check and waits for it.
	check := func(d time.Duration) {
		t.Helper()
		require.NoError(t, clock.BlockUntilContext(ctx, 1))
		clock.Advance(d)
		require.NoError(t, clock.BlockUntilContext(ctx, 1))
	}

	lookup()
	require.Equal(t, "ldaps://dc1", ex.ActiveDC("a.test"))
	require.Equal(t, 1, dc1.count())

	dc1.set(true)
	lookup() // on a pooled connection to dc1, which fails: retried on dc2
	require.Equal(t, "ldaps://dc2", ex.ActiveDC("a.test"))
	require.Equal(t, 1, dc2.count())

	dc1.set(false)
	check(30 * time.Second)
	lookup()
	require.Equal(t, "ldaps://dc2", ex.ActiveDC("a.test"), "dc1 is healthy, but not for long enough")

	check(2 * time.Minute)
	lookup()
	require.Equal(t, "ldaps://dc1", ex.ActiveDC("a.test"), "back to dc1 after FailbackAfter")
	require.Equal(t, 2, dc1.count())
	require.Equal(t, 2, dc2.count())

	// A health check notices a stopped DC before any operation does.
	dc1.set(true)
	check(30 * time.Second)
	lookup()
	require.Equal(t, "ldaps://dc2", ex.ActiveDC("a.test"))

	logMu.Lock()
	out := logs.String()
	logMu.Unlock()
	for _, msg := range []string{
		`msg="domain controller unhealthy" component=executor domain=a.test dc=ldaps://dc1 error_code=ERROR_CODE_UNAVAILABLE`,
		`msg="domain controller in use changed" component=executor domain=a.test dc=ldaps://dc2 from_dc=ldaps://dc1`,
		`msg="domain controller healthy" component=executor domain=a.test dc=ldaps://dc1`,
		`msg="domain controller in use changed" component=executor domain=a.test dc=ldaps://dc1 from_dc=ldaps://dc2`,
	} {
		require.Contains(t, out, msg)
	}
}

// TestFailoverAllDown reports the failure of every DC.
func TestFailoverAllDown(t *testing.T) {
	dc1, dc2 := &fakeDC{down: true}, &fakeDC{down: true}
	ex, err := New(Config{
		Domains: map[string]Domain{"a.test": {DCs: []DC{
			{Name: "ldaps://dc1", Dial: dc1.dial("dc1")},
			{Name: "ldaps://dc2", Dial: dc2.dial("dc2")},
		}}},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	var res []*agentv1.Result
	ex.Execute(t.Context(), &agentv1.Operation{OpId: "x", Domain: "a.test", Kind: &agentv1.Operation_LookupValues{
		LookupValues: &agentv1.LookupValues{Attribute: "mail", Values: []string{"a@a.test"}},
	}}, func(r *agentv1.Result) { res = append(res, r) })
	require.Len(t, res, 1)
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, res[0].GetError().GetCode())
	require.Contains(t, res[0].GetError().GetMessage(), "dial dc1")
	require.Contains(t, res[0].GetError().GetMessage(), "dial dc2")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// memDC is a DC that holds the users added to it, for creates across a
// failover. dieAfterAdd stops it right after an add commits, before the
// agent reads the user back: the add's outcome is then in doubt.
type memDC struct {
	mu          sync.Mutex
	down        bool
	dieAfterAdd bool
	// hang makes an add wait for its context, as a hung DC does.
	hang  bool
	users []*ldap.Entry
	adds  int
}

func (d *memDC) set(down, dieAfterAdd bool) {
	d.mu.Lock()
	d.down, d.dieAfterAdd = down, dieAfterAdd
	d.mu.Unlock()
}

func (d *memDC) added() (adds, users int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.adds, len(d.users)
}

func (d *memDC) dial(name string) func(context.Context) (ldapx.Conn, error) {
	return func(context.Context) (ldapx.Conn, error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.down {
			return nil, refused("dial", name)
		}
		return &ldaptest.Conn{
			AddFunc: func(ctx context.Context, req *ldap.AddRequest) error {
				d.mu.Lock()
				if d.hang {
					d.mu.Unlock()
					<-ctx.Done()
					return fmt.Errorf("add %s: %w", req.DN, ctx.Err())
				}
				defer d.mu.Unlock()
				if d.down {
					return refused("add", name)
				}
				for _, u := range d.users {
					if strings.EqualFold(u.DN, req.DN) {
						return direrr.New(agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, "%s exists", req.DN)
					}
				}
				attrs := map[string][]string{"objectGUID": {fmt.Sprintf("guid-%s-%07d", name[:3], len(d.users))}, "pwdLastSet": {"134000000000000000"}}
				for _, a := range req.Attributes {
					attrs[a.Type] = a.Vals
				}
				d.users = append(d.users, ldap.NewEntry(req.DN, attrs))
				d.adds++
				if d.dieAfterAdd {
					d.down = true
				}
				return nil
			},
			SearchFunc: func(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
				d.mu.Lock()
				defer d.mu.Unlock()
				if d.down {
					return nil, refused("search", name)
				}
				res := &ldap.SearchResult{}
				for _, u := range d.users {
					if strings.EqualFold(u.DN, req.BaseDN) {
						res.Entries = append(res.Entries, u)
					}
				}
				return res, nil
			},
		}, nil
	}
}

// TestCreateInDoubtStaysOnItsDC stops the preferred DC right after it
// committed a create's add: the create must not be run again on the other
// DC, which cannot see the new user before replication and would add a
// second one. It fails as in doubt on the first DC; attempts pinned there
// (Operation.only_dc) wait for it and then adopt the user it holds, while
// other operations fail over as usual.
func TestCreateInDoubtStaysOnItsDC(t *testing.T) {
	dc1, dc2 := &memDC{dieAfterAdd: true}, &memDC{}
	ex, err := New(Config{
		Domains: map[string]Domain{"a.test": {DCs: []DC{
			{Name: "ldaps://dc1", Dial: dc1.dial("dc1")},
			{Name: "ldaps://dc2", Dial: dc2.dial("dc2")},
		}}},
		Logger: slog.New(slog.DiscardHandler),
		Clock:  clockwork.NewFakeClock(),
	})
	require.NoError(t, err)
	ctx := t.Context()
	run := func(op *agentv1.Operation) *agentv1.Result {
		t.Helper()
		var res []*agentv1.Result
		ex.Execute(ctx, op, func(r *agentv1.Result) { res = append(res, r) })
		require.Len(t, res, 1)
		return res[0]
	}
	create := func(attempt uint32, onlyDC string) *agentv1.Operation {
		return &agentv1.Operation{OpId: "rec-1.create", Attempt: attempt, Domain: "a.test", OnlyDc: onlyDC,
			Kind: &agentv1.Operation_CreateUser{CreateUser: &agentv1.CreateUser{
				ParentDn: "OU=Staff,DC=a,DC=test", Cn: "Ana Silva", Enable: true, MatchChecked: true,
				Attributes: []*agentv1.Attribute{{Name: "sAMAccountName", Values: []string{"asilva"}}, {Name: "displayName", Values: []string{"Ana Silva"}}},
				Match:      &agentv1.Match{Attribute: "employeeID", Value: "E1"},
			}}}
	}

	res := run(create(1, ""))
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, res.GetError().GetCode(), "%v", res.GetError())
	require.Equal(t, "ldaps://dc1", res.GetError().GetInDoubtDc())
	require.Contains(t, res.GetError().GetMessage(), "retried there only")
	adds, _ := dc2.added()
	require.Zero(t, adds, "not added again on the other DC")

	// While dc1 is down, a pinned attempt waits; other work moves to dc2.
	res = run(create(2, "LDAPS://dc1"))
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, res.GetError().GetCode())
	require.Equal(t, "LDAPS://dc1", res.GetError().GetInDoubtDc())
	res = run(&agentv1.Operation{OpId: "x", Domain: "a.test", Kind: &agentv1.Operation_LookupValues{
		LookupValues: &agentv1.LookupValues{Attribute: "mail", Values: []string{"a@a.test"}}}})
	require.Nil(t, res.GetError())
	require.Equal(t, "ldaps://dc2", ex.ActiveDC("a.test"))
	adds, _ = dc2.added()
	require.Zero(t, adds)

	// dc1 is back: the pinned attempt adopts the user the first one made
	// there, without moving the domain's other work back early.
	dc1.set(false, false)
	res = run(create(3, "ldaps://dc1"))
	require.Nil(t, res.GetError())
	require.Equal(t, agentv1.Outcome_OUTCOME_ADOPTED, res.GetOutcome())
	adds, users := dc1.added()
	require.Equal(t, 1, adds)
	require.Equal(t, 1, users)
	adds, _ = dc2.added()
	require.Zero(t, adds, "one account in the domain")
	require.Equal(t, "ldaps://dc2", ex.ActiveDC("a.test"), "a pinned operation does not choose the DC in use")

	// An add that a hung DC (dc2, in use now) never answers is in doubt
	// too: the operation's deadline passes with the add unanswered.
	dc2.mu.Lock()
	dc2.hang = true
	dc2.mu.Unlock()
	hung := create(5, "")
	hung.OpId = "rec-2.create"
	hung.Timeout = durationpb.New(50 * time.Millisecond)
	res = run(hung)
	require.Equal(t, "ldaps://dc2", res.GetError().GetInDoubtDc(), "%v", res.GetError())
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, res.GetError().GetCode())
	adds, _ = dc1.added()
	require.Equal(t, 1, adds, "not added on dc1 instead")

	// A DC this agent does not list.
	res = run(create(4, "ldaps://dc9"))
	require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, res.GetError().GetCode())
	require.Contains(t, res.GetError().GetMessage(), "does not list it")
}
