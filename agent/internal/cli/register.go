package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/hrsync/hrsync/agent/internal/config"
	"github.com/hrsync/hrsync/agent/internal/credstore"
	"github.com/hrsync/hrsync/agent/internal/enroll"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// console reads answers from stdin: with prompts and hidden secrets when
// it is a terminal, line by line otherwise (an installer piping them).
type console struct {
	in       *os.File
	r        *bufio.Reader
	terminal bool
	prompts  io.Writer
}

func newConsole() *console {
	return &console{in: os.Stdin, r: bufio.NewReader(os.Stdin), terminal: term.IsTerminal(int(os.Stdin.Fd())), prompts: os.Stderr}
}

// line asks for a visible value.
func (c *console) line(prompt string) (string, error) {
	if c.terminal {
		fmt.Fprint(c.prompts, prompt)
	}
	s, err := c.r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// secret asks for a value without echoing it in a terminal.
func (c *console) secret(prompt string) (string, error) {
	if !c.terminal {
		return c.line("")
	}
	fmt.Fprint(c.prompts, prompt)
	b, err := term.ReadPassword(int(c.in.Fd()))
	fmt.Fprintln(c.prompts)
	return strings.TrimRight(string(b), "\r\n"), err
}

// loadLayers loads the configuration without resolving secrets or
// validating: register and credentials run before it is complete.
func loadLayers(fs *flag.FlagSet, args []string, getenv func(string) string) (config.Config, error) {
	cfg := config.Default()
	file := configArg(args, getenv("HRSYNC_AGENT_CONFIG"))
	if file != "" {
		if err := cfg.LoadFile(file); err != nil {
			return cfg, err
		}
	}
	cfg.LoadEnv(getenv)
	fs.String("config", file, "YAML configuration file")
	cfg.AddFlags(fs)
	return cfg, nil
}

// configArg finds --config FILE (or -config, or =FILE) among args, which
// may hold flags the caller defines later.
func configArg(args []string, def string) string {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return def
}

func register(ctx context.Context, args []string, con *console, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hrsync-agent register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadLayers(fs, args, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 2
	}
	cloud := fs.String("cloud", "", "hrsync-cloud gateway, host:port or https://host:port (default: cloud.addr)")
	token := fs.String("token", "", "bootstrap token (or HRSYNC_AGENT_BOOTSTRAP_TOKEN, or typed/piped on stdin, which keeps it out of the process list)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	agentIDSet := false
	fs.Visit(func(f *flag.Flag) { agentIDSet = agentIDSet || f.Name == "agent-id" })

	addr := *cloud
	if addr == "" {
		addr = cfg.Cloud.Addr
	}
	if addr == "" && con.terminal {
		if addr, err = con.line("hrsync-cloud gateway (host:port): "); err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
			return 2
		}
	}
	addr, err = gatewayAddr(addr)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: --cloud: %v\n", err)
		return 2
	}
	if con.terminal && !agentIDSet {
		if name, err := con.line(fmt.Sprintf("Agent name [%s]: ", cfg.AgentID)); err == nil && strings.TrimSpace(name) != "" {
			cfg.AgentID = strings.TrimSpace(name)
		}
	}
	tok := *token
	if tok == "" {
		tok = os.Getenv("HRSYNC_AGENT_BOOTSTRAP_TOKEN")
	}
	if tok == "" {
		if tok, err = con.secret("Bootstrap token (input hidden): "); err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintf(stderr, "hrsync-agent: read token: %v\n", err)
			return 2
		}
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		fmt.Fprintln(stderr, "hrsync-agent: no bootstrap token: pass --token, set HRSYNC_AGENT_BOOTSTRAP_TOKEN or type it on stdin (create one with hrsyncctl agent token create)")
		return 2
	}

	serverName := cfg.Cloud.ServerName
	if serverName == "" {
		serverName, _, _ = net.SplitHostPort(addr)
	}
	tlsCfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	var caPEM []byte
	if cfg.Cloud.CAFile != "" {
		if tlsCfg, err = tlsutil.ClientConfig(cfg.Cloud.CAFile, serverName); err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: --cloud-ca: %v\n", err)
			return 2
		}
		if caPEM, err = os.ReadFile(cfg.Cloud.CAFile); err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: --cloud-ca: %v\n", err)
			return 2
		}
	}
	if err := cfg.ResolveSecrets(); err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 2
	}
	// Through the proxy the stream will use, when there is one.
	dial, _, _, err := cloudDialer(cfg, addr)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 2
	}
	target, dialOpts := addr, []grpc.DialOption{grpc.WithNoProxy()}
	if dial != nil {
		target, dialOpts = "passthrough:///"+addr, append(dialOpts, grpc.WithContextDialer(dial))
	}
	host, _ := os.Hostname()
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	dir := enroll.Dir(cfg.StateDir)
	ident, err := enroll.Register(rctx, enroll.RegisterConfig{Addr: target, TLS: tlsCfg, CloudCAPEM: caPEM, Token: tok,
		AgentID: cfg.AgentID, Hostname: host, Dir: dir, DialOptions: dialOpts})
	if err != nil {
		if st, ok := status.FromError(errors.Unwrap(err)); ok {
			fmt.Fprintf(stderr, "hrsync-agent: registration refused (%s): %s\n", st.Code(), st.Message())
		} else {
			fmt.Fprintf(stderr, "hrsync-agent: registration failed: %v\n", err)
		}
		return 1
	}
	fmt.Fprintf(stdout, "Enrolled as agent %s for %s; certificate valid until %s, kept in %s.\n",
		ident.AgentID(), strings.Join(ident.Domains(), ", "), ident.Certificate().NotAfter.Format(time.RFC3339), dir)
	fmt.Fprintf(stdout, "Next: hrsync-agent credentials set --domain DOMAIN for each domain, then hrsync-agent run (or install).\n")
	return 0
}

// gatewayAddr turns --cloud into host:port (https:// and a path are
// dropped; the port defaults to 8443).
func gatewayAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("the cloud's gateway address is required")
	}
	for _, p := range []string{"https://", "grpcs://", "dns:///"} {
		s = strings.TrimPrefix(s, p)
	}
	s, _, _ = strings.Cut(s, "/")
	if _, _, err := net.SplitHostPort(s); err != nil {
		s = net.JoinHostPort(s, "8443")
	}
	host, port, err := net.SplitHostPort(s)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q is not host:port", s)
	}
	return s, nil
}

func credentialsCmd(args []string, con *console, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "set" {
		fmt.Fprintln(stderr, "hrsync-agent: usage: hrsync-agent credentials set --domain DOMAIN [--config FILE]")
		return 2
	}
	fs := flag.NewFlagSet("hrsync-agent credentials set", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadLayers(fs, args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 2
	}
	domain := fs.String("domain", "", "AD domain (DNS name) whose service-account password to store")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *domain == "" {
		fmt.Fprintln(stderr, "hrsync-agent: credentials set needs --domain DOMAIN")
		return 2
	}
	pw, err := con.secret(fmt.Sprintf("Password of the service account for %s: ", *domain))
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "hrsync-agent: read password: %v\n", err)
		return 2
	}
	if con.terminal {
		again, err := con.secret("Again: ")
		if err != nil || again != pw {
			fmt.Fprintln(stderr, "hrsync-agent: the passwords differ; nothing stored")
			return 2
		}
	}
	if pw == "" {
		fmt.Fprintln(stderr, "hrsync-agent: empty password; nothing stored (type it, or pipe it on stdin)")
		return 2
	}
	cs := credstore.New(cfg.CredentialsDir())
	if err := cs.Set(*domain, pw); err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Stored the password for %s in %s; it never leaves this host.\n", *domain, cs.Path(*domain))
	return 0
}
