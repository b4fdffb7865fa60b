package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/shared/sambatest"
)

// AgentOptions configures StartAgent.
type AgentOptions struct {
	ID    string
	Dir   string
	Cloud *Cloud
	DC    *sambatest.DC
	// CloudAddr is where the agent dials the cloud; Cloud.GRPCAddr() by
	// default (set it to a bridge's address to put one in between).
	CloudAddr string
	// Proxy becomes cloud.proxy and ProxyPassword the content of
	// cloud.proxy_password_file; both are optional.
	Proxy, ProxyPassword string
	// Token is the bootstrap token to register with; when empty one is
	// created for DC's domain through the admin API.
	Token string
	// FailoverDCs are more DCs of DC's domain, listed after it in the
	// domain's urls (the agent's order of preference). The domain's
	// ca_file then holds every DC's CA.
	FailoverDCs []*sambatest.DC
	// ExtraConfig is YAML appended to the agent's configuration (top-level
	// keys such as dc_health).
	ExtraConfig string
}

// Agent is a running hrsync-agent process.
type Agent struct {
	*process
	opts       AgentOptions
	bins       Binaries
	ConfigFile string
}

// StartAgent enrolls an agent the way an admin does and starts it: it
// writes the configuration, stores the domain password with
// `hrsync-agent credentials set`, registers with `hrsync-agent register`
// and a bootstrap token from the admin API, then starts
// `hrsync-agent run` and waits until the cloud lists it as connected.
func StartAgent(ctx context.Context, bins Binaries, opts AgentOptions) (*Agent, error) {
	a, err := EnrollAgent(ctx, bins, opts)
	if err != nil {
		return nil, err
	}
	return a, a.start(ctx)
}

// EnrollAgent does what StartAgent does but start the agent.
func EnrollAgent(ctx context.Context, bins Binaries, opts AgentOptions) (*Agent, error) {
	if opts.ID == "" {
		opts.ID = "agent-1"
	}
	if opts.CloudAddr == "" {
		opts.CloudAddr = opts.Cloud.GRPCAddr()
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, err
	}
	a := &Agent{opts: opts, bins: bins, ConfigFile: filepath.Join(opts.Dir, "agent.yaml")}
	proxy := ""
	if opts.Proxy != "" {
		proxy = fmt.Sprintf("  proxy: %q\n", opts.Proxy)
	}
	if opts.ProxyPassword != "" {
		ppw := filepath.Join(opts.Dir, "proxy-password")
		if err := os.WriteFile(ppw, []byte(opts.ProxyPassword), 0o600); err != nil {
			return nil, err
		}
		proxy += fmt.Sprintf("  proxy_password_file: %s\n", ppw)
	}
	urls, caFile := opts.DC.URL, opts.DC.CAFile
	if len(opts.FailoverDCs) > 0 {
		pem := slices.Clone(opts.DC.CAPEM)
		for _, dc := range opts.FailoverDCs {
			urls += ", " + dc.URL
			pem = append(pem, dc.CAPEM...)
		}
		caFile = filepath.Join(opts.Dir, "dc-ca.pem")
		if err := os.WriteFile(caFile, pem, 0o644); err != nil {
			return nil, err
		}
	}
	cfg := fmt.Sprintf(`agent_id: %s
state_dir: %s
cloud:
  addr: %s
  ca_file: %s
%sdomains:
  - name: %s
    urls: [%s]
    bind_dn: %q
    ca_file: %s
log:
  level: debug
%s`, opts.ID, filepath.Join(opts.Dir, "state"), opts.CloudAddr, opts.Cloud.CAFile, proxy, opts.DC.Domain, urls, opts.DC.BindDN, caFile, opts.ExtraConfig)
	if err := os.WriteFile(a.ConfigFile, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	if _, err := a.Command(ctx, opts.DC.Password+"\n", "credentials", "set", "--domain", opts.DC.Domain); err != nil {
		return nil, err
	}
	token := opts.Token
	if token == "" {
		var err error
		if token, err = opts.Cloud.CreateAgentToken(ctx, opts.DC.Domain); err != nil {
			return nil, err
		}
	}
	// The token goes in on stdin, as an installer would pass it.
	if _, err := a.Command(ctx, token+"\n", "register"); err != nil {
		return nil, err
	}
	return a, nil
}

// Command runs `hrsync-agent ARGS --config FILE` with stdin and returns its
// combined output; a non-zero exit is an error carrying the output.
func (a *Agent) Command(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, a.bins.Agent, append(args, "--config", a.ConfigFile)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("hrsync-agent %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Start starts `hrsync-agent run` and waits until the agent is connected.
func (a *Agent) Start(ctx context.Context) error { return a.start(ctx) }

func (a *Agent) start(ctx context.Context) error {
	p, err := startProcess("hrsync-agent", filepath.Join(a.opts.Dir, "agent.log"), nil, a.bins.Agent, "run", "--config", a.ConfigFile)
	if err != nil {
		return err
	}
	a.process = p
	return a.WaitConnected(ctx)
}

// WaitConnected waits until the cloud lists this agent.
func (a *Agent) WaitConnected(ctx context.Context) error {
	return waitFor(ctx, a.process, "agent "+a.opts.ID+" to connect", func() bool {
		ids, err := a.opts.Cloud.Agents(ctx)
		return err == nil && slices.Contains(ids, a.opts.ID)
	})
}

// ID is the agent's ID.
func (a *Agent) ID() string { return a.opts.ID }

// Restart starts the agent again with the same configuration and state.
func (a *Agent) Restart(ctx context.Context) error {
	if a.Running() {
		return fmt.Errorf("hrsync-agent is still running")
	}
	return a.start(ctx)
}

// LogDir is where the agent writes its JSON log files.
func (a *Agent) LogDir() string { return filepath.Join(a.opts.Dir, "state", "logs") }

// Reconnects counts how often the agent's log says it connected.
func (a *Agent) Reconnects() int {
	return strings.Count(a.Log(), "connected to cloud")
}
