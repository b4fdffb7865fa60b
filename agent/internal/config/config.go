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
	"time"

	"github.com/hrsync/hrsync/agent/internal/credstore"
	"github.com/hrsync/hrsync/agent/internal/proxy"
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
	// Referrals says whether LDAP referrals to the other domains of the
	// forest are followed.
	Referrals Referrals `yaml:"referrals"`
	// DCHealth tunes the health checks of the DCs listed in domains[].urls.
	DCHealth DCHealth `yaml:"dc_health"`
	Log      Log      `yaml:"log"`

	// envErr is a malformed environment variable, reported by Validate.
	envErr error
}

// Referral modes.
const (
	ReferralsFollow = "follow"
	ReferralsOff    = "off"
)

// Referrals configures referral chasing, for every domain.
type Referrals struct {
	// Mode is follow (the default) or off. Following, a write or search
	// that a DC answers with a referral is done on the referred server
	// with the same credentials, and searches follow continuation
	// references, so uniqueness checks cover the forest. Off, a referral
	// fails the operation and searches see the domain only.
	Mode string `yaml:"mode"`
	// AllowedHosts are the hosts referrals may lead to besides the
	// configured domains' names and DC hosts: host names, host:port, or
	// *.suffix for every name under suffix (e.g. *.corp.example.com).
	AllowedHosts []string `yaml:"allowed_hosts"`
	// MaxHops bounds a chain of referrals; default 5.
	MaxHops int `yaml:"max_hops"`
}

// DCHealth configures the DC health checks.
type DCHealth struct {
	// Interval between checks (a rootDSE read per DC) of a domain with
	// several URLs; default 30s.
	Interval time.Duration `yaml:"interval"`
	// Timeout of one check; default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// FailbackAfter is how long a more preferred DC must be healthy again
	// before operations return to it; default 2m.
	FailbackAfter time.Duration `yaml:"failback_after"`
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
	// Proxy is an HTTP proxy the stream goes through with CONNECT:
	// http://[user[:password]@]host:port. Empty means HTTPS_PROXY and
	// NO_PROXY from the environment decide; "direct" means no proxy.
	Proxy string `yaml:"proxy"`
	// ProxyPasswordFile holds the proxy password, so it need not be in
	// Proxy (or set HRSYNC_AGENT_PROXY_PASSWORD). It replaces a password
	// in the URL.
	ProxyPasswordFile string `yaml:"proxy_password_file"`
	ProxyPassword     string `yaml:"-"`
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

// Log configures logging: to stderr in Format, and as JSON lines to
// hourly files in Dir, deleted once older than Retention.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
	// Dir holds the log files; StateDir/logs when empty.
	Dir string `yaml:"dir"`
	// Retention is the age at which log files are deleted. Default 48h.
	Retention time.Duration `yaml:"retention"`
}

// LogDir is Log.Dir, or its default under StateDir.
func (c *Config) LogDir() string {
	if c.Log.Dir != "" {
		return c.Log.Dir
	}
	return filepath.Join(c.StateDir, "logs")
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
		Referrals:     Referrals{Mode: ReferralsFollow, MaxHops: 5},
		DCHealth:      DCHealth{Interval: 30 * time.Second, Timeout: 10 * time.Second, FailbackAfter: 2 * time.Minute},
		Log:           Log{Level: "info", Format: "text", Retention: 48 * time.Hour},
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
		"HRSYNC_AGENT_CLOUD_PROXY": &c.Cloud.Proxy, "HRSYNC_AGENT_PROXY_PASSWORD": &c.Cloud.ProxyPassword,
		"HRSYNC_AGENT_LOG_DIR":   &c.Log.Dir,
		"HRSYNC_AGENT_REFERRALS": &c.Referrals.Mode,
	} {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	if v := getenv("HRSYNC_AGENT_LOG_RETENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.envErr = fieldErr("log.retention", "HRSYNC_AGENT_LOG_RETENTION=%q: %w", v, err)
		}
		c.Log.Retention = d
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
	fs.StringVar(&c.Cloud.Proxy, "cloud-proxy", c.Cloud.Proxy, `HTTP proxy for the stream, http://[user@]host:port, or "direct" (put the password in cloud.proxy_password_file)`)
	fs.StringVar(&c.Log.Dir, "log-dir", c.Log.Dir, "directory of the JSON log files (default STATE_DIR/logs)")
	fs.DurationVar(&c.Log.Retention, "log-retention", c.Log.Retention, "age at which log files are deleted")
	fs.StringVar(&c.Referrals.Mode, "referrals", c.Referrals.Mode, "follow or off: follow LDAP referrals to the forest's other domains")
}

// CredentialsDir is where `hrsync-agent credentials set` keeps passwords.
func (c *Config) CredentialsDir() string { return filepath.Join(c.StateDir, "credentials") }

// ResolveSecrets reads each domain's password: the environment, else
// password_file, else the credential store. A password file or stored
// credential that others could read is an error naming the file.
func (c *Config) ResolveSecrets() error {
	cs := credstore.New(c.CredentialsDir())
	var errs []error
	if c.Cloud.ProxyPassword == "" && c.Cloud.ProxyPasswordFile != "" {
		if err := credstore.CheckPrivate(c.Cloud.ProxyPasswordFile); err != nil {
			errs = append(errs, fieldErr("cloud.proxy_password_file", "%w", err))
		} else if b, err := os.ReadFile(c.Cloud.ProxyPasswordFile); err != nil {
			errs = append(errs, fieldErr("cloud.proxy_password_file", "%w", err))
		} else {
			c.Cloud.ProxyPassword = strings.TrimRight(string(b), "\r\n")
		}
	}
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
	// Only the configured proxy is checked here; one from the environment
	// is checked when the agent starts. Errors never show the password.
	if c.Cloud.Proxy != "" && c.Cloud.Proxy != proxy.Direct {
		u, err := proxy.ParseURL(c.Cloud.Proxy)
		switch {
		case err != nil:
			errs = append(errs, fieldErr("cloud.proxy", "%w", err))
		case c.Cloud.ProxyPassword != "" && u.User.Username() == "":
			errs = append(errs, fieldErr("cloud.proxy_password_file", "a proxy password is set but cloud.proxy %q names no user", u.Redacted()))
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
	if c.Referrals.Mode != ReferralsFollow && c.Referrals.Mode != ReferralsOff {
		errs = append(errs, fieldErr("referrals.mode", "%q is not follow or off", c.Referrals.Mode))
	}
	if c.Referrals.MaxHops < 1 || c.Referrals.MaxHops > 20 {
		errs = append(errs, fieldErr("referrals.max_hops", "%d is outside 1..20", c.Referrals.MaxHops))
	}
	for i, h := range c.Referrals.AllowedHosts {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, "/ ") || strings.Contains(strings.TrimPrefix(h, "*."), "*") {
			errs = append(errs, fieldErr(fmt.Sprintf("referrals.allowed_hosts[%d]", i), "%q is not a host, host:port or *.suffix", h))
		}
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"dc_health.interval", c.DCHealth.Interval}, {"dc_health.timeout", c.DCHealth.Timeout}, {"dc_health.failback_after", c.DCHealth.FailbackAfter}} {
		if d.v <= 0 {
			errs = append(errs, fieldErr(d.field, "%s is not a positive duration", d.v))
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fieldErr("log.level", "%q is not debug, info, warn or error", c.Log.Level))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, fieldErr("log.format", "%q is not text or json", c.Log.Format))
	}
	if c.envErr != nil {
		errs = append(errs, c.envErr)
	} else if c.Log.Retention < time.Hour {
		errs = append(errs, fieldErr("log.retention", "%s is shorter than 1h (files rotate hourly)", c.Log.Retention))
	}
	return errors.Join(errs...)
}
