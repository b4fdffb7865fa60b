package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// allowDeletes lets the disables held by the accidental-deletion guard
// through and lifts the TooManyDeletes quarantine.
func (s *Server) allowDeletes(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	s.doAllowDeletes(w, r, r.PathValue("job"))
}

func (s *Server) doAllowDeletes(w http.ResponseWriter, r *http.Request, jobID string) {
	err := s.cfg.Store.AllowDeletes(r.Context(), jobID, s.cfg.Clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no job "+jobID)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("deletes allowed by an admin", "job_id", jobID)
	s.cfg.Engine.Notify()
	w.WriteHeader(http.StatusNoContent)
}

// restart implements Graph's synchronizationJob restart for the scopes
// hrsync supports: ForceDeletes (process the deletes the guard held) and
// QuarantineState (lift the quarantine). Others are refused by name.
func (s *Server) restart(w http.ResponseWriter, r *http.Request) {
	job, ok := s.jobSchema(w, r)
	if !ok {
		return
	}
	var body struct {
		Criteria struct {
			ResetScope string `json:"resetScope"`
		} `json:"criteria"`
	}
	if b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10)); len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", "restart body: "+err.Error())
			return
		}
	}
	scopes := map[string]bool{}
	for _, sc := range strings.Split(body.Criteria.ResetScope, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			scopes[sc] = true
		}
	}
	for sc := range scopes {
		if sc != "ForceDeletes" && sc != "QuarantineState" && sc != "None" {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("criteria.resetScope %q is not supported yet; supported: ForceDeletes, QuarantineState", sc))
			return
		}
	}
	if scopes["ForceDeletes"] {
		s.doAllowDeletes(w, r, job.ID)
		return
	}
	if scopes["QuarantineState"] {
		if err := s.cfg.Store.SetQuarantine(r.Context(), job.ID, "", s.cfg.Clock.Now()); err != nil {
			s.internal(w, err)
			return
		}
		s.cfg.Engine.Notify()
	}
	w.WriteHeader(http.StatusNoContent)
}
