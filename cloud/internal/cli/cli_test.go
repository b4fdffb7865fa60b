package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no command", nil, 2, "", "Usage:"},
		{"unknown", []string{"nope"}, 2, "", `unknown command "nope"`},
		{"version", []string{"version"}, 0, "hrsync-cloud dev", ""},
		{"bad flag value", []string{"serve", "--http-addr", "8080"}, 2, "", "http_addr"},
		{"bad heartbeat", []string{"serve", "--heartbeat", "1ns"}, 2, "", "heartbeat"},
		{"stray argument", []string{"serve", "extra"}, 2, "", "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, tc.code, Run(context.Background(), tc.args, &out, &errb), errb.String())
			require.Contains(t, out.String(), tc.stdout)
			require.Contains(t, errb.String(), tc.stderr)
		})
	}
}

func TestCtlUsageErrors(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "Usage:"},
		{[]string{"job"}, 2, "job needs a subcommand"},
		{[]string{"logs"}, 2, "logs needs --job"},
		{[]string{"upload", "--job", "j"}, 2, "one BulkRequest file"},
		{[]string{"--url", "http://127.0.0.1:1", "job", "list"}, 1, "connection refused"},
		{[]string{"job", "source"}, 2, "job source needs a job ID"},
		{[]string{"job", "source", "--config", "x.json", "j"}, 2, "--config and --interval need --kind"},
		{[]string{"job", "cycle"}, 2, "job cycle needs a job ID"},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		require.Equal(t, tc.code, RunCtl(context.Background(), tc.args, &out, &errb), "%v: %s", tc.args, errb.String())
		require.Contains(t, errb.String(), tc.stderr, "%v", tc.args)
	}
}
