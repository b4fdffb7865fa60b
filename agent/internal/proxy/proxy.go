// Package proxy takes the agent's stream to hrsync-cloud through an HTTP
// proxy with CONNECT, optionally authenticating with Basic credentials.
//
// Select decides which proxy, if any, is used: the configured cloud.proxy
// first ("direct" turns proxies off), then HTTPS_PROXY and NO_PROXY from the
// environment. A Dialer opens a TCP connection to the proxy, asks it to
// CONNECT to the cloud and hands the tunnel to gRPC, which runs TLS to the
// cloud inside it, so the proxy sees only the cloud's host and port.
//
//	u, src, err := proxy.Select(cfg.Cloud.Proxy, password, os.Getenv, cfg.Cloud.Addr)
//	if u != nil {
//		linkCfg.Dialer = (&proxy.Dialer{Proxy: u}).DialContext
//	}
//
// Failures are one of three errors, each naming the proxy by host:port and
// never showing the password: ErrUnreachable, ErrAuth (407, or the 401 some
// proxies send for a wrong password) and ErrRefused (any other answer).
package proxy

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Direct, as the configured proxy, means no proxy even when the
// environment names one.
const Direct = "direct"

// Source says where the selected proxy came from.
type Source string

const (
	SourceNone        Source = "none"
	SourceConfig      Source = "config"
	SourceEnvironment Source = "environment"
)

// Errors of the proxy, wrapped with details.
var (
	ErrUnreachable = errors.New("proxy unreachable")
	ErrAuth        = errors.New("proxy authentication failed")
	ErrRefused     = errors.New("proxy refused CONNECT")
)

// ParseURL checks a proxy URL: http://[user[:password]@]host:port. Its
// errors never contain the password.
func ParseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url's errors quote the input, password included.
		return nil, errors.New("not a URL (want http://[user[:password]@]host:port)")
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("scheme %q is not supported (want http://host:port; the tunnel itself carries TLS)", u.Scheme)
	}
	if u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("%q needs a host and a port", u.Redacted())
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("%q has a path or query; a proxy URL is only http://host:port", u.Redacted())
	}
	return u, nil
}

// Select returns the proxy for target (the cloud's host:port), or nil for
// a direct connection. configured wins over the environment; "direct"
// turns the environment off. From the environment HTTPS_PROXY (or
// https_proxy) applies, as for any https URL, unless NO_PROXY (or
// no_proxy) matches target; loopback targets are never proxied from the
// environment. A non-empty password replaces the one in the URL, which
// must then name a user.
func Select(configured, password string, getenv func(string) string, target string) (*url.URL, Source, error) {
	var (
		u   *url.URL
		src Source
		err error
	)
	switch configured {
	case Direct:
		return nil, SourceNone, nil
	case "":
		env := httpproxy.Config{HTTPSProxy: first(getenv("HTTPS_PROXY"), getenv("https_proxy")), NoProxy: first(getenv("NO_PROXY"), getenv("no_proxy"))}
		u, err = env.ProxyFunc()(&url.URL{Scheme: "https", Host: target})
		if err != nil {
			return nil, SourceEnvironment, errors.New("HTTPS_PROXY is not a URL")
		}
		if u == nil {
			return nil, SourceNone, nil
		}
		if u, err = ParseURL(u.String()); err != nil {
			return nil, SourceEnvironment, fmt.Errorf("HTTPS_PROXY: %w", err)
		}
		src = SourceEnvironment
	default:
		if u, err = ParseURL(configured); err != nil {
			return nil, SourceConfig, err
		}
		src = SourceConfig
	}
	if password != "" {
		if u.User == nil || u.User.Username() == "" {
			return nil, src, fmt.Errorf("a proxy password is set but the %s proxy URL %q names no user", src, u.Redacted())
		}
		u.User = url.UserPassword(u.User.Username(), password)
	}
	return u, src, nil
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Dialer opens tunnels through one proxy.
type Dialer struct {
	// Proxy is the proxy's URL, with credentials if it needs them.
	Proxy *url.URL
	// Timeout bounds the TCP connection and the CONNECT exchange when the
	// context has no earlier deadline. Default 30s.
	Timeout time.Duration
	// Dial opens the TCP connection to the proxy; net.Dialer by default.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// DialContext returns a connection to target tunnelled through the proxy.
// Its signature fits grpc.WithContextDialer.
func (d *Dialer) DialContext(ctx context.Context, target string) (net.Conn, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := d.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	proxyAddr := d.Proxy.Host
	conn, err := dial(ctx, "tcp", proxyAddr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, proxyAddr, err)
	}
	// Closing the connection is how a cancelled context interrupts the
	// exchange below.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	tunnel, err := d.connect(conn, target)
	if !stop() {
		// The context ended during the exchange: the connection is closed.
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("%w: %s: no answer to CONNECT: %w", ErrUnreachable, proxyAddr, err)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return tunnel, nil
}

// connect sends CONNECT target and reads the answer.
func (d *Dialer) connect(conn net.Conn, target string) (net.Conn, error) {
	proxyAddr := d.Proxy.Host
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{},
	}
	user, pass := "", ""
	if d.Proxy.User != nil {
		user = d.Proxy.User.Username()
		pass, _ = d.Proxy.User.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	if err := req.Write(conn); err != nil {
		return nil, fmt.Errorf("%w: %s: send CONNECT: %w", ErrUnreachable, proxyAddr, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: read the answer to CONNECT: %w", ErrUnreachable, proxyAddr, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusProxyAuthRequired || resp.StatusCode == http.StatusUnauthorized:
		if user == "" {
			return nil, fmt.Errorf("%w: %s answered %q and no credentials are configured (set the user in the proxy URL and the password in cloud.proxy_password_file or HRSYNC_AGENT_PROXY_PASSWORD)",
				ErrAuth, proxyAddr, resp.Status)
		}
		return nil, fmt.Errorf("%w: %s rejected user %q (%s)", ErrAuth, proxyAddr, user, resp.Status)
	default:
		return nil, fmt.Errorf("%w: %s answered %q to CONNECT %s", ErrRefused, proxyAddr, resp.Status, target)
	}
	if br.Buffered() > 0 {
		// The cloud spoke first and the reader holds its first bytes.
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn reads what the CONNECT reader buffered before the socket.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
