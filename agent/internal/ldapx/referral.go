package ldapx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// Referral chasing. go-ldap does not follow referrals: a write to an entry
// another server holds fails with result 10 (referral) and a search lists
// continuation references it does not follow. A Chaser wraps a Conn so that
// both are followed, with the home connection's credentials, to servers the
// configuration allows.

// Log attribute keys of the chaser.
const (
	keyHost = "host"
	keyHops = "hops"
)

// defaultMaxHops bounds a chain of referrals when ChaseConfig does not.
const defaultMaxHops = 5

// ReferralError is a referral a server answered with instead of doing the
// operation: the entry lives in a partition another server holds. URLs are
// the servers it names, alternatives in the server's order; Err is the
// classified *direrr.Error.
type ReferralError struct {
	URLs []string
	Err  error
}

func (e *ReferralError) Error() string { return e.Err.Error() }
func (e *ReferralError) Unwrap() error { return e.Err }

// ReferredError is a failure on the server a referral led to, not on the
// home server: a caller choosing among home servers must not hold it
// against the one it used.
type ReferredError struct {
	// Target is the referred server, ldaps://host:port.
	Target string
	Err    error
}

func (e *ReferredError) Error() string { return "after referral to " + e.Target + ": " + e.Err.Error() }
func (e *ReferredError) Unwrap() error { return e.Err }

// referralURLs returns the URLs of a referral result (RFC 4511 4.1.10),
// which go-ldap keeps only in the raw packet of its error.
func referralURLs(err error) []string {
	var le *ldap.Error
	if !errors.As(err, &le) || le.ResultCode != ldap.LDAPResultReferral || le.Packet == nil || len(le.Packet.Children) < 2 {
		return nil
	}
	var urls []string
	for _, child := range le.Packet.Children[1].Children {
		// referral [3] Referral: a context-specific SEQUENCE OF URI.
		if child == nil || child.ClassType != ber.ClassContext || child.Tag != 3 || child.TagType != ber.TypeConstructed {
			continue
		}
		for _, u := range child.Children {
			if s, ok := u.Value.(string); ok && s != "" {
				urls = append(urls, s)
			} else if u.Data != nil && u.Data.Len() > 0 {
				urls = append(urls, u.Data.String())
			}
		}
	}
	return urls
}

// ChaseConfig configures NewChaser.
type ChaseConfig struct {
	// Off turns chasing off: a referral fails the operation with a clear
	// UNWILLING_TO_PERFORM error, and search continuation references are
	// ignored, so searches see only the home server's partitions.
	Off bool
	// AllowedHosts lists the hosts referrals may lead to: a host name or
	// address (compared without case), host:port, or *.suffix for every
	// name under suffix. A referral to any other host fails the operation.
	AllowedHosts []string
	// MaxHops bounds a chain of referrals; 5 by default.
	MaxHops int
	// Dial opens a connection to target, an ldaps://host:port URL, bound
	// with the home connection's credentials. Required.
	Dial func(ctx context.Context, target string) (Conn, error)
	// MaxIdlePerHost is how many connections to each referred host are kept
	// for reuse; 2 by default.
	MaxIdlePerHost int
	// Logger receives debug logs of followed referrals; slog.Default() by
	// default.
	Logger *slog.Logger
}

// CheckAndSetDefaults validates c and fills in defaults.
func (c *ChaseConfig) CheckAndSetDefaults() error {
	if c.Dial == nil && !c.Off {
		return errors.New("ldapx: ChaseConfig: nil Dial")
	}
	if c.MaxHops <= 0 {
		c.MaxHops = defaultMaxHops
	}
	if c.MaxIdlePerHost <= 0 {
		c.MaxIdlePerHost = 2
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Chaser follows referrals for the connections it wraps, keeping a pool of
// bound connections per referred host. It is safe for concurrent use.
type Chaser struct {
	cfg ChaseConfig

	mu sync.Mutex // guards idle
	// idle holds connections to referred servers by target URL.
	idle map[string][]Conn
}

// NewChaser returns a Chaser.
func NewChaser(cfg ChaseConfig) (*Chaser, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Chaser{cfg: cfg, idle: map[string][]Conn{}}, nil
}

// Wrap returns a Conn that runs every call on home and follows the
// referrals it answers with. Closing it closes home.
func (ch *Chaser) Wrap(home Conn) Conn {
	return &chasing{ch: ch, home: home}
}

// Close closes the idle connections to referred servers.
func (ch *Chaser) Close() {
	ch.mu.Lock()
	idle := ch.idle
	ch.idle = map[string][]Conn{}
	ch.mu.Unlock()
	for _, conns := range idle {
		for _, c := range conns {
			_ = c.Close()
		}
	}
}

func (ch *Chaser) get(ctx context.Context, target string) (Conn, error) {
	ch.mu.Lock()
	if conns := ch.idle[target]; len(conns) > 0 {
		c := conns[len(conns)-1]
		ch.idle[target] = conns[:len(conns)-1]
		ch.mu.Unlock()
		return c, nil
	}
	ch.mu.Unlock()
	return ch.cfg.Dial(ctx, target)
}

// put keeps c for reuse unless err says it may be broken.
func (ch *Chaser) put(target string, c Conn, err error) {
	if Broken(err) {
		_ = c.Close()
		return
	}
	ch.mu.Lock()
	if len(ch.idle[target]) < ch.cfg.MaxIdlePerHost {
		ch.idle[target] = append(ch.idle[target], c)
		ch.mu.Unlock()
		return
	}
	ch.mu.Unlock()
	_ = c.Close()
}

// Broken reports whether a connection whose call failed with err may be
// unusable: the network failed, the call timed out or was cancelled (ldapx
// closes the connection under such a call), or the server was busy or
// failed in an unclassified way.
func Broken(err error) bool {
	if err == nil {
		return false
	}
	switch direrr.CodeOf(err) {
	case agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, agentv1.ErrorCode_ERROR_CODE_TIMEOUT,
		agentv1.ErrorCode_ERROR_CODE_CANCELLED, agentv1.ErrorCode_ERROR_CODE_BUSY, agentv1.ErrorCode_ERROR_CODE_INTERNAL:
		return true
	}
	return false
}

// allowed reports whether the configuration lets referrals lead to host
// (a host name or address) at port.
func (ch *Chaser) allowed(host, port string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, a := range ch.cfg.AllowedHosts {
		a = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(a), "."))
		switch {
		case strings.HasPrefix(a, "*."):
			if strings.HasSuffix(host, a[1:]) {
				return true
			}
		case a == host, a == net.JoinHostPort(host, port):
			return true
		}
	}
	return false
}

// hop is where one referral URL leads.
type hop struct {
	// target is the server, as ldaps://host:port.
	target string
	host   string
	// dn is the DN to use there; scope and filter are the search
	// parameters of a search reference, -1 and "" when it names none.
	dn     string
	scope  int
	filter string
}

// parseReferral reads an LDAP URL (RFC 4516) of a referral. The server is
// always reached over LDAPS, as simple binds need: an ldap:// URL leads to
// port 636 of its host whatever port it names. A URL without a DN keeps dn.
func parseReferral(raw, dn string) (hop, error) {
	h := hop{scope: -1}
	scheme, rest, ok := strings.Cut(raw, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "ldap" && scheme != "ldaps") {
		return h, fmt.Errorf("referral %q is not an ldap:// or ldaps:// URL", raw)
	}
	hostport, path, _ := strings.Cut(rest, "/")
	u, err := url.Parse("ldaps://" + hostport)
	if err != nil || u.Hostname() == "" {
		return h, fmt.Errorf("referral %q names no host", raw)
	}
	h.host = u.Hostname()
	port := u.Port()
	if scheme == "ldap" || port == "" {
		port = ldap.DefaultLdapsPort
	}
	h.target = "ldaps://" + net.JoinHostPort(h.host, port)
	parts := strings.Split(path, "?")
	if h.dn, err = url.PathUnescape(parts[0]); err != nil {
		return h, fmt.Errorf("referral %q: DN: %w", raw, err)
	}
	if h.dn == "" {
		h.dn = dn
	}
	if len(parts) > 2 {
		switch strings.ToLower(parts[2]) {
		case "base":
			h.scope = ldap.ScopeBaseObject
		case "one":
			h.scope = ldap.ScopeSingleLevel
		case "sub":
			h.scope = ldap.ScopeWholeSubtree
		}
	}
	if len(parts) > 3 && parts[3] != "" {
		if h.filter, err = url.QueryUnescape(parts[3]); err != nil {
			return h, fmt.Errorf("referral %q: filter: %w", raw, err)
		}
	}
	return h, nil
}

// trail is the state of one chased call: the servers and DNs visited, for
// loop detection.
type trail struct {
	visited map[string]bool
}

func newTrail(home Conn, dn string) *trail {
	t := &trail{visited: map[string]bool{}}
	if u, ok := home.(interface{ URL() string }); ok {
		t.visited[visitKey(u.URL(), dn)] = true
	}
	return t
}

func visitKey(target, dn string) string {
	return strings.ToLower(target) + " " + strings.ToLower(dn)
}

// refuse turns a referral that is not followed into an error that says why.
func refuse(err error, resultCode uint32, format string, args ...any) error {
	msg := err.Error() + "; " + fmt.Sprintf(format, args...)
	return &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, Message: msg, LDAPResultCode: resultCode}
}

// next picks where the referral urls lead: the first URL whose host is
// allowed. depth is the number of referrals followed so far in the chain.
func (c *chasing) next(err error, urls []string, dn string, depth int, tr *trail) (hop, error) {
	if c.ch.cfg.Off {
		return hop{}, refuse(err, ldap.LDAPResultReferral, "referral to %s not followed: referral chasing is off", strings.Join(urls, ", "))
	}
	if depth >= c.ch.cfg.MaxHops {
		return hop{}, refuse(err, ldap.LDAPResultReferralLimitExceeded, "referral to %s not followed: %d referrals in a row is the limit", strings.Join(urls, ", "), c.ch.cfg.MaxHops)
	}
	var errs []string
	for _, raw := range urls {
		h, perr := parseReferral(raw, dn)
		if perr != nil {
			errs = append(errs, perr.Error())
			continue
		}
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.target, "ldaps://"))
		if !c.ch.allowed(h.host, port) {
			errs = append(errs, fmt.Sprintf("host %s of %s is not an allowed referral host", h.host, raw))
			continue
		}
		if tr.visited[visitKey(h.target, h.dn)] {
			return hop{}, refuse(err, ldap.LDAPResultClientLoop, "referral loop: %s was already visited for %s", h.target, h.dn)
		}
		tr.visited[visitKey(h.target, h.dn)] = true
		return h, nil
	}
	if len(urls) == 0 {
		errs = append(errs, "the server named no URL")
	}
	return hop{}, refuse(err, ldap.LDAPResultReferral, "referral not followed: %s", strings.Join(errs, "; "))
}

// chasing is a Conn that follows referrals.
type chasing struct {
	ch   *Chaser
	home Conn
}

// write runs do on home and follows the referrals it answers with.
func (c *chasing) write(ctx context.Context, dn string, do func(conn Conn, dn string) error) error {
	err := do(c.home, dn)
	tr := newTrail(c.home, dn)
	for depth := 0; ; depth++ {
		var re *ReferralError
		if !errors.As(err, &re) {
			return err
		}
		h, nerr := c.next(err, re.URLs, dn, depth, tr)
		if nerr != nil {
			return nerr
		}
		c.ch.cfg.Logger.DebugContext(ctx, "following referral", keyHost, h.host, keyHops, depth+1)
		conn, derr := c.ch.get(ctx, h.target)
		if derr != nil {
			return &ReferredError{Target: h.target, Err: Classify("dial "+h.target, derr)}
		}
		dn = h.dn
		err = do(conn, dn)
		c.ch.put(h.target, conn, err)
		if err != nil && !errors.As(err, &re) {
			return &ReferredError{Target: h.target, Err: err}
		}
	}
}

func (c *chasing) Add(ctx context.Context, req *ldap.AddRequest) error {
	return c.write(ctx, req.DN, func(conn Conn, dn string) error {
		r := *req
		r.DN = dn
		return conn.Add(ctx, &r)
	})
}

func (c *chasing) Modify(ctx context.Context, req *ldap.ModifyRequest) error {
	return c.write(ctx, req.DN, func(conn Conn, dn string) error {
		r := *req
		r.DN = dn
		return conn.Modify(ctx, &r)
	})
}

func (c *chasing) ModifyDN(ctx context.Context, req *ldap.ModifyDNRequest) error {
	return c.write(ctx, req.DN, func(conn Conn, dn string) error {
		r := *req
		r.DN = dn
		return conn.ModifyDN(ctx, &r)
	})
}

func (c *chasing) Del(ctx context.Context, req *ldap.DelRequest) error {
	return c.write(ctx, req.DN, func(conn Conn, dn string) error {
		r := *req
		r.DN = dn
		return conn.Del(ctx, &r)
	})
}

func (c *chasing) Close() error { return c.home.Close() }

// Search runs req on home, then follows a referral for its base and every
// continuation reference (but those to AD's configuration and DNS
// partitions, which hold no users), gathering all entries into one result. The
// result's Referrals are those left unfollowed (all of them when chasing
// is off).
func (c *chasing) Search(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	return c.search(ctx, c.home, "", req, 0, newTrail(c.home, req.BaseDN))
}

func (c *chasing) search(ctx context.Context, conn Conn, target string, req *ldap.SearchRequest, depth int, tr *trail) (*ldap.SearchResult, error) {
	res, err := conn.Search(ctx, req)
	if target != "" {
		c.ch.put(target, conn, err)
	}
	var re *ReferralError
	if errors.As(err, &re) {
		h, nerr := c.next(err, re.URLs, req.BaseDN, depth, tr)
		if nerr != nil {
			return nil, nerr
		}
		return c.searchAt(ctx, h, withBase(req, h, false), depth+1, tr)
	}
	if err != nil {
		if target != "" {
			return nil, &ReferredError{Target: target, Err: err}
		}
		return nil, err
	}
	if c.ch.cfg.Off || len(res.Referrals) == 0 {
		return res, nil
	}
	out := &ldap.SearchResult{Entries: res.Entries, Controls: res.Controls}
	for _, ref := range res.Referrals {
		if skipReference(ref) {
			continue
		}
		h, nerr := c.next(errSearchReference(req.BaseDN), []string{ref}, req.BaseDN, depth, tr)
		if nerr != nil {
			return nil, nerr
		}
		sub, err := c.searchAt(ctx, h, withBase(req, h, true), depth+1, tr)
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, sub.Entries...)
		out.Referrals = append(out.Referrals, sub.Referrals...)
	}
	return out, nil
}

func (c *chasing) searchAt(ctx context.Context, h hop, req *ldap.SearchRequest, depth int, tr *trail) (*ldap.SearchResult, error) {
	c.ch.cfg.Logger.DebugContext(ctx, "following search referral", keyHost, h.host, keyHops, depth)
	conn, err := c.ch.get(ctx, h.target)
	if err != nil {
		return nil, &ReferredError{Target: h.target, Err: Classify("dial "+h.target, err)}
	}
	return c.search(ctx, conn, h.target, req, depth, tr)
}

// nonDomainPartitions are the first RDNs of AD's naming contexts that hold
// no users: the configuration (and, below it, the schema) partition and
// the DNS application partitions. AD lists them as continuation references
// in every subtree search from a forest root domain's top.
var nonDomainPartitions = []string{"cn=configuration", "dc=domaindnszones", "dc=forestdnszones"}

// skipReference reports whether a continuation reference leads to a
// partition that holds no users, which searches do not follow.
func skipReference(ref string) bool {
	h, err := parseReferral(ref, "")
	if err != nil || h.dn == "" {
		return false
	}
	first, _, _ := strings.Cut(h.dn, ",")
	first = strings.ToLower(strings.ReplaceAll(first, " ", ""))
	return slices.Contains(nonDomainPartitions, first)
}

// errSearchReference is the error a refused continuation reference
// reports, since no server error comes with one.
func errSearchReference(base string) error {
	return errors.New("search " + base + ": continuation reference")
}

// withBase returns req redirected to where h leads. For a continuation
// reference (RFC 4511 4.5.3) a one-level search continues as a base search
// unless the URL names a scope; a URL's filter replaces req's.
func withBase(req *ldap.SearchRequest, h hop, reference bool) *ldap.SearchRequest {
	r := *req
	r.BaseDN = h.dn
	r.Controls = slices.DeleteFunc(slices.Clone(req.Controls), func(c ldap.Control) bool {
		return c.GetControlType() == ldap.ControlTypePaging
	})
	switch {
	case h.scope >= 0:
		r.Scope = h.scope
	case reference && req.Scope == ldap.ScopeSingleLevel:
		r.Scope = ldap.ScopeBaseObject
	}
	if h.filter != "" {
		r.Filter = h.filter
	}
	return &r
}

// SearchPages pages through home's entries, then through those of every
// referral, in the same calls to page: more is false only on the very
// last page.
func (c *chasing) SearchPages(ctx context.Context, req *ldap.SearchRequest, pageSize uint32, page func([]*ldap.Entry, bool) error) error {
	return c.searchPages(ctx, c.home, "", req, pageSize, page, true, 0, newTrail(c.home, req.BaseDN))
}

func (c *chasing) searchPages(ctx context.Context, conn Conn, target string, req *ldap.SearchRequest, pageSize uint32,
	page func([]*ldap.Entry, bool) error, final bool, depth int, tr *trail) error {
	refs, err := pagedSearch(ctx, conn.Search, req, pageSize, page, func(refs []string) bool {
		return !final || (!c.ch.cfg.Off && slices.ContainsFunc(refs, func(r string) bool { return !skipReference(r) }))
	})
	if target != "" {
		c.ch.put(target, conn, err)
	}
	var re *ReferralError
	if errors.As(err, &re) {
		h, nerr := c.next(err, re.URLs, req.BaseDN, depth, tr)
		if nerr != nil {
			return nerr
		}
		return c.searchPagesAt(ctx, h, withBase(req, h, false), pageSize, page, final, depth+1, tr)
	}
	if err != nil {
		if target != "" {
			return &ReferredError{Target: target, Err: err}
		}
		return err
	}
	if c.ch.cfg.Off {
		return nil
	}
	refs = slices.DeleteFunc(refs, skipReference)
	for i, ref := range refs {
		h, nerr := c.next(errSearchReference(req.BaseDN), []string{ref}, req.BaseDN, depth, tr)
		if nerr != nil {
			return nerr
		}
		if err := c.searchPagesAt(ctx, h, withBase(req, h, true), pageSize, page, final && i == len(refs)-1, depth+1, tr); err != nil {
			return err
		}
	}
	return nil
}

func (c *chasing) searchPagesAt(ctx context.Context, h hop, req *ldap.SearchRequest, pageSize uint32,
	page func([]*ldap.Entry, bool) error, final bool, depth int, tr *trail) error {
	c.ch.cfg.Logger.DebugContext(ctx, "following search referral", keyHost, h.host, keyHops, depth)
	conn, err := c.ch.get(ctx, h.target)
	if err != nil {
		return &ReferredError{Target: h.target, Err: Classify("dial "+h.target, err)}
	}
	return c.searchPages(ctx, conn, h.target, req, pageSize, page, final, depth, tr)
}

// pagedSearch runs req with the simple paged results control through
// search and calls page for each page. On the last page more is
// moreAfter(refs), refs being the continuation references of all pages,
// which it returns. An error from page stops the search.
func pagedSearch(ctx context.Context, search func(context.Context, *ldap.SearchRequest) (*ldap.SearchResult, error),
	req *ldap.SearchRequest, pageSize uint32, page func([]*ldap.Entry, bool) error, moreAfter func(refs []string) bool) ([]string, error) {
	paging := ldap.NewControlPaging(pageSize)
	r := *req
	r.Controls = append(slices.Clone(req.Controls), paging)
	var refs []string
	for {
		res, err := search(ctx, &r)
		if err != nil {
			return refs, err
		}
		refs = append(refs, res.Referrals...)
		var cookie []byte
		if pc, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging); ok {
			cookie = pc.Cookie
		}
		more := len(cookie) > 0
		last := !more
		if last {
			more = moreAfter(refs)
		}
		if err := page(res.Entries, more); err != nil {
			if !last {
				// Release the server's paging state (RFC 2696: size 0).
				paging.SetCookie(cookie)
				paging.PagingSize = 0
				_, _ = search(ctx, &r)
			}
			return refs, err
		}
		if last {
			return refs, nil
		}
		paging.SetCookie(cookie)
	}
}
