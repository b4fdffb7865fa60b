package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// UploadStatus is the body of GET /api/v1/jobs/{job}/uploads/{upload}: how
// far the engine is with one accepted bulk upload.
type UploadStatus struct {
	ID         string    `json:"id"`
	JobID      string    `json:"jobId"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Records is how many records the upload staged, Pending how many the
	// engine has not finished yet and Processed the others.
	Records   int `json:"records"`
	Pending   int `json:"pending"`
	Processed int `json:"processed"`
	// ByStatus counts the upload's provisioning log entries by status
	// (success, failure, skipped, warning). A record retried from escrow
	// has one entry per attempt.
	ByStatus map[string]int `json:"byStatus"`
	// Done is true once every record has been processed once; records
	// that failed are then in escrow and retried on their own.
	Done bool `json:"done"`
	// ProvisioningLogs is the URL of the upload's log entries:
	// /v1.0/auditLogs/provisioning?$filter=jobId eq '…' and cycleId eq '…'.
	ProvisioningLogs string `json:"provisioningLogs"`
}

// uploadStatus answers GET /api/v1/jobs/{job}/uploads/{upload} for the
// admin token and for the job's own upload token.
func (s *Server) uploadStatus(w http.ResponseWriter, r *http.Request) {
	jobID, uploadID := r.PathValue("job"), r.PathValue("upload")
	p, ok := s.authenticate(r, jobID)
	if !ok {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "this endpoint needs the admin token or the job's upload token")
		return
	}
	if !p.admin && p.jobID != jobID {
		graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "this token may only read the uploads of its own job")
		return
	}
	st, err := s.cfg.Store.UploadStatus(r.Context(), jobID, uploadID)
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("job %q has no upload %q", jobID, uploadID))
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	byStatus := st.ByStatus
	if byStatus == nil {
		byStatus = map[string]int{}
	}
	writeJSON(w, http.StatusOK, UploadStatus{
		ID:               st.ID,
		JobID:            st.JobID,
		ReceivedAt:       st.ReceivedAt.UTC(),
		Records:          st.Records,
		Pending:          st.Pending,
		Processed:        st.Records - st.Pending,
		ByStatus:         byStatus,
		Done:             st.Pending == 0,
		ProvisioningLogs: uploadLogsURL(s.baseURL(r), jobID, uploadID),
	})
}

// uploadStatusURL is where an upload's status is read.
func uploadStatusURL(base, jobID, uploadID string) string {
	return base + "/api/v1/jobs/" + url.PathEscape(jobID) + "/uploads/" + url.PathEscape(uploadID)
}

// uploadLogsURL is the provisioning-logs query of one upload, in Graph's
// $filter syntax.
func uploadLogsURL(base, jobID, uploadID string) string {
	q := url.Values{"$filter": {fmt.Sprintf("jobId eq '%s' and cycleId eq '%s'", odataQuote(jobID), odataQuote(uploadID))}}
	return base + "/v1.0/auditLogs/provisioning?" + q.Encode()
}

// odataQuote doubles the single quotes of an OData string literal's text.
func odataQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }
