package api

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// finish marks a staged record processed with a log entry of the status.
func finish(t *testing.T, h *bulkHarness, rec store.StagedRecord, status string) {
	t.Helper()
	require.NoError(t, h.store.FinishRecord(context.Background(), store.Outcome{RecordID: rec.ID, Log: store.LogEntry{
		ID: "log-" + rec.Anchor, JobID: rec.JobID, CycleID: rec.UploadID, ChangeID: "c-" + rec.Anchor,
		ActivityTime: h.clock.Now(), Action: "create", Status: status, SourceID: rec.Anchor,
		Modified: []byte(`[]`), Steps: []byte(`[]`),
	}}))
	h.clock.Advance(time.Millisecond)
}

func TestUploadStatus(t *testing.T) {
	h := newBulkHarness(t, nil)
	rec := h.upload(t, jobA, spA, tokenA, bulkBody("21001", "21002", "21003"))
	require.Equal(t, 202, rec.Code)
	var acc UploadAccepted
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &acc))
	statusPath := "/api/v1/jobs/" + jobA + "/uploads/" + acc.ID

	read := func(token string) UploadStatus {
		t.Helper()
		r := h.do(t, "GET", statusPath, token, "", nil)
		require.Equal(t, 200, r.Code, r.Body.String())
		var st UploadStatus
		require.NoError(t, json.Unmarshal(r.Body.Bytes(), &st))
		return st
	}
	st := read(tokenA)
	require.Equal(t, UploadStatus{ID: acc.ID, JobID: jobA, ReceivedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		Records: 3, Pending: 3, Processed: 0, ByStatus: map[string]int{}, Done: false, ProvisioningLogs: acc.ProvisioningLogs}, st)

	pending, err := h.store.PendingRecords(context.Background(), jobA, 10)
	require.NoError(t, err)
	finish(t, h, pending[0], "success")
	finish(t, h, pending[1], "failure")
	st = read(harnessAdmin)
	require.Equal(t, 1, st.Pending)
	require.Equal(t, 2, st.Processed)
	require.Equal(t, map[string]int{"success": 1, "failure": 1}, st.ByStatus)
	require.False(t, st.Done)

	finish(t, h, pending[2], "success")
	st = read(tokenA)
	require.True(t, st.Done)
	require.Equal(t, map[string]int{"success": 2, "failure": 1}, st.ByStatus)

	// The link lists exactly the upload's entries.
	u, err := url.Parse(st.ProvisioningLogs)
	require.NoError(t, err)
	r := h.do(t, "GET", u.RequestURI(), tokenA, "", nil)
	require.Equal(t, 200, r.Code, r.Body.String())
	var logs struct {
		Value []struct {
			CycleID  string `json:"cycleId"`
			SourceID struct {
				ID string `json:"id"`
			} `json:"sourceIdentity"`
		} `json:"value"`
	}
	require.NoError(t, json.Unmarshal(r.Body.Bytes(), &logs))
	require.Len(t, logs.Value, 3)
	for _, v := range logs.Value {
		require.Equal(t, acc.ID, v.CycleID)
	}
}

func TestUploadStatusRefusals(t *testing.T) {
	h := newBulkHarness(t, nil)
	rec := h.upload(t, jobA, spA, tokenA, bulkBody("1"))
	require.Equal(t, 202, rec.Code)
	id := rec.Header().Get("X-Hrsync-Upload-Id")
	tests := []struct {
		name, path, token string
		status            int
		want              string
	}{
		{"no token", "/api/v1/jobs/" + jobA + "/uploads/" + id, "", 401, "InvalidAuthenticationToken"},
		{"another job's token", "/api/v1/jobs/" + jobA + "/uploads/" + id, tokenB, 401, "InvalidAuthenticationToken"},
		{"the upload under another job", "/api/v1/jobs/" + jobB + "/uploads/" + id, tokenB, 404, `job \"API2AD.b\" has no upload`},
		{"unknown upload", "/api/v1/jobs/" + jobA + "/uploads/nope", harnessAdmin, 404, "ResourceNotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, "GET", tc.path, tc.token, "", nil)
			require.Equal(t, tc.status, r.Code, r.Body.String())
			require.Contains(t, r.Body.String(), tc.want)
		})
	}
}
