package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUploadStatusCommand(t *testing.T) {
	var gotPath, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.EscapedPath(), r.Header.Get("Authorization")
		if r.URL.Path != "/api/v1/jobs/API2AD.a/uploads/u 1" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"code":"ResourceNotFound","message":"job \"API2AD.a\" has no upload \"nope\""}}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"u 1","jobId":"API2AD.a","receivedAt":"2026-01-05T09:00:00Z","records":3,"pending":1,"processed":2,
			"byStatus":{"failure":1,"success":1,"custom":2},"done":false,
			"provisioningLogs":"https://h/v1.0/auditLogs/provisioning?%24filter=x"}`))
	}))
	defer srv.Close()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := RunCtl(context.Background(), append([]string{"--url", srv.URL, "--token", "tok"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}

	code, out, errs := run("upload", "status", "API2AD.a", "u 1")
	require.Equal(t, 0, code, errs)
	require.Equal(t, "/api/v1/jobs/API2AD.a/uploads/u%201", gotPath)
	require.Equal(t, "Bearer tok", gotAuth)
	require.Equal(t, `Upload:       u 1
Job:          API2AD.a
Received:     2026-01-05T09:00:00Z
Records:      3 (processed 2, pending 1)
Log entries:  success 1, failure 1, custom 2
Done:         no
Logs:         https://h/v1.0/auditLogs/provisioning?%24filter=x
`, out)

	code, out, _ = run("upload", "status", "--json", "API2AD.a", "u 1")
	require.Equal(t, 0, code)
	require.Contains(t, out, `"pending": 1`)

	code, _, errs = run("upload", "status", "API2AD.a", "nope")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "has no upload")

	code, _, errs = run("upload", "status", "API2AD.a")
	require.Equal(t, 2, code)
	require.Contains(t, errs, "upload status needs JOB_ID and UPLOAD_ID")
}

func TestCountsText(t *testing.T) {
	require.Equal(t, "none yet", countsText(nil))
	require.Equal(t, "success 3, skipped 1, failure 2, other 1", countsText(map[string]int{"failure": 2, "success": 3, "skipped": 1, "other": 1}))
}
