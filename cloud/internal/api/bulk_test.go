package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/gateway"
	"github.com/hrsync/hrsync/cloud/internal/scim"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
)

// bulkHarness is an api.Server over a temporary SQLite store with a fake
// clock, and two jobs with their upload tokens.
type bulkHarness struct {
	srv      *Server
	store    *sqlite.Store
	clock    *clockwork.FakeClock
	notified atomic.Int32
}

const (
	harnessAdmin = "admin-token"
	jobA, spA    = "API2AD.a", "sp-a"
	jobB, spB    = "API2AD.b", "sp-b"
	tokenA       = "token-a"
	tokenB       = "token-b"
)

func (h *bulkHarness) Notify() { h.notified.Add(1) }

type noPlanner struct{}

func (noPlanner) Plan(context.Context, string) (*engine.Plan, error) { return nil, nil }
func (noPlanner) ApplyPlan(context.Context, string, string) (*engine.Plan, error) {
	return nil, nil
}

type noAgents struct{}

func (noAgents) Sessions() []*gateway.Session { return nil }

func (noAgents) Disconnect(string, error) bool { return false }

func newBulkHarness(t *testing.T, mutate func(*Config)) *bulkHarness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	for _, j := range []struct{ id, sp, token string }{{jobA, spA, tokenA}, {jobB, spB, tokenB}} {
		sum := sha256.Sum256([]byte(j.token))
		require.NoError(t, st.CreateJob(ctx, store.Job{ID: j.id, ServicePrincipal: j.sp, Name: j.id, Template: "API2AD",
			Domain: "example.test", DefaultContainer: "OU=Users,DC=example,DC=test", Mapping: []byte(`{"rules":[]}`),
			Scoping: []byte(`{}`), UploadTokenHash: sum[:], CreatedAt: time.Unix(0, 0)}))
	}
	h := &bulkHarness{store: st, clock: clockwork.NewFakeClockAt(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))}
	cfg := Config{Store: st, Engine: h, Planner: noPlanner{}, Agents: noAgents{}, AdminToken: harnessAdmin,
		PublicURL: "https://hrsync.example", Clock: h.clock}
	if mutate != nil {
		mutate(&cfg)
	}
	h.srv, err = New(cfg)
	require.NoError(t, err)
	return h
}

func (h *bulkHarness) do(t *testing.T, method, path, token, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec
}

func (h *bulkHarness) upload(t *testing.T, job, sp, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	return h.do(t, "POST", "/v1.0/servicePrincipals/"+sp+"/synchronization/jobs/"+job+"/bulkUpload", token, "application/scim+json", []byte(body))
}

// bulkBody is a BulkRequest with one user per externalId.
func bulkBody(ids ...string) string {
	ops := make([]string, len(ids))
	for i, id := range ids {
		ops[i] = fmt.Sprintf(`{"method":"POST","bulkId":"b%d","path":"/Users","data":{"schemas":["%s"],"externalId":"%s"}}`, i, scim.CoreUserSchema, id)
	}
	return `{"schemas":["` + scim.BulkRequestSchema + `"],"Operations":[` + strings.Join(ops, ",") + `],"failOnErrors":null}`
}

func TestBulkUploadAccepted(t *testing.T) {
	h := newBulkHarness(t, nil)
	rec := h.upload(t, jobA, spA, tokenA, bulkBody("21001", "21002"))
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	require.Equal(t, "https://hrsync.example/v1.0/auditLogs/provisioning/?%24filter=jobid+eq+%27API2AD.a%27", rec.Header().Get("Location"),
		"Location stays Graph's logs query for the job")
	var got UploadAccepted
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.NotEmpty(t, got.ID)
	require.Equal(t, got.ID, rec.Header().Get("X-Hrsync-Upload-Id"))
	require.Equal(t, 2, got.Operations)
	require.Equal(t, "https://hrsync.example/api/v1/jobs/API2AD.a/uploads/"+got.ID, got.Status)
	require.Equal(t, "https://hrsync.example/v1.0/auditLogs/provisioning?%24filter=jobId+eq+%27API2AD.a%27+and+cycleId+eq+%27"+got.ID+"%27", got.ProvisioningLogs)
	require.EqualValues(t, 1, h.notified.Load())

	pending, err := h.store.PendingRecords(context.Background(), jobA, 10)
	require.NoError(t, err)
	require.Len(t, pending, 2)
	require.Equal(t, "21001", pending[0].Anchor)
	require.Equal(t, "b0", pending[0].BulkID)
	require.Equal(t, got.ID, pending[0].UploadID)
}

func TestBulkUploadLimits(t *testing.T) {
	h := newBulkHarness(t, func(c *Config) { c.MaxOperations = 3; c.MaxBodyBytes = 2000 })
	tests := []struct {
		name   string
		body   string
		status int
		detail string
	}{
		{"operations over the limit", bulkBody("1", "2", "3", "4"), 413, "Operations: 4 operations, the limit is 3 per request"},
		{"operations at the limit", bulkBody("1", "2", "3"), 202, ""},
		{"body over the limit", bulkBody("1", strings.Repeat("x", 2000)), 413, "the limit is 2000 bytes per request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.upload(t, jobA, spA, tokenA, tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.detail != "" {
				require.Equal(t, "application/scim+json", rec.Header().Get("Content-Type"))
				var body map[string]any
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
				require.Contains(t, body["detail"], tc.detail)
				require.Equal(t, fmt.Sprint(tc.status), body["status"])
			}
		})
	}
	pending, err := h.store.PendingRecords(context.Background(), jobA, 10)
	require.NoError(t, err)
	require.Len(t, pending, 3, "only the accepted request staged records")
}

func TestBulkUploadBodyLargerThanContentLengthSays(t *testing.T) {
	h := newBulkHarness(t, func(c *Config) { c.MaxBodyBytes = 100 })
	req := httptest.NewRequest("POST", "/v1.0/servicePrincipals/"+spA+"/synchronization/jobs/"+jobA+"/bulkUpload", strings.NewReader(strings.Repeat(" ", 500)))
	req.ContentLength = -1 // chunked: the size is only known by reading
	req.Header.Set("Authorization", "Bearer "+tokenA)
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	require.Equal(t, 413, rec.Code)
	require.Contains(t, rec.Body.String(), "the limit is 100 bytes per request")
}

func TestBulkUploadPerOperationErrors(t *testing.T) {
	h := newBulkHarness(t, nil)
	body := strings.Replace(bulkBody("21001", "21002", "21003"), `"externalId":"21002"`, `"externalId":"21002","active":"no"`, 1)
	rec := h.upload(t, jobA, spA, tokenA, body)
	require.Equal(t, 400, rec.Code)
	var got struct {
		Detail string `json:"detail"`
		Ext    struct {
			Operations []struct {
				Index      int    `json:"index"`
				BulkID     string `json:"bulkId"`
				ExternalID string `json:"externalId"`
				Problems   []struct {
					Path, Message string
				} `json:"problems"`
			} `json:"operations"`
		} `json:"urn:hrsync:params:scim:api:messages:1.0:BulkError"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got.Ext.Operations, 1)
	op := got.Ext.Operations[0]
	require.Equal(t, 1, op.Index)
	require.Equal(t, "b1", op.BulkID)
	require.Equal(t, "21002", op.ExternalID)
	require.Equal(t, "Operations[1].data.active", op.Problems[0].Path)
	require.Equal(t, "must be a boolean, got string", op.Problems[0].Message)
	pending, err := h.store.PendingRecords(context.Background(), jobA, 10)
	require.NoError(t, err)
	require.Empty(t, pending, "a rejected request stages nothing, not even its good operations")
}

func TestBulkUploadRateLimit(t *testing.T) {
	h := newBulkHarness(t, func(c *Config) { c.BulkRateRequests = 3; c.BulkRateWindow = 5 * time.Second })
	send := func(job, sp, token string) *httptest.ResponseRecorder {
		return h.upload(t, job, sp, token, bulkBody("1"))
	}
	for i := range 3 {
		require.Equal(t, 202, send(jobA, spA, tokenA).Code, "upload %d", i)
		h.clock.Advance(time.Second)
	}
	// Three uploads at 0s, 1s, 2s; now 3s: the fourth waits until 5s.
	rec := send(jobA, spA, tokenA)
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	require.Equal(t, "2", rec.Header().Get("Retry-After"))
	require.Contains(t, rec.Body.String(), `"code":"TooManyRequests"`)
	require.Contains(t, rec.Body.String(), "more than 3 bulk uploads to job API2AD.a in 5s")

	require.Equal(t, 202, send(jobB, spB, tokenB).Code, "limits are per job")
	require.Equal(t, 401, send(jobA, spA, "wrong").Code, "unauthenticated requests are refused before they count")

	h.clock.Advance(1500 * time.Millisecond) // 4.5s: still inside the window of the 0s upload
	rec = send(jobA, spA, tokenA)
	require.Equal(t, 429, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"), "rounded up from 0.5s")

	h.clock.Advance(500 * time.Millisecond) // 5s: the 0s upload left the window
	require.Equal(t, 202, send(jobA, spA, tokenA).Code)
	require.Equal(t, 429, send(jobA, spA, tokenA).Code, "the 1s upload is still inside the window")
}

func TestBulkUploadDailyQuota(t *testing.T) {
	h := newBulkHarness(t, func(c *Config) { c.BulkDailyQuota = 2; c.BulkRateRequests = -1 })
	for range 2 {
		require.Equal(t, 202, h.upload(t, jobA, spA, tokenA, bulkBody("1")).Code)
	}
	rec := h.upload(t, jobA, spA, tokenA, bulkBody("1"))
	require.Equal(t, 429, rec.Code)
	require.Equal(t, "86400", rec.Header().Get("Retry-After"))
	require.Contains(t, rec.Body.String(), "more than 2 bulk uploads to job API2AD.a in 24h0m0s")
	h.clock.Advance(24 * time.Hour)
	require.Equal(t, 202, h.upload(t, jobA, spA, tokenA, bulkBody("1")).Code)
}

func TestWindowLimiter(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Unix(1000, 0))
	l := newWindowLimiter(2, 10*time.Second, clock)
	admit := func(key string) bool {
		if l.wait(key) > 0 {
			return false
		}
		l.record(key)
		return true
	}
	require.True(t, admit("a"))
	clock.Advance(4 * time.Second)
	require.True(t, admit("a"))
	require.False(t, admit("a"))
	require.Equal(t, 6*time.Second, l.wait("a"))
	require.True(t, admit("b"))
	clock.Advance(6 * time.Second)
	require.True(t, admit("a"), "the first event is a full window old")
	require.Equal(t, 4*time.Second, l.wait("a"))

	// Idle keys are forgotten once the limiter holds many.
	clock.Advance(time.Minute)
	for i := range pruneAbove {
		l.record(fmt.Sprint("k", i))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotContains(t, l.keys, "a")
	require.NotContains(t, l.keys, "b")
	require.Len(t, l.keys, pruneAbove)
}
