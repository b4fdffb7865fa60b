package sambatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// instancePrefix starts the name of every instance directory.
const instancePrefix = "hrsync-dc-"

// Options configures Start. The zero value is usable.
type Options struct {
	// Dir is where the instance directory is created; os.TempDir() by
	// default. Keep it short: samba puts unix sockets inside.
	Dir string
	// TemplateDir caches the provisioned domain; by default
	// hrsync-samba-template-v1 under os.TempDir().
	TemplateDir string
	// StartTimeout bounds the wait for the first LDAPS bind; 60 s by
	// default.
	StartTimeout time.Duration
	// KeepDir keeps the instance directory after Stop, for debugging.
	KeepDir bool
	// Joinable also runs the RPC and replication services, so that Join
	// can add another DC to the domain.
	Joinable bool
}

// CheckAndSetDefaults fills in defaults and checks the prerequisites: Linux,
// root, and the samba, samba-tool, cp and ip commands.
func (o *Options) CheckAndSetDefaults() error {
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	if o.TemplateDir == "" {
		o.TemplateDir = filepath.Join(os.TempDir(), templateName)
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 60 * time.Second
	}
	if !supported {
		return errors.New("sambatest runs samba only on Linux")
	}
	if os.Geteuid() != 0 {
		return errors.New("sambatest needs root: it adds 127.0.0.N addresses to lo and runs samba as a domain controller")
	}
	tools := []struct{ cmd, pkg string }{
		{"samba", "samba-ad-dc (apt-get install samba samba-ad-dc samba-ad-provision)"},
		{"samba-tool", "samba-ad-provision (apt-get install samba samba-ad-dc samba-ad-provision)"},
		{"ip", "iproute2"},
		{"cp", "coreutils"},
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool.cmd); err != nil {
			return fmt.Errorf("sambatest needs %s from the Debian package %s: %w", tool.cmd, tool.pkg, err)
		}
	}
	return nil
}

// DC is a running Samba domain controller for the domain hrsync.test.
type DC struct {
	// URL is the LDAPS URL, ldaps://127.0.0.N:636.
	URL string
	// Addr is the loopback address the DC listens on, 127.0.0.N.
	Addr string
	// Domain is the DNS name of the domain, hrsync.test.
	Domain string
	// BaseDN is the domain's naming context, DC=hrsync,DC=test.
	BaseDN string
	// NetBIOSName is the DC's computer name, HRSYNCDC for a copy of the
	// template.
	NetBIOSName string
	// BindDN and BindUPN name the domain Administrator.
	BindDN  string
	BindUPN string
	// Password is the Administrator's password.
	Password string
	// CAFile holds CAPEM, the CA that signed the DC's certificate.
	CAFile string
	CAPEM  []byte
	// Dir is the instance directory, with smb.conf under etc/ and the
	// samba logs at the top.
	Dir string

	keepDir  bool
	joinable bool
	cmd      *exec.Cmd
	lease    *addrLease
	exited   chan struct{} // closed once samba has been reaped
	waitErr  error         // set before exited is closed

	stopOnce sync.Once
	stopErr  error
}

// Start provisions or copies a domain and runs samba until Stop. ctx bounds
// the start only. It returns when an LDAPS bind as Administrator succeeds.
func Start(ctx context.Context, opts Options) (_ *DC, err error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()

	lease, err := leaseAddr(ctx)
	if err != nil {
		return nil, fmt.Errorf("sambatest: %w", err)
	}
	dir, err := os.MkdirTemp(opts.Dir, instancePrefix)
	if err != nil {
		lease.release()
		return nil, fmt.Errorf("sambatest: create instance directory: %w", err)
	}
	dc := &DC{
		NetBIOSName: strings.ToUpper(hostName),
		URL:         "ldaps://" + net.JoinHostPort(lease.addr, "636"),
		Addr:        lease.addr,
		Domain:      domainName,
		BaseDN:      baseDN,
		BindDN:      "CN=Administrator,CN=Users," + baseDN,
		BindUPN:     "Administrator@" + domainName,
		Dir:         dir,
		keepDir:     opts.KeepDir,
		joinable:    opts.Joinable,
		lease:       lease,
		exited:      make(chan struct{}),
	}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("sambatest: %w", err), dc.Stop())
		}
	}()
	if err := lease.record(os.Getpid(), dir); err != nil {
		return nil, err
	}
	tmpl, err := copyTemplate(ctx, opts.TemplateDir, dir)
	if err != nil {
		return nil, err
	}
	dc.Password = tmpl.password
	tf, err := writeTLS(filepath.Join(dir, "tls"), net.ParseIP(lease.addr))
	if err != nil {
		return nil, err
	}
	dc.CAFile, dc.CAPEM = tf.caFile, tf.caPEM
	services := "ldap, cldap, kdc"
	if opts.Joinable {
		services = joinServices
	}
	if err := configure(dir, tmpl.dir, lease.addr, tf, services); err != nil {
		return nil, err
	}
	if err := dc.run(); err != nil {
		return nil, err
	}
	if err := dc.waitReady(ctx); err != nil {
		return nil, err
	}
	return dc, nil
}

// run starts samba in the foreground in its own process group.
func (dc *DC) run() error {
	out, err := os.Create(filepath.Join(dc.Dir, "samba.out"))
	if err != nil {
		return fmt.Errorf("create samba output file: %w", err)
	}
	defer out.Close()
	cmd := exec.Command("samba", "-s", filepath.Join(dc.Dir, "etc", "smb.conf"), "-i", "-M", "single")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = processAttrs()
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked samba
		// exits, not the process, and the Go runtime retires threads
		// (pgtest does, after initdb). So the forking thread stays locked
		// to this goroutine, which lives as long as samba.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			runtime.UnlockOSThread()
			started <- err
			return
		}
		started <- nil
		dc.waitErr = cmd.Wait()
		close(dc.exited)
		// Returning while locked retires the thread; samba is gone.
	}()
	if err := <-started; err != nil {
		close(dc.exited)
		return fmt.Errorf("start samba: %w", err)
	}
	dc.cmd = cmd
	// The process group has samba's pid; record it so a later process can
	// reclaim the address if this one dies without Stop.
	return dc.lease.record(cmd.Process.Pid, dc.Dir)
}

// waitReady polls until an LDAPS bind succeeds, samba exits or ctx ends.
func (dc *DC) waitReady(ctx context.Context) error {
	var lastErr error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := dc.Dial(attempt)
		cancel()
		if err == nil {
			conn.Close()
			return nil
		}
		lastErr = err
		select {
		case <-dc.exited:
			return fmt.Errorf("samba exited before serving LDAPS (%v)\n%s", dc.waitErr, dc.LogTail())
		case <-ctx.Done():
			return fmt.Errorf("no LDAPS bind to %s: %w (last error: %v)\n%s", dc.URL, ctx.Err(), lastErr, dc.LogTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TLSConfig returns a client configuration that verifies the DC against
// its CA.
func (dc *DC) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(dc.CAPEM)
	return &tls.Config{RootCAs: pool, ServerName: dc.Addr, MinVersion: tls.VersionTLS12}
}

// Dial opens an LDAPS connection bound as Administrator. ctx bounds the
// dial and the bind.
func (dc *DC) Dial(ctx context.Context) (*ldap.Conn, error) {
	d := tls.Dialer{Config: dc.TLSConfig()}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(dc.Addr, "636"))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", dc.URL, err)
	}
	conn := ldap.NewConn(nc, true)
	conn.Start()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	if err := conn.Bind(dc.BindDN, dc.Password); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bind to %s as %s: %w", dc.URL, dc.BindDN, err)
	}
	return conn, nil
}

// CreateOU creates the organizational unit name directly under BaseDN and
// returns its DN.
func (dc *DC) CreateOU(ctx context.Context, name string) (string, error) {
	conn, err := dc.Dial(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// ldap.EscapeDN leaves '=' alone, which AD rejects in a value.
	dn := "OU=" + strings.ReplaceAll(ldap.EscapeDN(name), "=", `\=`) + "," + dc.BaseDN
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	if err := conn.Add(req); err != nil {
		return "", fmt.Errorf("create OU %s: %w", dn, err)
	}
	return dn, nil
}

// LogTail returns the end of samba's output and log files.
func (dc *DC) LogTail() string {
	files, _ := filepath.Glob(filepath.Join(dc.Dir, "log.*"))
	files = append([]string{filepath.Join(dc.Dir, "samba.out")}, files...)
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || len(data) == 0 {
			continue
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", f, tail(data, 2048))
	}
	return b.String()
}

// Stop terminates samba and every process it started, waits for them,
// releases the address and removes the instance directory. It is safe to
// call more than once.
func (dc *DC) Stop() error {
	dc.stopOnce.Do(func() { dc.stopErr = dc.stop() })
	return dc.stopErr
}

func (dc *DC) stop() error {
	var errs []error
	if dc.cmd != nil {
		pgid := dc.cmd.Process.Pid
		errs = append(errs, signalGroup(pgid, false))
		select {
		case <-dc.exited:
		case <-time.After(5 * time.Second):
			errs = append(errs, signalGroup(pgid, true))
			<-dc.exited
		}
		// Children that outlived samba are still in its group.
		errs = append(errs, signalGroup(pgid, true))
	}
	errs = append(errs, dc.lease.release())
	if !dc.keepDir {
		if err := os.RemoveAll(dc.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove instance directory: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sambatest: stop %s: %w", dc.Addr, err)
	}
	return nil
}

// New starts a DC for a test and stops it when the test ends. It fails the
// test, naming what is missing, when samba cannot run here.
func New(t testing.TB) *DC {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith is New with options.
func NewWith(t testing.TB, opts Options) *DC {
	t.Helper()
	dc, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("start Samba AD DC: %v", err)
	}
	t.Cleanup(func() {
		if err := dc.Stop(); err != nil {
			t.Errorf("stop Samba AD DC: %v", err)
		}
	})
	return dc
}
