// Package proxytest runs a real HTTP CONNECT proxy, tinyproxy from the
// Debian package of that name, on 127.0.0.1 for tests of the agent's
// outbound proxy support. It is started with Basic authentication and a
// ConnectPort list, and its log (at LogLevel Connect) shows every CONNECT
// request it handled, so a test can prove its traffic went through it.
//
// A missing tinyproxy fails the test with a message to run
// scripts/install-deps.sh; it is never skipped.
//
//	p := proxytest.New(t, proxytest.Options{User: "alice", Password: "s3cret", ConnectPorts: []int{cloudPort}})
//	cfg.Proxy = p.URL() // http://alice:s3cret@127.0.0.1:NNNN
//	...
//	require.NotEmpty(t, p.Connects())
package proxytest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Options configures the proxy.
type Options struct {
	// User and Password turn on BasicAuth; empty means no authentication.
	User, Password string
	// ConnectPorts are the only ports CONNECT may reach; empty allows all.
	ConnectPorts []int
	// Dir holds the configuration, log and pid file; a new temp dir by default.
	Dir string
	// StartTimeout bounds the wait for the port to answer. Default 10s.
	StartTimeout time.Duration
}

// Proxy is a running tinyproxy.
type Proxy struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// LogFile is tinyproxy's log; Stop removes it.
	LogFile string
	opts    Options
	ownDir  bool // Start made opts.Dir, so Stop removes it
	cmd     *exec.Cmd
	exited  chan struct{}
}

// ErrNotInstalled is returned when the tinyproxy binary is missing.
var ErrNotInstalled = errors.New("tinyproxy is not installed: run scripts/install-deps.sh (Debian package tinyproxy)")

// New starts a proxy and stops it when the test ends. Any failure to start,
// a missing binary included, fails the test.
func New(t testing.TB, opts Options) *Proxy {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	p, err := Start(opts)
	if err != nil {
		t.Fatalf("proxytest: %v", err)
	}
	t.Cleanup(p.Stop)
	return p
}

// Start starts a proxy; the caller stops it.
func Start(opts Options) (*Proxy, error) {
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotInstalled, err)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 10 * time.Second
	}
	ownDir := opts.Dir == ""
	if ownDir {
		if opts.Dir, err = os.MkdirTemp("", "proxytest-"); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// Started as root, tinyproxy drops to nobody before it opens its log,
	// so the log lives in a directory nobody can reach (test directories
	// are owner-only).
	logDir, err := os.MkdirTemp("", "proxytest-log-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(logDir, 0o711); err != nil {
		return nil, err
	}
	p := &Proxy{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), LogFile: filepath.Join(logDir, "tinyproxy.log"), opts: opts, ownDir: ownDir}
	conf, err := p.writeConfig(port)
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(bin, "-d", "-c", conf)
	out, err := os.Create(filepath.Join(opts.Dir, "tinyproxy.out"))
	if err != nil {
		return nil, err
	}
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start tinyproxy: %w", err)
	}
	p.exited = make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		out.Close()
		close(p.exited)
	}()
	deadline := time.Now().Add(opts.StartTimeout)
	for {
		c, err := net.DialTimeout("tcp", p.Addr, time.Second)
		if err == nil {
			c.Close()
			return p, nil
		}
		select {
		case <-p.exited:
			b, _ := os.ReadFile(out.Name())
			return nil, fmt.Errorf("tinyproxy exited at start: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("tinyproxy did not listen on %s within %s", p.Addr, opts.StartTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *Proxy) writeConfig(port int) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Port %d\nListen 127.0.0.1\nTimeout 600\nMaxClients 50\nAllow 127.0.0.1\n", port)
	fmt.Fprintf(&b, "LogFile %q\nLogLevel Connect\nPidFile %q\n", p.LogFile, filepath.Join(p.opts.Dir, "tinyproxy.pid"))
	if p.opts.User != "" {
		fmt.Fprintf(&b, "BasicAuth %s %s\n", p.opts.User, p.opts.Password)
	}
	for _, cp := range p.opts.ConnectPorts {
		fmt.Fprintf(&b, "ConnectPort %d\n", cp)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return "", fmt.Errorf("tinyproxy runs as nobody when started as root: %w", err)
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "User %s\nGroup %s\n", u.Username, g.Name)
		f, err := os.OpenFile(p.LogFile, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return "", err
		}
		f.Close()
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(p.LogFile, uid, gid); err != nil {
			return "", err
		}
	}
	conf := filepath.Join(p.opts.Dir, "tinyproxy.conf")
	return conf, os.WriteFile(conf, []byte(b.String()), 0o600)
}

// URL is the proxy URL with its credentials, e.g. http://alice:pw@127.0.0.1:NNNN.
func (p *Proxy) URL() string {
	u := url.URL{Scheme: "http", Host: p.Addr}
	if p.opts.User != "" {
		u.User = url.UserPassword(p.opts.User, p.opts.Password)
	}
	return u.String()
}

// Log returns tinyproxy's log.
func (p *Proxy) Log() string {
	b, _ := os.ReadFile(p.LogFile)
	return string(b)
}

var connectLine = regexp.MustCompile(`Request \(file descriptor \d+\): CONNECT (\S+) HTTP`)

// Connects lists the target of every CONNECT request in the log, in order,
// whether or not the proxy let it through.
func (p *Proxy) Connects() []string {
	var out []string
	for _, m := range connectLine.FindAllStringSubmatch(p.Log(), -1) {
		out = append(out, m[1])
	}
	return out
}

// Established counts the upstream connections the proxy opened.
func (p *Proxy) Established() int {
	return strings.Count(p.Log(), "Established connection to host")
}

// Stop ends tinyproxy and waits for it. Calling it twice is harmless.
func (p *Proxy) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	_ = os.RemoveAll(filepath.Dir(p.LogFile))
	if p.ownDir {
		_ = os.RemoveAll(p.opts.Dir)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
