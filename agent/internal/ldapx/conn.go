// Package ldapx is the agent's thin layer over github.com/go-ldap/ldap/v3:
// LDAPS dialing with certificate verification, the Conn interface the
// executor programs against, escaping for filters and DNs, objectGUID
// conversions, and the classification of LDAP failures into the shared
// vocabulary of package direrr.
//
//	conn, err := ldapx.Dial(ctx, ldapx.Config{
//		URLs:     []string{"ldaps://dc1.corp.example.com"},
//		BindDN:   "CN=svc-hrsync,OU=Service,DC=corp,DC=example,DC=com",
//		Password: password,
//		CAPEM:    caPEM,
//	})
//	if err != nil {
//		return err // a *direrr.Error: UNAVAILABLE, INVALID_CREDENTIALS, ...
//	}
//	defer conn.Close()
//
// Every error a Conn returns holds a *direrr.Error; no caller needs to look
// at go-ldap's error types or messages.
package ldapx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-ldap/ldap/v3"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// Conn is the subset of LDAP the executor uses. Every method honours ctx:
// when it ends, the call fails with CANCELLED or TIMEOUT and the connection
// is closed.
type Conn interface {
	Search(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error)
	// SearchPages runs req with the simple paged results control and calls
	// page for each page; more is false on the last. An error from page
	// stops the search.
	SearchPages(ctx context.Context, req *ldap.SearchRequest, pageSize uint32, page func(entries []*ldap.Entry, more bool) error) error
	Add(ctx context.Context, req *ldap.AddRequest) error
	Modify(ctx context.Context, req *ldap.ModifyRequest) error
	ModifyDN(ctx context.Context, req *ldap.ModifyDNRequest) error
	Del(ctx context.Context, req *ldap.DelRequest) error
	Close() error
}

// Config says how to reach and authenticate to one domain.
type Config struct {
	// URLs are ldaps:// URLs of domain controllers, tried in order. The
	// certificate must be valid for the URL's host; an IP host must be in
	// the certificate's IP SANs.
	URLs []string
	// BindDN is the DN or UPN of the service account; Password is its
	// password. Simple binds need LDAPS, which is why only ldaps:// is
	// accepted.
	BindDN   string
	Password string
	// CAPEM holds PEM certificates of the CAs that sign the DCs'
	// certificates. RootCAs is used instead when set. With neither, the
	// system roots are used.
	CAPEM   []byte
	RootCAs *x509.CertPool
	// Timeout bounds each dial and each request; 30 s by default.
	Timeout time.Duration
}

// CheckAndSetDefaults validates c and fills in defaults.
func (c *Config) CheckAndSetDefaults() error {
	if len(c.URLs) == 0 {
		return errors.New("ldapx: no URLs")
	}
	for _, u := range c.URLs {
		parsed, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("ldapx: URL %q: %w", u, err)
		}
		if parsed.Scheme != "ldaps" || parsed.Hostname() == "" {
			return fmt.Errorf("ldapx: URL %q: want ldaps://host[:port]", u)
		}
	}
	if c.BindDN == "" {
		return errors.New("ldapx: empty BindDN")
	}
	if c.Password == "" {
		return errors.New("ldapx: empty Password")
	}
	if c.RootCAs == nil && len(c.CAPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(c.CAPEM) {
			return errors.New("ldapx: CAPEM holds no PEM certificate")
		}
		c.RootCAs = pool
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	return nil
}

// Dial connects over LDAPS to the first URL that answers and binds. A
// wrong password fails at once; other failures move on to the next URL.
func Dial(ctx context.Context, cfg Config) (Conn, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, "%v", err)
	}
	var errs []error
	for _, u := range cfg.URLs {
		c, err := dialOne(ctx, &cfg, u)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if code := direrr.CodeOf(err); code == agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS ||
			code == agentv1.ErrorCode_ERROR_CODE_CANCELLED || ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func dialOne(ctx context.Context, cfg *Config, rawURL string) (Conn, error) {
	u, _ := url.Parse(rawURL) // checked by CheckAndSetDefaults
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = ldap.DefaultLdapsPort
	}
	dialCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	d := tls.Dialer{Config: &tls.Config{
		RootCAs:    cfg.RootCAs,
		ServerName: host,
		MinVersion: tls.VersionTLS12,
	}}
	nc, err := d.DialContext(dialCtx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, Classify("dial "+rawURL, err)
	}
	l := ldap.NewConn(nc, true)
	l.Start()
	c := &conn{l: l, nc: nc, timeout: cfg.Timeout, url: rawURL}
	err = c.do(ctx, "bind to "+rawURL+" as "+cfg.BindDN, func() error {
		_, err := l.SimpleBind(&ldap.SimpleBindRequest{Username: cfg.BindDN, Password: cfg.Password})
		return err
	})
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// conn implements Conn over one go-ldap connection.
type conn struct {
	l       *ldap.Conn
	nc      net.Conn
	timeout time.Duration
	url     string
}

// URL returns the URL of the server the connection is bound to.
func (c *conn) URL() string { return c.url }

// do runs f, a blocking go-ldap call, within ctx and the request timeout.
// go-ldap takes no context, so when either ends the network connection is
// closed under it, which fails f at once.
func (c *conn) do(ctx context.Context, op string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return Classify(op, err)
	}
	reqCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	stop := context.AfterFunc(reqCtx, func() { c.nc.Close() })
	err := f()
	stopped := stop()
	var le *ldap.Error
	switch {
	case err == nil:
	case !stopped:
		// The connection was closed because reqCtx ended; report that
		// rather than the resulting network error.
		if ctx.Err() != nil {
			err = ctx.Err()
		} else {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded)
		}
	case c.l.IsClosing() && !(errors.As(err, &le) && le.ResultCode < ldap.ErrorNetwork):
		// go-ldap reports a connection lost mid-request with an untyped
		// error; the closing state is what says the network failed.
		err = ldap.NewError(ldap.ErrorNetwork, fmt.Errorf("connection lost: %w", err))
	}
	if urls := referralURLs(err); urls != nil {
		return &ReferralError{URLs: urls, Err: Classify(op, err)}
	}
	return Classify(op, err)
}

func (c *conn) Search(ctx context.Context, req *ldap.SearchRequest) (res *ldap.SearchResult, err error) {
	err = c.do(ctx, "search "+req.BaseDN, func() error {
		res, err = c.l.Search(req)
		return err
	})
	return res, err
}

func (c *conn) SearchPages(ctx context.Context, req *ldap.SearchRequest, pageSize uint32, page func([]*ldap.Entry, bool) error) error {
	_, err := pagedSearch(ctx, c.Search, req, pageSize, page, func([]string) bool { return false })
	return err
}

func (c *conn) Add(ctx context.Context, req *ldap.AddRequest) error {
	return c.do(ctx, "add "+req.DN, func() error { return c.l.Add(req) })
}

func (c *conn) Modify(ctx context.Context, req *ldap.ModifyRequest) error {
	return c.do(ctx, "modify "+req.DN, func() error { return c.l.Modify(req) })
}

func (c *conn) ModifyDN(ctx context.Context, req *ldap.ModifyDNRequest) error {
	return c.do(ctx, "modify DN of "+req.DN, func() error { return c.l.ModifyDN(req) })
}

func (c *conn) Del(ctx context.Context, req *ldap.DelRequest) error {
	return c.do(ctx, "delete "+req.DN, func() error { return c.l.Del(req) })
}

func (c *conn) Close() error {
	return c.l.Close()
}
