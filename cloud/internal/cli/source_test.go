package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCtlJobSource drives `hrsyncctl job source` and `job cycle` against a
// served cloud: an API-driven job has no source, an unknown connector is
// refused by name, and nothing is stored by a refused request.
func TestCtlJobSource(t *testing.T) {
	dir := t.TempDir()
	srv := serveInBackground(t, []string{"serve", "--data-dir", dir, "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--log-format", "json"})
	token, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	require.NoError(t, err)
	ctl := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := RunCtl(context.Background(), append([]string{"--url", "http://" + srv.httpAddr, "--token", strings.TrimSpace(string(token))}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := ctl("job", "create", "--name", "wd", "--domain", "hrsync.test", "--container", "OU=t,DC=hrsync,DC=test")
	require.Equal(t, 0, code, errs)
	jobID := strings.Fields(out)[len(strings.Fields(out))-1]
	if i := strings.Index(out, `"id": "`); i >= 0 {
		jobID = strings.SplitN(out[i+7:], `"`, 2)[0]
	}

	code, _, errs = ctl("job", "source", jobID)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "has no pull source")

	cfg := filepath.Join(dir, "src.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"url":"https://wd.example/ccx/service/acme"}`), 0o600))
	code, _, errs = ctl("job", "source", "--kind", "sap", "--config", cfg, jobID)
	require.Equal(t, 1, code)
	require.Contains(t, errs, `unknown source kind "sap"`)
	code, _, errs = ctl("job", "source", "--kind", "workday", "--interval", "1s", "--config", cfg, jobID)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "interval")

	code, _, errs = ctl("job", "cycle", jobID)
	require.Equal(t, 1, code, "nothing was stored: the job still has no source")
	require.Contains(t, errs, "no pull source")
	require.Equal(t, 0, srv.stop(), srv.logs())
}
