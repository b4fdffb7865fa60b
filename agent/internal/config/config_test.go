package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/credstore"
)

func valid(t *testing.T) Config {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("Secr3t!\n"), 0o600))
	c := Default()
	c.StateDir = dir
	c.Cloud.CAFile = "ca.pem"
	c.Domains = []Domain{{Name: "corp.example.com", URLs: []string{"ldaps://dc1.corp.example.com"}, BindDN: "CN=svc,DC=corp", PasswordFile: pw}}
	require.NoError(t, c.ResolveSecrets())
	return c
}

func TestLayersAndSecrets(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("Secr3t!\r\n"), 0o600))
	file := filepath.Join(dir, "agent.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
agent_id: agent-a
cloud:
  addr: cloud.example.com:8443
  ca_file: /etc/hrsync/ca.pem
domains:
  - name: corp.example.com
    urls: [ldaps://dc1.corp.example.com, ldaps://dc2.corp.example.com:636]
    bind_dn: CN=svc,DC=corp,DC=example,DC=com
    password_file: `+pw+`
referrals:
  allowed_hosts: ["*.corp.example.com"]
dc_health:
  failback_after: 5m
`), 0o644))
	c := Default()
	require.NoError(t, c.LoadFile(file))
	c.LoadEnv(func(k string) string {
		return map[string]string{"HRSYNC_AGENT_ID": "agent-env"}[k]
	})
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"--agent-id", "agent-flag", "--referrals", "off"}))
	require.NoError(t, c.ResolveSecrets())
	require.NoError(t, c.Validate())
	require.Equal(t, "agent-flag", c.AgentID)
	require.Equal(t, "Secr3t!", c.Domains[0].Password, "line ending stripped, rest kept")
	require.Len(t, c.Domains[0].URLs, 2)
	require.Equal(t, Referrals{Mode: ReferralsOff, AllowedHosts: []string{"*.corp.example.com"}, MaxHops: 5}, c.Referrals)
	require.Equal(t, DCHealth{Interval: 30 * time.Second, Timeout: 10 * time.Second, FailbackAfter: 5 * time.Minute}, c.DCHealth)
}

func TestValidateNamesFields(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"plain ldap", func(c *Config) { c.Domains[0].URLs = []string{"ldap://dc1"} }, "domains[0].urls[0]"},
		{"bad domain", func(c *Config) { c.Domains[0].Name = "corp" }, "domains[0].name"},
		{"no domains", func(c *Config) { c.Domains = nil }, "domains"},
		{"no password", func(c *Config) { c.Domains[0].Password = "" }, "domains[0].password_file"},
		{"bad addr", func(c *Config) { c.Cloud.Addr = "cloud" }, "cloud.addr"},
		{"referral mode", func(c *Config) { c.Referrals.Mode = "chase" }, "referrals.mode"},
		{"referral hops", func(c *Config) { c.Referrals.MaxHops = 0 }, "referrals.max_hops"},
		{"referral host", func(c *Config) { c.Referrals.AllowedHosts = []string{"ldap://dc1"} }, "referrals.allowed_hosts[0]"},
		{"health interval", func(c *Config) { c.DCHealth.Interval = 0 }, "dc_health.interval"},
		{"failback", func(c *Config) { c.DCHealth.FailbackAfter = -time.Second }, "dc_health.failback_after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid(t)
			tc.mutate(&c)
			var fe *FieldError
			require.True(t, errors.As(c.Validate(), &fe))
			require.Equal(t, tc.field, fe.Field)
		})
	}
	c := valid(t)
	require.NoError(t, c.Validate())
}

func TestUnknownKeyIsAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.yaml")
	require.NoError(t, os.WriteFile(file, []byte("domain:\n  - name: x\n"), 0o644))
	c := Default()
	require.ErrorContains(t, c.LoadFile(file), "domain")
}

func TestProxyAndLogSettings(t *testing.T) {
	dir := t.TempDir()
	ppw := filepath.Join(dir, "proxy-pw")
	require.NoError(t, os.WriteFile(ppw, []byte("pr0xy\n"), 0o600))
	tests := []struct {
		name   string
		mutate func(*Config)
		env    map[string]string
		field  string // "" when valid
		check  func(t *testing.T, c Config)
	}{
		{"defaults", nil, nil, "", func(t *testing.T, c Config) {
			require.Equal(t, 48*time.Hour, c.Log.Retention)
			require.Equal(t, filepath.Join(c.StateDir, "logs"), c.LogDir())
			require.Empty(t, c.Cloud.Proxy)
		}},
		{"proxy with a password file", func(c *Config) {
			c.Cloud.Proxy, c.Cloud.ProxyPasswordFile = "http://svc@proxy.corp:3128", ppw
		}, nil, "", func(t *testing.T, c Config) { require.Equal(t, "pr0xy", c.Cloud.ProxyPassword) }},
		{"proxy and password from the environment", nil,
			map[string]string{"HRSYNC_AGENT_CLOUD_PROXY": "http://svc@proxy.corp:3128", "HRSYNC_AGENT_PROXY_PASSWORD": "envpw"}, "",
			func(t *testing.T, c Config) {
				require.Equal(t, "http://svc@proxy.corp:3128", c.Cloud.Proxy)
				require.Equal(t, "envpw", c.Cloud.ProxyPassword)
			}},
		{"direct", func(c *Config) { c.Cloud.Proxy = "direct" }, nil, "", nil},
		{"log settings from the environment", nil, map[string]string{"HRSYNC_AGENT_LOG_DIR": "/var/log/hrsync", "HRSYNC_AGENT_LOG_RETENTION": "72h"}, "",
			func(t *testing.T, c Config) {
				require.Equal(t, "/var/log/hrsync", c.LogDir())
				require.Equal(t, 72*time.Hour, c.Log.Retention)
			}},
		{"https proxy", func(c *Config) { c.Cloud.Proxy = "https://proxy.corp:3128" }, nil, "cloud.proxy", nil},
		{"proxy without port", func(c *Config) { c.Cloud.Proxy = "http://proxy.corp" }, nil, "cloud.proxy", nil},
		{"password without user", func(c *Config) { c.Cloud.Proxy, c.Cloud.ProxyPasswordFile = "http://proxy.corp:3128", ppw }, nil, "cloud.proxy_password_file", nil},
		{"retention too short", func(c *Config) { c.Log.Retention = 10 * time.Minute }, nil, "log.retention", nil},
		{"retention not a duration", nil, map[string]string{"HRSYNC_AGENT_LOG_RETENTION": "two days"}, "log.retention", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid(t)
			if tc.mutate != nil {
				tc.mutate(&c)
			}
			c.LoadEnv(func(k string) string { return tc.env[k] })
			require.NoError(t, c.ResolveSecrets())
			err := c.Validate()
			if tc.field != "" {
				var fe *FieldError
				require.True(t, errors.As(err, &fe), "%v", err)
				require.Equal(t, tc.field, fe.Field)
				require.NotContains(t, err.Error(), "pr0xy")
				return
			}
			require.NoError(t, err)
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestPasswordSources(t *testing.T) {
	dir := t.TempDir()
	cs := credstore.New(filepath.Join(dir, "credentials"))
	require.NoError(t, cs.Set("stored.example.com", "from-store"))
	loose := filepath.Join(dir, "loose")
	require.NoError(t, os.WriteFile(loose, []byte("pw"), 0o644))
	tests := []struct {
		name   string
		domain Domain
		want   string
		err    string
	}{
		{"credential store", Domain{Name: "stored.example.com"}, "from-store", ""},
		{"nothing stored", Domain{Name: "other.example.com"}, "", ""},
		{"password file others can read", Domain{Name: "x.example.com", PasswordFile: loose}, "", "domains[0].password_file: " + loose + " has mode 0644"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.StateDir = dir
			c.Domains = []Domain{tc.domain}
			err := c.ResolveSecrets()
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, c.Domains[0].Password)
		})
	}
	// With nothing found, validation says how to store the password.
	c := Default()
	c.StateDir = dir
	c.Domains = []Domain{{Name: "other.example.com", URLs: []string{"ldaps://dc"}, BindDN: "CN=x"}}
	require.NoError(t, c.ResolveSecrets())
	require.ErrorContains(t, c.Validate(), "hrsync-agent credentials set --domain other.example.com")
}
