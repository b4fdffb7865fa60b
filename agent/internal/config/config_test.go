package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

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
    password_file: `+pw+"\n"), 0o644))
	c := Default()
	require.NoError(t, c.LoadFile(file))
	c.LoadEnv(func(k string) string {
		return map[string]string{"HRSYNC_AGENT_ID": "agent-env"}[k]
	})
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"--agent-id", "agent-flag"}))
	require.NoError(t, c.ResolveSecrets())
	require.NoError(t, c.Validate())
	require.Equal(t, "agent-flag", c.AgentID)
	require.Equal(t, "Secr3t!", c.Domains[0].Password, "line ending stripped, rest kept")
	require.Len(t, c.Domains[0].URLs, 2)
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
