package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunExitCodesAndMessages(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("cloud:\n  addr: nohost\ndomains:\n  - name: corp\n    urls: [ldap://dc1]\n"), 0o600))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr []string
	}{
		{"no command", nil, 2, "", []string{"Usage:"}},
		{"unknown command", []string{"frobnicate"}, 2, "", []string{`unknown command "frobnicate"`}},
		{"version", []string{"version"}, 0, "hrsync-agent dev (protocol 2)", nil},
		{"run with a bad config names every field", []string{"run", "--config", bad}, 2, "", []string{
			"cloud.addr", "domains[0].name", "domains[0].urls[0]", "domains[0].bind_dn"}},
		{"run with a missing file", []string{"run", "--config", filepath.Join(dir, "missing.yaml")}, 2, "", []string{"missing.yaml"}},
		{"install needs a config", []string{"install"}, 2, "", []string{"install needs --config"}},
		{"credentials needs set", []string{"credentials"}, 2, "", []string{"credentials set --domain"}},
		{"credentials set needs a domain", []string{"credentials", "set"}, 2, "", []string{"needs --domain"}},
		{"register with a bad cloud address", []string{"register", "--cloud", "cloud.example.com:http", "--token", "t"}, 2, "", []string{"--cloud:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(context.Background(), tc.args, &out, &errb)
			require.Equal(t, tc.code, code, "stderr: %s", errb.String())
			require.Contains(t, out.String(), tc.stdout)
			for _, s := range tc.stderr {
				require.Contains(t, errb.String(), s)
			}
		})
	}
}

func TestConfigArgAndGatewayAddr(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--domain", "d", "--config", "a.yaml"}, "a.yaml"},
		{[]string{"-config=b.yaml", "--domain", "d"}, "b.yaml"},
		{[]string{"--domain", "d"}, "env.yaml"},
	} {
		require.Equal(t, tc.want, configArg(tc.args, "env.yaml"), "%v", tc.args)
	}
	for in, want := range map[string]string{
		"cloud.example.com":                "cloud.example.com:8443",
		"https://cloud.example.com:9443/x": "cloud.example.com:9443",
		"127.0.0.1:8443":                   "127.0.0.1:8443",
	} {
		got, err := gatewayAddr(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, bad := range []string{"", "host:http", ":8443"} {
		_, err := gatewayAddr(bad)
		require.Error(t, err, bad)
	}
}
