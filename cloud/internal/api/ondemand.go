package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/scim"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// onDemandWait is how long provisionOnDemand waits for the record.
const onDemandWait = time.Minute

// provisionOnDemand runs one user through the job's whole pipeline now and
// answers with its provisioning log entry (steps, modified properties), as
// Entra's provision on demand does, which Entra does not offer for
// API-driven jobs. The body is a BulkRequest with one operation. The record
// takes the normal path (queue, escrow, guard), so what it does is exactly
// what an upload would do.
func (s *Server) provisionOnDemand(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	job, err := s.cfg.Store.GetJob(r.Context(), r.PathValue("job"))
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no job "+r.PathValue("job"))
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	if job.QuarantineReason != "" || job.Paused {
		why := "paused"
		if job.QuarantineReason != "" {
			why = "quarantined (" + job.QuarantineReason + ")"
		}
		graphError(w, http.StatusConflict, "JobNotActive", "the job is "+why+"; resume it before provisioning on demand")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil || int64(len(body)) > s.cfg.MaxBodyBytes {
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("the body must be a BulkRequest of at most %d bytes", s.cfg.MaxBodyBytes))
		return
	}
	req, err := scim.ParseBulkRequest(body, scim.Limits{MaxOperations: s.cfg.MaxOperations, MaxBytes: s.cfg.MaxBodyBytes})
	var se *scim.Error
	if errors.As(err, &se) {
		writeSCIMError(w, se)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	if len(req.Operations) != 1 {
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("provision on demand takes one user; the request has %d", len(req.Operations)))
		return
	}
	op := req.Operations[0]
	payload, err := engine.EncodeSource(op.Record.Attrs)
	if err != nil {
		s.internal(w, err)
		return
	}
	up := store.Upload{ID: "ondemand." + uuid.NewString(), JobID: job.ID, ReceivedAt: s.cfg.Clock.Now(),
		Records: []store.StagedRecord{{BulkID: op.BulkID, Anchor: op.Record.ExternalID, Payload: payload}}}
	if err := s.cfg.Store.StageUpload(r.Context(), up); err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("provision on demand", "job_id", job.ID, "upload_id", up.ID)
	s.cfg.Engine.Notify()

	deadline := time.NewTimer(onDemandWait)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		entries, err := s.cfg.Store.QueryLogs(r.Context(), store.LogQuery{JobID: job.ID, CycleID: up.ID})
		if err != nil {
			s.internal(w, err)
			return
		}
		if len(entries) > 0 {
			out := make([]map[string]any, 0, len(entries))
			for _, e := range entries {
				out = append(out, summary(e, job))
			}
			writeJSON(w, http.StatusOK, map[string]any{"value": out})
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-deadline.C:
			q := url.Values{"$filter": {fmt.Sprintf("jobId eq '%s'", job.ID)}}
			w.Header().Set("Location", s.baseURL(r)+"/v1.0/auditLogs/provisioning?"+q.Encode())
			writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued",
				"message": "the user is queued behind other work (or no agent is connected); its entry appears in the provisioning logs with cycleId " + up.ID})
			return
		case <-tick.C:
		}
	}
}
