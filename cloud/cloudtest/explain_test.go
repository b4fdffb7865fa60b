package cloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/cli"
)

func TestExplain(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	upload(t, srv, jobID, sp, token, "ex1") // no agent: queued, not processed

	var out, errb bytes.Buffer
	code := cli.RunCtl(context.Background(), []string{"--url", srv.URL, "--token", srv.AdminToken,
		"explain", "--job", jobID, "--worker", "ex1", "--attribute", "sAMAccountName"}, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	var resp struct {
		Linked       bool   `json:"linked"`
		Phase        string `json:"phase"`
		Explanations []struct {
			Target  string         `json:"target"`
			Inputs  map[string]any `json:"inputs"`
			Result  []string       `json:"result"`
			Outcome string         `json:"outcome"`
		} `json:"explanations"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &resp), out.String())
	require.False(t, resp.Linked)
	require.Equal(t, "create", resp.Phase)
	require.Len(t, resp.Explanations, 1)
	ex := resp.Explanations[0]
	require.Equal(t, "sAMAccountName", ex.Target)
	require.Equal(t, map[string]any{"userName": "ada@hrsync.test"}, ex.Inputs, "which source value it came from")
	require.Equal(t, []string{"ada"}, ex.Result)
	require.Equal(t, "written", ex.Outcome)

	status, _, body := srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID+"/explain?worker=ex1", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Greater(t, bytes.Count(body, []byte(`"target"`)), 10, "every mapped attribute is explained")
	status, _, _ = srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID+"/explain?worker=nobody", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID+"/explain?worker=ex1&attribute=nope", srv.AdminToken, "", nil)
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID+"/explain?worker=ex1", token, "", nil)
	require.Equal(t, http.StatusUnauthorized, status)
}
