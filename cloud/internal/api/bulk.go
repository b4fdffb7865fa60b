package api

import (
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/scim"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// UploadAccepted is the body of a 202 answer to a bulk upload. Graph
// answers with an empty body, so clients written for Graph ignore it; the
// Location header stays Graph's provisioning-logs query for the job.
type UploadAccepted struct {
	// ID names the upload; it is also the cycleId of its log entries.
	ID string `json:"id"`
	// Operations is how many records were staged.
	Operations int `json:"operations"`
	// Status is the URL of GET /api/v1/jobs/{job}/uploads/{id}.
	Status string `json:"status"`
	// ProvisioningLogs is the URL of the upload's log entries.
	ProvisioningLogs string `json:"provisioningLogs"`
}

// bulkUploadHandler returns the bulkUpload handler with its per-job rate
// limits, which live as long as the handler.
func (s *Server) bulkUploadHandler() http.Handler {
	b := &bulkLimits{}
	if s.cfg.BulkRateRequests > 0 {
		b.rate = newWindowLimiter(s.cfg.BulkRateRequests, s.cfg.BulkRateWindow, s.cfg.Clock)
	}
	if s.cfg.BulkDailyQuota > 0 {
		b.daily = newWindowLimiter(s.cfg.BulkDailyQuota, 24*time.Hour, s.cfg.Clock)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.bulkUpload(w, r, b) })
}

// bulkUpload accepts a SCIM BulkRequest, validates all of it, stages every
// record in one transaction and answers 202 with the provisioning-logs
// query in Location. A rejected request stores nothing.
func (s *Server) bulkUpload(w http.ResponseWriter, r *http.Request, lim *bulkLimits) {
	if !validVersion(r.PathValue("ver")) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "unknown API version "+r.PathValue("ver"))
		return
	}
	jobID, spID := r.PathValue("job"), r.PathValue("sp")
	p, ok := s.authenticate(r, jobID)
	if !ok {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "the bearer token is missing or not valid for this job")
		return
	}
	job, err := s.cfg.Store.GetJob(r.Context(), jobID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && job.ServicePrincipal != spID) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("no synchronization job %q under service principal %q", jobID, spID))
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	if !p.admin && p.jobID != job.ID {
		graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "this token may not upload to this job")
		return
	}
	if wait, msg := lim.allow(job.ID); wait > 0 {
		s.cfg.Logger.Warn("bulk upload throttled", "job_id", job.ID, "retry_after_ms", wait.Milliseconds())
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
		graphError(w, http.StatusTooManyRequests, "TooManyRequests", msg)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/scim+json" {
		writeSCIMError(w, &scim.Error{Status: http.StatusBadRequest, ScimType: "invalidSyntax",
			Detail: fmt.Sprintf("Content-Type must be application/scim+json, got %q", r.Header.Get("Content-Type"))})
		return
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		writeSCIMError(w, tooLarge(fmt.Sprintf("%d bytes", r.ContentLength), s.cfg.MaxBodyBytes))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		writeSCIMError(w, &scim.Error{Status: http.StatusBadRequest, ScimType: "invalidSyntax", Detail: "reading the request body failed: " + err.Error()})
		return
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		writeSCIMError(w, tooLarge("more than that", s.cfg.MaxBodyBytes))
		return
	}
	req, err := scim.ParseBulkRequest(body, scim.Limits{MaxOperations: s.cfg.MaxOperations, MaxBytes: s.cfg.MaxBodyBytes})
	if err != nil {
		var se *scim.Error
		if errors.As(err, &se) {
			s.cfg.Logger.Info("bulk upload rejected", "job_id", job.ID, "status", se.Status,
				"problems", len(se.Problems)+se.Omitted, "operations_in_error", len(se.Operations))
			writeSCIMError(w, se)
			return
		}
		s.internal(w, err)
		return
	}
	up := store.Upload{ID: uuid.NewString(), JobID: job.ID, ReceivedAt: s.cfg.Clock.Now()}
	for _, op := range req.Operations {
		payload, err := engine.EncodeSource(op.Record.Attrs)
		if err != nil {
			s.internal(w, err)
			return
		}
		up.Records = append(up.Records, store.StagedRecord{BulkID: op.BulkID, Anchor: op.Record.ExternalID, Payload: payload})
	}
	if err := s.cfg.Store.StageUpload(r.Context(), up); err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("bulk upload accepted", "job_id", job.ID, "upload_id", up.ID, "operations", len(up.Records))
	s.cfg.Engine.Notify()
	base := s.baseURL(r)
	q := url.Values{"$filter": {fmt.Sprintf("jobid eq '%s'", job.ID)}}
	w.Header().Set("Location", base+"/"+r.PathValue("ver")+"/auditLogs/provisioning/?"+q.Encode())
	w.Header().Set("X-Hrsync-Upload-Id", up.ID)
	writeJSON(w, http.StatusAccepted, UploadAccepted{
		ID:               up.ID,
		Operations:       len(up.Records),
		Status:           uploadStatusURL(base, job.ID, up.ID),
		ProvisioningLogs: uploadLogsURL(base, job.ID, up.ID),
	})
}

// tooLarge is the 413 for a body over the limit.
func tooLarge(size string, limit int64) *scim.Error {
	return &scim.Error{Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("the request body is %s, the limit is %d bytes per request", size, limit)}
}

func writeSCIMError(w http.ResponseWriter, e *scim.Error) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(e.Body())
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.cfg.Logger.Error("request failed", "error", err)
	graphError(w, http.StatusInternalServerError, "InternalServerError", "the request could not be processed; see the server log")
}

// retryAfterSeconds renders a wait as Retry-After delay-seconds, rounded
// up so a client that waits that long is let through.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// bulkLimits are the per-job limits of bulk uploads; nil limiters are off.
type bulkLimits struct {
	rate, daily *windowLimiter
}

// allow admits one upload to job, or returns how long to wait and why.
// An upload refused by either limit counts against neither.
func (b *bulkLimits) allow(job string) (time.Duration, string) {
	var wait time.Duration
	var why string
	for _, l := range []*windowLimiter{b.rate, b.daily} {
		if l == nil {
			continue
		}
		if d := l.wait(job); d > wait {
			wait = d
			why = fmt.Sprintf("more than %d bulk uploads to job %s in %s; retry after %ds", l.n, job, l.window, retryAfterSeconds(d))
		}
	}
	if wait > 0 {
		return wait, why
	}
	for _, l := range []*windowLimiter{b.rate, b.daily} {
		if l != nil {
			l.record(job)
		}
	}
	return 0, ""
}

// windowLimiter admits at most n events per key in any window of the
// given length: it keeps the instants of each key's last n events, and an
// event is admitted when the oldest of them is a full window old. Unlike a
// token bucket this matches "40 calls per any 5-second window" exactly.
type windowLimiter struct {
	n      int
	window time.Duration
	clock  clockwork.Clock

	mu sync.Mutex // guards keys
	// keys holds each key's last n event instants (UnixNano) as a ring.
	keys map[string]*eventRing
}

type eventRing struct {
	at   []int64
	next int // index of the oldest entry once the ring is full
}

// pruneAbove is how many keys the limiter holds before it forgets idle ones.
const pruneAbove = 1024

func newWindowLimiter(n int, window time.Duration, clock clockwork.Clock) *windowLimiter {
	return &windowLimiter{n: n, window: window, clock: clock, keys: map[string]*eventRing{}}
}

// wait returns how long until an event for key would be admitted; 0 now.
func (l *windowLimiter) wait(key string) time.Duration {
	now := l.clock.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.keys[key]
	if r == nil || len(r.at) < l.n {
		return 0
	}
	if d := r.at[r.next] + int64(l.window) - now; d > 0 {
		return time.Duration(d)
	}
	return 0
}

// record notes an admitted event for key.
func (l *windowLimiter) record(key string) {
	now := l.clock.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.keys[key]
	if r == nil {
		if len(l.keys) >= pruneAbove {
			l.prune(now)
		}
		r = &eventRing{at: make([]int64, 0, min(l.n, 64))}
		l.keys[key] = r
	}
	if len(r.at) < l.n {
		r.at = append(r.at, now)
		return
	}
	r.at[r.next] = now
	r.next = (r.next + 1) % l.n
}

// prune forgets keys whose newest event is a window old; l.mu is held.
func (l *windowLimiter) prune(now int64) {
	for k, r := range l.keys {
		newest := r.at[len(r.at)-1]
		if len(r.at) == l.n {
			newest = r.at[(r.next+l.n-1)%l.n]
		}
		if now-newest >= int64(l.window) {
			delete(l.keys, k)
		}
	}
}
