package slapdtest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/shared/tlsutil"
)

// installHint says how to get slapd.
const installHint = "install the Debian package slapd: run scripts/install-deps.sh (or make deps) as root"

// Options configures Start. The zero value is usable.
type Options struct {
	// Suffix is the naming context served; dc=hrsync,dc=test by default.
	Suffix string
	// Password is the root DN's password; random by default. Give servers
	// the same one so one set of credentials binds to all of them.
	Password string
	// Dir is where the instance directory is created; os.TempDir() by
	// default.
	Dir string
	// StartTimeout bounds the wait for the first bind; 30 s by default.
	StartTimeout time.Duration
}

// CheckAndSetDefaults fills in defaults and checks that slapd is installed.
func (o *Options) CheckAndSetDefaults() error {
	if o.Suffix == "" {
		o.Suffix = "dc=hrsync,dc=test"
	}
	if !strings.HasPrefix(strings.ToLower(o.Suffix), "dc=") {
		return fmt.Errorf("slapdtest: suffix %q: want dc=...", o.Suffix)
	}
	if o.Password == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("slapdtest: generate password: %w", err)
		}
		o.Password = fmt.Sprintf("Pw-%x", b)
	}
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if _, err := slapdPath(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(moduleDir, "back_mdb.so")); err != nil {
		return fmt.Errorf("slapdtest: no mdb backend in %s (%s): %w", moduleDir, installHint, err)
	}
	return nil
}

// adSchema adds the few Active Directory attributes the agent reads and
// matches on, with AD's OIDs, and the auxiliary class ADAccount that
// allows them on any entry. Tests give entries an objectGUID of 16 bytes.
const adSchema = `attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.35 NAME 'employeeID' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.1 NAME 'ADAccount' AUXILIARY MAY ( objectGUID $ sAMAccountName $ userPrincipalName $ employeeID $ userAccountControl ) )
`

const (
	moduleDir = "/usr/lib/ldap"
	schemaDir = "/etc/ldap/schema"
)

func slapdPath() (string, error) {
	if p, err := exec.LookPath("slapd"); err == nil {
		return p, nil
	}
	// Debian installs it in /usr/sbin, which is not always on PATH.
	if _, err := os.Stat("/usr/sbin/slapd"); err == nil {
		return "/usr/sbin/slapd", nil
	}
	return "", fmt.Errorf("slapdtest needs slapd, which is not installed: %s", installHint)
}

// Server is a running slapd.
type Server struct {
	// URL is the LDAPS URL, ldaps://127.0.0.1:port.
	URL string
	// Host is 127.0.0.1 and Port the listening port.
	Host string
	Port int
	// Suffix is the naming context; BindDN (cn=admin,<suffix>) and
	// Password bind as its root.
	Suffix   string
	BindDN   string
	Password string
	// CAPEM holds the CA that signed the server's certificate.
	CAPEM []byte
	// Dir is the instance directory, with slapd.conf and slapd.out.
	Dir string

	cmd    *exec.Cmd
	exited chan struct{}

	stopOnce sync.Once
	stopErr  error
}

// Start runs slapd until Stop. ctx bounds the start only.
func Start(ctx context.Context, opts Options) (_ *Server, err error) {
	if err := opts.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	dir, err := os.MkdirTemp(opts.Dir, "hrsync-slapd-")
	if err != nil {
		return nil, fmt.Errorf("slapdtest: create instance directory: %w", err)
	}
	s := &Server{
		Host:     "127.0.0.1",
		Suffix:   opts.Suffix,
		BindDN:   "cn=admin," + opts.Suffix,
		Password: opts.Password,
		Dir:      dir,
		exited:   make(chan struct{}),
	}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("slapdtest: %w", err), s.Stop())
		}
	}()
	if s.Port, err = freePort(); err != nil {
		return nil, err
	}
	s.URL = "ldaps://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	if err := s.writeConfig(); err != nil {
		return nil, err
	}
	if err := s.run(); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		return nil, err
	}
	dc := strings.SplitN(strings.SplitN(s.Suffix, ",", 2)[0], "=", 2)[1]
	conn, err := s.Dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	root := ldap.NewAddRequest(s.Suffix, nil)
	root.Attribute("objectClass", []string{"dcObject", "organization"})
	root.Attribute("dc", []string{dc})
	root.Attribute("o", []string{dc})
	if err := conn.Add(root); err != nil {
		return nil, fmt.Errorf("add suffix entry %s: %w", s.Suffix, err)
	}
	return s, nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) writeConfig() error {
	ca, caKey, caPEM, err := tlsutil.NewCA("slapdtest CA " + filepath.Base(s.Dir))
	if err != nil {
		return err
	}
	certPEM, keyPEM, err := tlsutil.IssueServer(ca, caKey, []string{s.Host, "localhost"})
	if err != nil {
		return err
	}
	s.CAPEM = caPEM
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{{"ca.pem", caPEM, 0o644}, {"cert.pem", certPEM, 0o644}, {"key.pem", keyPEM, 0o600}} {
		if err := os.WriteFile(filepath.Join(s.Dir, f.name), f.data, f.mode); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, "db"), 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "hrsync-ad.schema"), []byte(adSchema), 0o644); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	conf := fmt.Sprintf(`include %[1]s/core.schema
include %[1]s/cosine.schema
include %[1]s/inetorgperson.schema
include %[2]s/hrsync-ad.schema
pidfile %[2]s/slapd.pid
argsfile %[2]s/slapd.args
modulepath %[3]s
moduleload back_mdb
TLSCACertificateFile %[2]s/ca.pem
TLSCertificateFile %[2]s/cert.pem
TLSCertificateKeyFile %[2]s/key.pem
database mdb
maxsize 67108864
suffix "%[4]s"
rootdn "%[5]s"
rootpw "%[6]s"
directory %[2]s/db
index objectClass eq
`, schemaDir, s.Dir, moduleDir, s.Suffix, s.BindDN, s.Password)
	if err := os.WriteFile(filepath.Join(s.Dir, "slapd.conf"), []byte(conf), 0o600); err != nil {
		return fmt.Errorf("write slapd.conf: %w", err)
	}
	return nil
}

// run starts slapd in the foreground (-d keeps it from detaching).
func (s *Server) run() error {
	path, err := slapdPath()
	if err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(s.Dir, "slapd.out"))
	if err != nil {
		return fmt.Errorf("create slapd output file: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(path, "-d", "0", "-h", s.URL+"/", "-f", filepath.Join(s.Dir, "slapd.conf"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		close(s.exited)
		return fmt.Errorf("start slapd: %w", err)
	}
	s.cmd = cmd
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	return nil
}

func (s *Server) waitReady(ctx context.Context) error {
	var lastErr error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := s.Dial(attempt)
		cancel()
		if err == nil {
			conn.Close()
			return nil
		}
		lastErr = err
		select {
		case <-s.exited:
			return fmt.Errorf("slapd exited before serving LDAPS\n%s", s.LogTail())
		case <-ctx.Done():
			return fmt.Errorf("no LDAPS bind to %s: %w (last error: %v)\n%s", s.URL, ctx.Err(), lastErr, s.LogTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TLSConfig returns a client configuration that verifies the server.
func (s *Server) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	return &tls.Config{RootCAs: pool, ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// Dial opens an LDAPS connection bound as the root DN. ctx bounds the dial
// and the bind.
func (s *Server) Dial(ctx context.Context) (*ldap.Conn, error) {
	d := tls.Dialer{Config: s.TLSConfig()}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", s.URL, err)
	}
	conn := ldap.NewConn(nc, true)
	conn.Start()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	if err := conn.Bind(s.BindDN, s.Password); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bind to %s as %s: %w", s.URL, s.BindDN, err)
	}
	return conn, nil
}

// AddEntry adds dn with the given object classes and, for each
// attribute=value pair in attrs, that value. The RDN's value is added
// for its attribute.
func (s *Server) AddEntry(ctx context.Context, dn string, objectClass string, attrs ...string) error {
	conn, err := s.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := ldap.NewAddRequest(dn, []ldap.Control{ldap.NewControlManageDsaIT(true)})
	req.Attribute("objectClass", strings.Split(objectClass, " "))
	vals := map[string][]string{}
	var order []string
	add := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = append(vals[k], v)
	}
	if parsed, err := ldap.ParseDN(dn); err == nil && len(parsed.RDNs) > 0 {
		for _, a := range parsed.RDNs[0].Attributes {
			add(a.Type, a.Value)
		}
	}
	for _, kv := range attrs {
		k, v, _ := strings.Cut(kv, "=")
		add(k, v)
	}
	for _, k := range order {
		req.Attribute(k, vals[k])
	}
	if err := conn.Add(req); err != nil {
		return fmt.Errorf("add %s: %w", dn, err)
	}
	return nil
}

// AddReferral adds dn as a referral object (RFC 3296) pointing at urls,
// such as ldaps://127.0.0.1:port/ou=remote,dc=hrsync,dc=test: from then on
// the server answers operations on dn and below with a referral.
func (s *Server) AddReferral(ctx context.Context, dn string, urls ...string) error {
	attrs := make([]string, len(urls))
	for i, u := range urls {
		attrs[i] = "ref=" + u
	}
	return s.AddEntry(ctx, dn, "referral extensibleObject", attrs...)
}

// LogTail returns the end of slapd's output.
func (s *Server) LogTail() string {
	data, _ := os.ReadFile(filepath.Join(s.Dir, "slapd.out"))
	if len(data) > 4096 {
		data = data[len(data)-4096:]
	}
	return string(data)
}

// Stop terminates slapd and removes the instance directory. It is safe to
// call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.cmd != nil {
			_ = s.cmd.Process.Signal(os.Interrupt)
			select {
			case <-s.exited:
			case <-time.After(5 * time.Second):
				_ = s.cmd.Process.Kill()
				<-s.exited
			}
		}
		if err := os.RemoveAll(s.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove instance directory: %w", err))
		}
		if err := errors.Join(errs...); err != nil {
			s.stopErr = fmt.Errorf("slapdtest: stop %s: %w", s.URL, err)
		}
	})
	return s.stopErr
}

// New starts a server for a test and stops it when the test ends. It
// fails the test, saying how to install slapd, when slapd is missing.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("start slapd: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop slapd: %v", err)
		}
	})
	return s
}
