package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/scim"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// bulkUpload accepts a SCIM BulkRequest, validates all of it, stages every
// record in one transaction and answers 202 with the provisioning-logs
// query in Location. A rejected request stores nothing.
func (s *Server) bulkUpload(w http.ResponseWriter, r *http.Request) {
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
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/scim+json" {
		writeSCIMError(w, &scim.Error{Status: http.StatusBadRequest, ScimType: "invalidSyntax",
			Detail: fmt.Sprintf("Content-Type must be application/scim+json, got %q", r.Header.Get("Content-Type"))})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		writeSCIMError(w, &scim.Error{Status: http.StatusBadRequest, ScimType: "invalidSyntax", Detail: "reading the request body failed: " + err.Error()})
		return
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		writeSCIMError(w, &scim.Error{Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("the request body exceeds %d bytes", s.cfg.MaxBodyBytes)})
		return
	}
	req, err := scim.ParseBulkRequest(body, scim.Limits{MaxOperations: s.cfg.MaxOperations, MaxBytes: s.cfg.MaxBodyBytes})
	if err != nil {
		var se *scim.Error
		if errors.As(err, &se) {
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
	q := url.Values{"$filter": {fmt.Sprintf("jobid eq '%s'", job.ID)}}
	w.Header().Set("Location", s.baseURL(r)+"/"+r.PathValue("ver")+"/auditLogs/provisioning/?"+q.Encode())
	w.Header().Set("X-Hrsync-Upload-Id", up.ID)
	w.WriteHeader(http.StatusAccepted)
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
