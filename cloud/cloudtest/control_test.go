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

// TestJobControl drives pause, resume and restart through hrsyncctl and
// the Graph paths.
func TestJobControl(t *testing.T) {
	srv := NewServer(t, nil)
	jobID, sp, token := createJob(t, srv)
	ctl := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.RunCtl(context.Background(), append([]string{"--url", srv.URL, "--token", srv.AdminToken}, args...), &out, &errb)
		return code, out.String() + errb.String()
	}
	state := func() (paused bool, quarantine string) {
		_, _, body := srv.Do(t, http.MethodGet, "/api/v1/jobs/"+jobID, srv.AdminToken, "", nil)
		var j struct {
			Paused     bool `json:"paused"`
			Quarantine *struct {
				Reason string `json:"reason"`
			} `json:"quarantine"`
		}
		require.NoError(t, json.Unmarshal(body, &j))
		if j.Quarantine != nil {
			quarantine = j.Quarantine.Reason
		}
		return j.Paused, quarantine
	}

	code, out := ctl("job", "pause", jobID)
	require.Equal(t, 0, code, out)
	paused, _ := state()
	require.True(t, paused)

	// A paused job accepts uploads and keeps them queued.
	upload(t, srv, jobID, sp, token, "p1")
	a := connect(t, srv, "agent-ctl")
	code, out = ctl("job", "resume", jobID)
	require.Equal(t, 0, code, out)
	paused, _ = state()
	require.False(t, paused)
	op := a.nextOp(t)
	require.NotNil(t, op.GetFindUser(), "the queued record is processed after resume")

	code, out = ctl("job", "restart", "--scope", "Escrows,QuarantineState", jobID)
	require.Equal(t, 0, code, out)
	code, out = ctl("job", "restart", "--scope", "Sideways", jobID)
	require.Equal(t, 1, code)
	require.Contains(t, out, `"Sideways" is not a restart scope`)

	status, _, _ := srv.Do(t, http.MethodPost, "/v1.0/servicePrincipals/"+sp+"/synchronization/jobs/"+jobID+"/pause", token, "", nil)
	require.Equal(t, http.StatusUnauthorized, status, "a job's upload token may not control it")
}
