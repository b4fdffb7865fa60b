package executor

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// Log attribute keys of the pool.
const (
	keyDC     = "dc"
	keyFromDC = "from_dc"
)

// pool keeps bound connections to the DCs of one domain for reuse (a TLS
// handshake and a bind per operation would cost more than the operation
// itself) and chooses the DC operations use: the first healthy one in the
// order of preference. A DC is marked down when dialing it or an operation
// on it fails on the network, and up again by a health check (a read of
// its rootDSE). The pool moves to a more preferred DC only once that DC has
// been up for failbackAfter, so a flapping DC does not pull operations back
// and forth.
type pool struct {
	domain        string
	max           int
	clock         clockwork.Clock
	log           *slog.Logger
	failbackAfter time.Duration
	checkTimeout  time.Duration

	mu sync.Mutex // guards the following and every dc's mutable fields
	// dcs are the domain's DCs, most preferred first.
	dcs []*dc
	// active is the index of the DC operations use now.
	active int
}

// dc is one domain controller of a pool.
type dc struct {
	name string
	dial func(ctx context.Context) (ldapx.Conn, error)
	// idle holds connections ready for the next operation, newest last.
	idle []ldapx.Conn
	// up says the last dial, operation or health check reached the DC;
	// since is when that state began.
	up    bool
	since time.Time
}

func newPool(domain string, dcs []DC, max int, clock clockwork.Clock, log *slog.Logger, failbackAfter, checkTimeout time.Duration) *pool {
	p := &pool{domain: domain, max: max, clock: clock, log: log, failbackAfter: failbackAfter, checkTimeout: checkTimeout}
	// Until a health check says otherwise, every DC counts as up for long
	// enough: operations start on the most preferred one.
	since := clock.Now().Add(-failbackAfter)
	for _, d := range dcs {
		p.dcs = append(p.dcs, &dc{name: d.Name, dial: d.Dial, up: true, since: since})
	}
	return p
}

// choose returns the index of the DC to use, skipping tried ones: the
// first that is up and either not more preferred than the active one or up
// for failbackAfter. With none, the first untried one. The caller holds mu.
func (p *pool) choose(tried []bool) int {
	now := p.clock.Now()
	for i, d := range p.dcs {
		if !tried[i] && d.up && (i >= p.active || now.Sub(d.since) >= p.failbackAfter) {
			return i
		}
	}
	for i := range p.dcs {
		if !tried[i] {
			return i
		}
	}
	return -1
}

// index returns the index of the DC named name (its URL, compared without
// regard to case), -1 when the pool has none.
func (p *pool) index(name string) int {
	for i, d := range p.dcs {
		if strings.EqualFold(d.name, name) {
			return i
		}
	}
	return -1
}

// use makes DC i the active one, logging a change.
func (p *pool) use(ctx context.Context, i int) {
	p.mu.Lock()
	from := p.active
	p.active = i
	p.mu.Unlock()
	if from != i {
		p.log.InfoContext(ctx, "domain controller in use changed",
			keyDomain, p.domain, keyDC, p.dcs[i].name, keyFromDC, p.dcs[from].name)
	}
}

// get returns a connection to the DC to use, DC i: an idle one (reused)
// or a new one. A DC that cannot be dialed for a network reason is marked
// down and the next is tried; tried marks the DCs tried so far by the
// caller, for an operation moving on after a failure.
// A pinned operation (Operation.only_dc) leaves the DC in use as it is.
func (p *pool) get(ctx context.Context, tried []bool, pinned bool) (_ ldapx.Conn, i int, reused bool, _ error) {
	var errs []error
	for {
		p.mu.Lock()
		i := p.choose(tried)
		if i < 0 {
			p.mu.Unlock()
			return nil, -1, false, errors.Join(errs...)
		}
		tried[i] = true
		d := p.dcs[i]
		if n := len(d.idle); n > 0 {
			c := d.idle[n-1]
			d.idle = d.idle[:n-1]
			p.mu.Unlock()
			if !pinned {
				p.use(ctx, i)
			}
			return c, i, true, nil
		}
		p.mu.Unlock()
		c, err := d.dial(ctx)
		if err == nil {
			p.markUp(ctx, i)
			if !pinned {
				p.use(ctx, i)
			}
			return c, i, false, nil
		}
		errs = append(errs, err)
		if !unreachable(err) || ctx.Err() != nil {
			return nil, i, false, errors.Join(errs...)
		}
		p.markDown(ctx, i, err)
	}
}

// dropIdle closes the idle connections to DC i: one of them failed on the
// network, so the others probably will too.
func (p *pool) dropIdle(i int) {
	p.mu.Lock()
	idle := p.dcs[i].idle
	p.dcs[i].idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
}

// unreachable reports whether err says the DC itself could not be used, so
// that another DC may do better.
func unreachable(err error) bool {
	var referred *ldapx.ReferredError
	if errors.As(err, &referred) {
		// Another server failed after a referral; the DC is fine.
		return false
	}
	return direrr.CodeOf(err) == agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE
}

// put returns a connection to DC i after an operation. A connection whose
// operation failed on the network, timed out or was cancelled may be dead
// (ldapx closes it under such a call) and is closed instead; so is one
// beyond the pool's size.
func (p *pool) put(i int, c ldapx.Conn, err error) {
	if ldapx.Broken(err) {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	d := p.dcs[i]
	if len(d.idle) < p.max {
		d.idle = append(d.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	_ = c.Close()
}

// markDown records that DC i failed and closes its idle connections,
// which went with it.
func (p *pool) markDown(ctx context.Context, i int, err error) {
	p.mu.Lock()
	d := p.dcs[i]
	idle := d.idle
	d.idle = nil
	changed := d.up
	if changed {
		d.up, d.since = false, p.clock.Now()
	}
	p.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
	if changed {
		p.log.WarnContext(ctx, "domain controller unhealthy",
			keyDomain, p.domain, keyDC, d.name, keyErrorCode, direrr.CodeOf(err).String())
	}
}

// markUp records that DC i answered.
func (p *pool) markUp(ctx context.Context, i int) {
	p.mu.Lock()
	d := p.dcs[i]
	changed := !d.up
	if changed {
		d.up, d.since = true, p.clock.Now()
	}
	p.mu.Unlock()
	if changed {
		p.log.InfoContext(ctx, "domain controller healthy", keyDomain, p.domain, keyDC, d.name)
	}
}

// check reads the rootDSE of every DC over a new connection and records
// whether it answered.
func (p *pool) check(ctx context.Context) {
	for i, d := range p.dcs {
		if ctx.Err() != nil {
			return
		}
		if err := p.probe(ctx, d); err != nil {
			if ctx.Err() != nil {
				return
			}
			p.markDown(ctx, i, err)
			continue
		}
		p.markUp(ctx, i)
	}
}

func (p *pool) probe(ctx context.Context, d *dc) error {
	ctx, cancel := context.WithTimeout(ctx, p.checkTimeout)
	defer cancel()
	c, err := d.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Search(ctx, ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"currentTime"}, nil))
	return err
}

// runChecks checks the DCs every interval, with up to a tenth of jitter,
// until ctx ends. A domain with one DC is not checked: there is nowhere
// else to go.
func (p *pool) runChecks(ctx context.Context, interval time.Duration) {
	if len(p.dcs) < 2 {
		return
	}
	for {
		jitter := time.Duration(rand.Int64N(int64(interval)/10 + 1))
		select {
		case <-ctx.Done():
			return
		case <-p.clock.After(interval - jitter):
		}
		p.check(ctx)
	}
}

// activeDC returns the name of the DC in use.
func (p *pool) activeDC() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dcs[p.active].name
}

// close closes every idle connection.
func (p *pool) close() {
	p.mu.Lock()
	var idle []ldapx.Conn
	for _, d := range p.dcs {
		idle = append(idle, d.idle...)
		d.idle = nil
	}
	p.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
}
