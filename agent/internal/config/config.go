// Package config is hrsync-agent's configuration: one struct, loaded as
// defaults, then a YAML file, then HRSYNC_AGENT_* environment variables,
// then command-line flags, then validated with errors that name the field.
// Directory passwords stay on the agent: they come from the credential
// store (hrsync-agent credentials set), a root-only file or the
// environment, and are never sent to the cloud. The agent's identity is
// its enrollment (hrsync-agent register), kept in the state directory.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/hrsync/hrsync/agent/internal/credstore"
	"github.com/hrsync/hrsync/shared/confload"
)

// Config is everything hrsync-agent needs.
type Config struct {
	// AgentID is the name the agent asks for when it registers; the
	// hostname by default. Once enrolled, the certificate's name counts.
	AgentID string `yaml:"agent_id"`
	// StateDir holds the operation journal, the enrolled identity
	// (identity/) and the domain credentials (credentials/).
	StateDir string `yaml:"state_dir"`
	Cloud    Cloud  `yaml:"cloud"`
	// Domains are the AD domains this agent writes to.
	Domains []Domain `yaml:"domains"`
	// MaxConcurrent operations. Default 8.
	MaxConcurrent int `yaml:"max_concurrent"`
	Log           Log `yaml:"log"`
}

// Cloud says how to reach hrsync-cloud.
type Cloud struct {
	// Addr is the gateway's host:port; the address the agent registered
	// with when empty.
	Addr string `yaml:"addr"`
	// CAFile is the CA that signed the gateway's certificate; when empty,
	// the CA given at registration, else the system roots. The agent
	// always verifies the cloud.
	CAFile string `yaml:"ca_file"`
	// ServerName overrides the name checked in the certificate.
	ServerName string `yaml:"server_name"`
}

// Domain is one AD domain and how to reach its DCs.
type Domain struct {
	// Name is the DNS name, e.g. corp.example.com.
	Name string `yaml:"name"`
	// URLs are ldaps:// URLs of preferred DCs, in order.
	URLs   []string `yaml:"urls"`
	BindDN string   `yaml:"bind_dn"`
	// PasswordFile holds the service account's password (owner-only);
	// when empty the credential store (hrsync-agent credentials set) is
	// used, or HRSYNC_AGENT_LDAP_PASSWORD (one domain).
	PasswordFile string `yaml:"password_file"`
	Password     string `yaml:"-"`
	// CAFile verifies the DCs' LDAPS certificates; system roots when empty.
	CAFile string `yaml:"ca_file"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Default returns a complete configuration.
func Default() Config {
	host, _ := os.Hostname()
	stateDir := "/var/lib/hrsync-agent"
	if runtime.GOOS == "windows" {
		stateDir = filepath.Join(os.Getenv("ProgramData"), "hrsync", "agent")
	}
	return Config{
		AgentID:       host,
		StateDir:      stateDir,
		MaxConcurrent: 8,
		Log:           Log{Level: "info", Format: "text"},
	}
}

// FieldError names the field that is wrong.
type FieldError = confload.FieldError

var fieldErr = confload.Field

// LoadFile overlays a YAML file; unknown keys are errors.
func (c *Config) LoadFile(path string) error { return confload.YAMLFile(path, c) }

// LoadEnv overlays HRSYNC_AGENT_* variables.
func (c *Config) LoadEnv(getenv func(string) string) {
	for k, p := range map[string]*string{
		"HRSYNC_AGENT_ID": &c.AgentID, "HRSYNC_AGENT_STATE_DIR": &c.StateDir, "HRSYNC_AGENT_CLOUD_ADDR": &c.Cloud.Addr,
		"HRSYNC_AGENT_CLOUD_CA_FILE": &c.Cloud.CAFile,
		"HRSYNC_AGENT_LOG_LEVEL":     &c.Log.Level, "HRSYNC_AGENT_LOG_FORMAT": &c.Log.Format,
	} {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	if v := getenv("HRSYNC_AGENT_LDAP_PASSWORD"); v != "" && len(c.Domains) == 1 {
		c.Domains[0].Password = v
	}
}

// AddFlags binds flags to the struct.
func (c *Config) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.AgentID, "agent-id", c.AgentID, "name of this agent")
	fs.StringVar(&c.StateDir, "state-dir", c.StateDir, "directory for the journal, the identity and the credentials")
	fs.StringVar(&c.Cloud.Addr, "cloud-addr", c.Cloud.Addr, "hrsync-cloud gateway host:port (default: the one registered with)")
	fs.StringVar(&c.Cloud.CAFile, "cloud-ca", c.Cloud.CAFile, "CA file that signed the cloud's certificate")
	fs.StringVar(&c.Log.Level, "log-level", c.Log.Level, "debug, info, warn or error")
	fs.StringVar(&c.Log.Format, "log-format", c.Log.Format, "text or json")
}

// CredentialsDir is where `hrsync-agent credentials set` keeps passwords.
func (c *Config) CredentialsDir() string { return filepath.Join(c.StateDir, "credentials") }

// ResolveSecrets reads each domain's password: the environment, else
// password_file, else the credential store. A password file or stored
// credential that others could read is an error naming the file.
func (c *Config) ResolveSecrets() error {
	cs := credstore.New(c.CredentialsDir())
	var errs []error
	for i := range c.Domains {
		d := &c.Domains[i]
		field := fmt.Sprintf("domains[%d]", i)
		switch {
		case d.Password != "":
		case d.PasswordFile != "":
			if err := credstore.CheckPrivate(d.PasswordFile); err != nil {
				errs = append(errs, fieldErr(field+".password_file", "%w", err))
				continue
			}
			b, err := os.ReadFile(d.PasswordFile)
			if err != nil {
				errs = append(errs, fieldErr(field+".password_file", "%w", err))
				continue
			}
			d.Password = strings.TrimRight(string(b), "\r\n")
		case d.Name != "":
			pw, err := cs.Get(d.Name)
			if err != nil && !errors.Is(err, credstore.ErrNotFound) {
				errs = append(errs, fieldErr(field+".name", "credentials of %s: %w", d.Name, err))
				continue
			}
			d.Password = pw
		}
	}
	return errors.Join(errs...)
}

// Validate checks every field and returns all problems.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.AgentID) == "" {
		errs = append(errs, fieldErr("agent_id", "required"))
	}
	if c.StateDir == "" {
		errs = append(errs, fieldErr("state_dir", "required"))
	}
	if c.Cloud.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Cloud.Addr); err != nil {
			errs = append(errs, fieldErr("cloud.addr", "%q is not host:port: %w", c.Cloud.Addr, err))
		}
	}
	if len(c.Domains) == 0 {
		errs = append(errs, fieldErr("domains", "at least one domain is required"))
	}
	seen := map[string]bool{}
	for i, d := range c.Domains {
		f := fmt.Sprintf("domains[%d]", i)
		name := strings.ToLower(d.Name)
		if name == "" || !strings.Contains(name, ".") || strings.ContainsAny(name, " ,=") {
			errs = append(errs, fieldErr(f+".name", "%q is not a DNS domain name", d.Name))
		}
		if seen[name] {
			errs = append(errs, fieldErr(f+".name", "%q is listed twice", d.Name))
		}
		seen[name] = true
		if len(d.URLs) == 0 {
			errs = append(errs, fieldErr(f+".urls", "at least one ldaps:// URL is required"))
		}
		for j, u := range d.URLs {
			p, err := url.Parse(u)
			if err != nil || p.Scheme != "ldaps" || p.Hostname() == "" {
				errs = append(errs, fieldErr(fmt.Sprintf("%s.urls[%d]", f, j), "%q is not ldaps://host[:port] (simple binds need LDAPS)", u))
			}
		}
		if d.BindDN == "" {
			errs = append(errs, fieldErr(f+".bind_dn", "required"))
		}
		if d.Password == "" {
			errs = append(errs, fieldErr(f+".password_file", "no password for %s: run hrsync-agent credentials set --domain %s (or set password_file)", d.Name, d.Name))
		}
	}
	if c.MaxConcurrent < 1 || c.MaxConcurrent > 256 {
		errs = append(errs, fieldErr("max_concurrent", "%d is outside 1..256", c.MaxConcurrent))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fieldErr("log.level", "%q is not debug, info, warn or error", c.Log.Level))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, fieldErr("log.format", "%q is not text or json", c.Log.Format))
	}
	return errors.Join(errs...)
}
