package api

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

var csvHeader = []string{"id", "activityDateTime", "jobId", "cycleId", "changeId", "provisioningAction", "status",
	"sourceId", "sourceDisplayName", "targetId", "targetDisplayName", "errorCode", "errorReason", "recommendedAction",
	"modifiedProperties", "durationInMilliseconds"}

// logsCSV exports a job's provisioning logs as one CSV file, oldest first.
// Modified properties are flattened into one column as
// "attribute: old -> new" joined by " | ".
func (s *Server) logsCSV(w http.ResponseWriter, r *http.Request) {
	jobID := r.PathValue("job")
	if _, ok := s.authenticate(r, jobID); !ok {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "the bearer token is missing or not valid for job "+jobID)
		return
	}
	if _, err := s.cfg.Store.GetJob(r.Context(), jobID); errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no job "+jobID)
		return
	} else if err != nil {
		s.internal(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="provisioning-logs-%s.csv"`, sanitizeFilename(jobID)))
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	q := store.LogQuery{JobID: jobID, Limit: 1000}
	for {
		page, err := s.cfg.Store.QueryLogs(r.Context(), q)
		if err != nil {
			s.cfg.Logger.Error("csv export failed", "job_id", jobID, "error", err)
			return // the response has started; the truncated file ends here
		}
		for _, e := range page {
			_ = cw.Write(csvRow(e))
		}
		cw.Flush()
		if len(page) < q.Limit {
			return
		}
		q.AfterTime, q.AfterID = page[len(page)-1].ActivityTime, page[len(page)-1].ID
	}
}

func csvRow(e store.LogEntry) []string {
	var mods []struct {
		DisplayName string `json:"displayName"`
		OldValue    string `json:"oldValue"`
		NewValue    string `json:"newValue"`
	}
	_ = json.Unmarshal(e.Modified, &mods)
	parts := make([]string, 0, len(mods))
	for _, m := range mods {
		parts = append(parts, fmt.Sprintf("%s: %s -> %s", m.DisplayName, m.OldValue, m.NewValue))
	}
	row := []string{e.ID, e.ActivityTime.UTC().Format(time.RFC3339Nano), e.JobID, e.CycleID, e.ChangeID, e.Action, e.Status,
		e.SourceID, e.SourceName, e.TargetID, e.TargetName, e.ErrorCode, e.ErrorMessage, e.Recommendation,
		strings.Join(parts, " | "), strconv.FormatInt(e.DurationMS, 10)}
	for i, v := range row {
		row[i] = neutralizeFormula(v)
	}
	return row
}

// neutralizeFormula keeps spreadsheet programs from running HR data as a
// formula: a cell that starts with = + - @ (or a tab or carriage return)
// gets a leading apostrophe.
func neutralizeFormula(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func sanitizeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}
