// Package executor runs directory operations from the cloud against Active
// Directory, idempotently: the same Operation executed twice leaves the
// directory as executing it once, and the second run reports ADOPTED or
// UNCHANGED.
//
//	ex, err := executor.New(executor.Config{
//		Domains: map[string]executor.Domain{
//			"corp.example.com": {Dial: func(ctx context.Context) (ldapx.Conn, error) {
//				return ldapx.Dial(ctx, ldapCfg)
//			}},
//		},
//		Logger: logger,
//	})
//	...
//	ex.Execute(ctx, op, func(r *agentv1.Result) { send(r) })
//
// Bound connections are pooled per DC and reused; one whose operation
// failed on the network, timed out or was cancelled is closed. A domain's
// DCs are used in order of preference: an operation that fails on the
// network runs again on the next DC, Run's health checks bring a DC back,
// and operations return to a preferred DC after Config.FailbackAfter.
// Referrals are followed through Domain.Chaser. Failures
// are reported in Result.error through direrr; passwords and attribute
// values never appear in logs, and DNs only at debug level.
package executor

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
	"github.com/hrsync/hrsync/shared/logging"
)

// Log attribute keys.
const (
	keyComponent  = "component"
	keyOpID       = "op_id"
	keyAttempt    = "attempt"
	keyDomain     = "domain"
	keyKind       = "kind"
	keyOutcome    = "outcome"
	keyErrorCode  = "error_code"
	keyResultCode = "ldap_result_code"
	keyDuration   = "duration"
	keyEntries    = "entries"
	keyDN         = logging.KeyDN // redacted by the agent's log handlers
)

const (
	defaultPasswordLength = 16
	minPasswordLength     = 14
	maxPasswordLength     = 128
	defaultPageSize       = 500
)

// Domain is one AD domain the agent writes to.
type Domain struct {
	// DCs are the domain's domain controllers in order of preference.
	// Operations use the first healthy one; see Executor.Run.
	DCs []DC
	// Dial opens a bound connection to a DC of the domain; it is used,
	// as one DC, when DCs is empty.
	Dial func(ctx context.Context) (ldapx.Conn, error)
	// Chaser follows referrals on the domain's connections (to other
	// domains of the forest); nil leaves referrals as errors.
	Chaser *ldapx.Chaser
	// BaseDN is the domain's naming context, the default base of searches.
	// By default it is derived from the DNS name: DC=corp,DC=example,DC=com.
	BaseDN string
}

// DC is one domain controller of a domain.
type DC struct {
	// Name identifies the DC in logs, such as its URL. Required.
	Name string
	// Dial opens a bound connection to this DC. Required.
	Dial func(ctx context.Context) (ldapx.Conn, error)
}

// Config configures an Executor.
type Config struct {
	// Domains maps DNS domain names (case-insensitive) to domains.
	Domains map[string]Domain
	// Logger receives the executor's logs; slog.Default() by default.
	Logger *slog.Logger
	// PasswordLength is the length of initial passwords when an operation
	// does not say; 16 by default, never under 14.
	PasswordLength int
	// Rand is the source of initial passwords; crypto/rand by default.
	// Tests inject a seeded generator.
	Rand io.Reader
	// MaxIdleConns is how many bound connections per DC are kept for
	// reuse; 16 by default.
	MaxIdleConns int
	// HealthInterval is how often Run reads the rootDSE of every DC of a
	// domain with several; 30 s by default.
	HealthInterval time.Duration
	// HealthTimeout bounds one health check; 10 s by default.
	HealthTimeout time.Duration
	// FailbackAfter is how long a more preferred DC must have been healthy
	// before operations move back to it; 2 minutes by default.
	FailbackAfter time.Duration
	// Clock drives health checks and fail-back; the real clock by default.
	Clock clockwork.Clock
}

// CheckAndSetDefaults validates c and fills in defaults.
func (c *Config) CheckAndSetDefaults() error {
	if len(c.Domains) == 0 {
		return errors.New("executor: no domains")
	}
	domains := make(map[string]Domain, len(c.Domains))
	for name, d := range c.Domains {
		if len(d.DCs) == 0 {
			if d.Dial == nil {
				return fmt.Errorf("executor: domain %q: no DCs and nil Dial", name)
			}
			d.DCs = []DC{{Name: name, Dial: d.Dial}}
		}
		for i, dc := range d.DCs {
			if dc.Name == "" || dc.Dial == nil {
				return fmt.Errorf("executor: domain %q: DCs[%d]: want Name and Dial", name, i)
			}
		}
		key := normDomain(name)
		if key == "" {
			return errors.New("executor: empty domain name")
		}
		if d.BaseDN == "" {
			d.BaseDN = ldapx.DomainDN(key)
		}
		domains[key] = d
	}
	c.Domains = domains
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PasswordLength == 0 {
		c.PasswordLength = defaultPasswordLength
	}
	if c.PasswordLength < minPasswordLength || c.PasswordLength > maxPasswordLength {
		return fmt.Errorf("executor: PasswordLength %d: want %d to %d", c.PasswordLength, minPasswordLength, maxPasswordLength)
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.MaxIdleConns <= 0 {
		c.MaxIdleConns = 16
	}
	if c.HealthInterval <= 0 {
		c.HealthInterval = 30 * time.Second
	}
	if c.HealthTimeout <= 0 {
		c.HealthTimeout = 10 * time.Second
	}
	if c.FailbackAfter <= 0 {
		c.FailbackAfter = 2 * time.Minute
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	return nil
}

func normDomain(name string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
}

// Executor executes operations. It is safe for concurrent use.
type Executor struct {
	cfg Config
	log *slog.Logger
	// pools keep bound connections per domain.
	pools map[string]*pool

	randMu sync.Mutex // guards cfg.Rand, which need not be safe for concurrent use
}

// New returns an Executor.
func New(cfg Config) (*Executor, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	ex := &Executor{cfg: cfg, log: cfg.Logger.With(keyComponent, "executor"), pools: map[string]*pool{}}
	for name, d := range cfg.Domains {
		ex.pools[name] = newPool(name, d.DCs, cfg.MaxIdleConns, cfg.Clock, ex.log, cfg.FailbackAfter, cfg.HealthTimeout)
	}
	return ex, nil
}

// Run checks the health of the DCs of every domain that has several, each
// HealthInterval, until ctx ends. Without it a DC marked down after a
// failure is only tried again when the others fail too, and operations do
// not move back to a preferred DC.
func (e *Executor) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range e.pools {
		wg.Go(func() { p.runChecks(ctx, e.cfg.HealthInterval) })
	}
	wg.Wait()
}

// ActiveDC returns the name of the DC that operations on domain use now,
// "" for a domain not served.
func (e *Executor) ActiveDC(domain string) string {
	p, ok := e.pools[normDomain(domain)]
	if !ok {
		return ""
	}
	return p.activeDC()
}

// Close closes the idle connections. Operations still running keep theirs
// until they finish.
func (e *Executor) Close() {
	for _, p := range e.pools {
		p.close()
	}
	for _, d := range e.cfg.Domains {
		if d.Chaser != nil {
			d.Chaser.Close()
		}
	}
}

// Execute runs op and reports through emit: once, or for ExportUsers once
// per chunk with more set on all but the last. Every Result echoes op_id,
// attempt, seq and lease_generation. A failure is a Result with error set.
func (e *Executor) Execute(ctx context.Context, op *agentv1.Operation, emit func(*agentv1.Result)) {
	start := time.Now()
	log := e.log.With(keyOpID, op.GetOpId(), keyAttempt, op.GetAttempt(), keyDomain, op.GetDomain(), keyKind, kindName(op))
	if d := op.GetTimeout().AsDuration(); op.GetTimeout() != nil && d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}

	chunks := uint32(0)
	entries := 0
	send := func(outcome agentv1.Outcome, es []*agentv1.Entry, more bool, err error) {
		r := &agentv1.Result{
			OpId:            op.GetOpId(),
			Attempt:         op.GetAttempt(),
			LeaseGeneration: op.GetLeaseGeneration(),
			Seq:             op.GetSeq(),
			Chunk:           chunks,
			More:            more,
		}
		if err != nil {
			r.Error = direrr.ToProto(err)
		} else {
			r.Outcome, r.Entries = outcome, es
		}
		chunks++
		entries += len(es)
		emit(r)
	}

	outcome, err := e.execute(ctx, op, log, send)
	if err != nil {
		var de *direrr.Error
		resultCode := uint32(0)
		if errors.As(err, &de) {
			resultCode = de.LDAPResultCode
		}
		// The error message is not logged: AD's diagnostics may quote
		// attribute values. It reaches the cloud in the Result.
		log.WarnContext(ctx, "operation failed",
			keyErrorCode, direrr.CodeOf(err).String(), keyResultCode, resultCode, keyDuration, time.Since(start))
		send(agentv1.Outcome_OUTCOME_UNSPECIFIED, nil, false, err)
		return
	}
	log.InfoContext(ctx, "operation finished",
		keyOutcome, outcome.String(), keyEntries, entries, keyDuration, time.Since(start))
}

// execute validates op, connects and runs it, sending the results of a
// success through send. A failure is returned, not sent.
func (e *Executor) execute(ctx context.Context, op *agentv1.Operation, log *slog.Logger,
	send func(agentv1.Outcome, []*agentv1.Entry, bool, error)) (agentv1.Outcome, error) {
	dom, ok := e.cfg.Domains[normDomain(op.GetDomain())]
	if !ok {
		return 0, direrr.New(agentv1.ErrorCode_ERROR_CODE_UNKNOWN_DOMAIN, "domain %q is not served by this agent", op.GetDomain())
	}
	if err := validate(op); err != nil {
		return 0, err
	}
	pl := e.pools[normDomain(op.GetDomain())]
	// A result already sent cannot be taken back: an export that failed
	// after its first chunk is not run again on another DC.
	sent := false
	sendOnce := func(o agentv1.Outcome, es []*agentv1.Entry, more bool, err error) {
		sent = true
		send(o, es, more, err)
	}
	tried := make([]bool, len(pl.dcs))
	redialed := make([]bool, len(pl.dcs))
	// pin is the DC the operation must stay on: an earlier attempt's add
	// (or this one's) may have reached it only.
	pin := op.GetOnlyDc()
	if pin != "" {
		j := pl.index(pin)
		if j < 0 {
			return 0, &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, InDoubtDC: pin,
				Message: fmt.Sprintf("the operation must run on domain controller %s, where an earlier attempt may have created the object, and this agent does not list it in domain %s", pin, op.GetDomain())}
		}
		stayOn(tried, j)
	}
	for {
		conn, i, reused, err := pl.get(ctx, tried, pin != "")
		if err != nil {
			err = fmt.Errorf("connect to domain %s: %w", op.GetDomain(), ldapx.Classify("dial", err))
			if pin != "" {
				return 0, inDoubt(err, pin)
			}
			return 0, err
		}
		var adds *addTracker
		if op.GetCreateUser() != nil {
			adds = &addTracker{Conn: conn}
			conn = adds
		}
		outcome, err := e.runOn(ctx, op, dom, conn, log, sendOnce)
		if adds != nil {
			conn = adds.Conn
		}
		pl.put(i, conn, err)
		if err == nil || sent {
			return outcome, err
		}
		if !unreachable(err) || ctx.Err() != nil {
			// A create whose add went out and got no answer in time (a
			// hung DC, the operation's deadline) is in doubt as well: a
			// later attempt must not run it on another DC.
			if c := direrr.CodeOf(err); adds.sent() && (c == agentv1.ErrorCode_ERROR_CODE_TIMEOUT || c == agentv1.ErrorCode_ERROR_CODE_CANCELLED) {
				return outcome, inDoubt(err, pl.dcs[i].name)
			}
			return outcome, err
		}
		// The DC failed on the network. The executor is idempotent, so
		// the operation runs again from the start: on the same DC over a
		// new connection when this one came from the pool (it may have
		// been closed while idle), else on the next DC. Not after a
		// create's add was sent, though: the DC may have made the object
		// before it failed, and another DC would not know it until
		// replication, so a second add there would make a second account.
		// That create stays with this DC (Error.in_doubt_dc).
		if adds.sent() {
			pin = pl.dcs[i].name
		}
		if reused && !redialed[i] {
			redialed[i] = true
			pl.dropIdle(i)
			if pin != "" {
				stayOn(tried, i)
			}
			tried[i] = false
		} else {
			pl.markDown(ctx, i, err)
			if pin != "" {
				log.WarnContext(ctx, "create in doubt on a failed domain controller; it is retried there only", keyDC, pin)
				return outcome, inDoubt(err, pin)
			}
		}
		if !slices.Contains(tried, false) {
			return outcome, err
		}
		log.WarnContext(ctx, "operation retried after a network failure", keyDC, pl.dcs[i].name, keyErrorCode, direrr.CodeOf(err).String())
	}
}

// stayOn marks every DC but j as tried, so an operation runs on DC j only.
func stayOn(tried []bool, j int) {
	for k := range tried {
		tried[k] = k != j
	}
}

// inDoubt marks a network failure of a create whose add may have reached
// dc: the cloud retries the operation on dc only.
func inDoubt(err error, dc string) error {
	return &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, InDoubtDC: dc,
		Message: fmt.Sprintf("%v; the account may have been created on domain controller %s before it failed, so the create is retried there only (another DC would not see it until replication and would make a second account)", err, dc)}
}

// addTracker notes whether an add was sent over the connection.
type addTracker struct {
	ldapx.Conn
	added bool
}

func (a *addTracker) Add(ctx context.Context, req *ldap.AddRequest) error {
	a.added = true
	return a.Conn.Add(ctx, req)
}

// sent reports whether an add went out; false for a nil tracker (not a
// create).
func (a *addTracker) sent() bool { return a != nil && a.added }

// runOn runs op over conn, following referrals when the domain says so.
func (e *Executor) runOn(ctx context.Context, op *agentv1.Operation, dom Domain, conn ldapx.Conn, log *slog.Logger,
	send func(agentv1.Outcome, []*agentv1.Entry, bool, error)) (agentv1.Outcome, error) {
	if dom.Chaser != nil {
		conn = dom.Chaser.Wrap(conn)
	}
	run := &run{e: e, conn: conn, dom: dom, log: log}
	var (
		outcome agentv1.Outcome
		entries []*agentv1.Entry
		err     error
	)
	switch k := op.GetKind().(type) {
	case *agentv1.Operation_CreateUser:
		outcome, entries, err = run.createUser(ctx, k.CreateUser)
	case *agentv1.Operation_ModifyUser:
		outcome, entries, err = run.modifyUser(ctx, k.ModifyUser)
	case *agentv1.Operation_FindUser:
		outcome, entries, err = run.findUser(ctx, k.FindUser)
	case *agentv1.Operation_ExportUsers:
		return run.exportUsers(ctx, k.ExportUsers, send)
	case *agentv1.Operation_LookupValues:
		outcome, entries, err = run.lookupValues(ctx, k.LookupValues)
	case *agentv1.Operation_DeleteUser:
		outcome, entries, err = run.deleteUser(ctx, k.DeleteUser)
	}
	if err != nil {
		return 0, err
	}
	send(outcome, entries, false, nil)
	return outcome, nil
}

// run is the state of one operation.
type run struct {
	e    *Executor
	conn ldapx.Conn
	dom  Domain
	log  *slog.Logger
}

func kindName(op *agentv1.Operation) string {
	switch op.GetKind().(type) {
	case *agentv1.Operation_CreateUser:
		return "create_user"
	case *agentv1.Operation_ModifyUser:
		return "modify_user"
	case *agentv1.Operation_FindUser:
		return "find_user"
	case *agentv1.Operation_ExportUsers:
		return "export_users"
	case *agentv1.Operation_LookupValues:
		return "lookup_values"
	case *agentv1.Operation_DeleteUser:
		return "delete_user"
	default:
		return "unset"
	}
}
