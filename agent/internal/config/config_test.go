package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func valid(t *testing.T) Config {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("Secr3t!\n"), 0o600))
	c := Default()
	c.Cloud.CAFile = "ca.pem"
	c.Cloud.Token = "tok"
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
		return map[string]string{"HRSYNC_AGENT_TOKEN": "t0k", "HRSYNC_AGENT_ID": "agent-env"}[k]
	})
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"--agent-id", "agent-flag", "--referrals", "off"}))
	require.NoError(t, c.ResolveSecrets())
	require.NoError(t, c.Validate())
	require.Equal(t, "agent-flag", c.AgentID)
	require.Equal(t, "t0k", c.Cloud.Token)
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
		{"no ca", func(c *Config) { c.Cloud.CAFile = "" }, "cloud.ca_file"},
		{"plain ldap", func(c *Config) { c.Domains[0].URLs = []string{"ldap://dc1"} }, "domains[0].urls[0]"},
		{"no token", func(c *Config) { c.Cloud.Token = "" }, "cloud.token_file"},
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
