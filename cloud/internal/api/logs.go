package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// filterJobID accepts the one filter Graph clients send for these logs:
// jobId eq '<id>' (property name case-insensitive, quotes doubled inside).
var filterJobID = regexp.MustCompile(`(?i)^\s*jobid\s+eq\s+'((?:[^']|'')*)'\s*$`)

func (s *Server) provisioningLogs(w http.ResponseWriter, r *http.Request) {
	if !validVersion(r.PathValue("ver")) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "unknown API version "+r.PathValue("ver"))
		return
	}
	q := r.URL.Query()
	var jobID string
	if f := q.Get("$filter"); f != "" {
		m := filterJobID.FindStringSubmatch(f)
		if m == nil {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("unsupported $filter %q: use jobId eq '<jobId>'", f))
			return
		}
		jobID = strings.ReplaceAll(m[1], "''", "'")
	}
	p, ok := s.authenticate(r, jobID)
	if !ok {
		msg := "the bearer token is missing or not valid"
		if jobID != "" {
			msg += " for job " + jobID
		} else {
			msg += "; a job's upload token needs $filter=jobId eq '<jobId>'"
		}
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return
	}
	if !p.admin && p.jobID != jobID {
		graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "this token may only read the logs of its own job")
		return
	}
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("$top must be a whole number from 1 to 1000, got %q", v))
			return
		}
		top = n
	}
	lq := store.LogQuery{JobID: jobID, Limit: top}
	if tok := q.Get("$skiptoken"); tok != "" {
		t, id, err := decodeSkipToken(tok)
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", "$skiptoken is not valid: "+err.Error())
			return
		}
		lq.AfterTime, lq.AfterID = t, id
	}
	entries, err := s.cfg.Store.QueryLogs(r.Context(), lq)
	if err != nil {
		s.internal(w, err)
		return
	}
	jobs := map[string]store.Job{}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		job, ok := jobs[e.JobID]
		if !ok {
			job, _ = s.cfg.Store.GetJob(r.Context(), e.JobID)
			jobs[e.JobID] = job
		}
		out = append(out, summary(e, job))
	}
	base := s.baseURL(r) + "/" + r.PathValue("ver")
	resp := map[string]any{
		"@odata.context": base + "/$metadata#auditLogs/provisioning",
		"value":          out,
	}
	if len(entries) == top {
		last := entries[len(entries)-1]
		next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {encodeSkipToken(last.ActivityTime, last.ID)}}
		if f := q.Get("$filter"); f != "" {
			next.Set("$filter", f)
		}
		resp["@odata.nextLink"] = base + "/auditLogs/provisioning?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, resp)
}

// summary renders a log entry as a provisioningObjectSummary.
func summary(e store.LogEntry, job store.Job) map[string]any {
	status := map[string]any{"status": e.Status}
	if e.ErrorCode != "" {
		status["errorInformation"] = map[string]string{
			"errorCode": e.ErrorCode, "reason": e.ErrorMessage, "recommendedAction": e.Recommendation,
		}
	}
	return map[string]any{
		"id":                     e.ID,
		"activityDateTime":       e.ActivityTime.UTC().Format(time.RFC3339Nano),
		"jobId":                  e.JobID,
		"cycleId":                e.CycleID,
		"changeId":               e.ChangeID,
		"durationInMilliseconds": e.DurationMS,
		"provisioningAction":     e.Action,
		"provisioningStatusInfo": status,
		"provisioningSteps":      json.RawMessage(e.Steps),
		"modifiedProperties":     json.RawMessage(e.Modified),
		"sourceIdentity":         map[string]any{"id": e.SourceID, "displayName": e.SourceName, "identityType": "User"},
		"targetIdentity":         map[string]any{"id": e.TargetID, "displayName": e.TargetName, "identityType": "User"},
		"sourceSystem":           map[string]any{"id": job.Template, "displayName": "API"},
		"targetSystem":           map[string]any{"id": job.Domain, "displayName": "Active Directory"},
		"servicePrincipal":       map[string]any{"id": job.ServicePrincipal, "displayName": job.Name},
		"initiatedBy":            map[string]any{"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
	}
}

func encodeSkipToken(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(t.UnixMilli(), 10) + "|" + id))
}

func decodeSkipToken(tok string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return time.Time{}, "", err
	}
	ms, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, "", fmt.Errorf("missing separator")
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}, "", err
	}
	return time.UnixMilli(n).UTC(), id, nil
}
