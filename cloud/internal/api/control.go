package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
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

// restart implements Graph's synchronizationJob restart. resetScope is a
// comma-separated list: Escrows (stop retrying failures), QuarantineState
// (lift the quarantine), ForceDeletes (process the deletes the guard held),
// ConnectorDataStore (forget links; workers match again), Watermark (a
// pulled job's next cycle is an initial cycle), Full (all of these). An
// empty body
// is the portal's "Restart provisioning": QuarantineState, Watermark,
// Escrows.
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
	if len(scopes) == 0 {
		scopes = map[string]bool{"QuarantineState": true, "Watermark": true, "Escrows": true}
	}
	var reset store.Reset
	force := false
	for sc := range scopes {
		switch sc {
		case "None":
		case "Watermark":
			reset.Watermark = true
		case "Escrows":
			reset.Escrows = true
		case "QuarantineState":
			reset.Quarantine = true
		case "ForceDeletes":
			force = true
		case "ConnectorDataStore":
			reset.Links = true
		case "Full":
			reset, force = store.Reset{Escrows: true, Links: true, Quarantine: true, Watermark: true}, true
		default:
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf(
				"criteria.resetScope %q is not a restart scope; use Escrows, QuarantineState, ForceDeletes, ConnectorDataStore, Watermark or Full", sc))
			return
		}
	}
	if err := s.cfg.Store.ResetJob(r.Context(), job.ID, reset); err != nil {
		s.internal(w, err)
		return
	}
	if force {
		if err := s.cfg.Store.AllowDeletes(r.Context(), job.ID, s.cfg.Clock.Now()); err != nil {
			s.internal(w, err)
			return
		}
	}
	if err := s.requestCycleAfterRestart(r, job.ID); err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("job restarted", "job_id", job.ID, "scopes", strings.Join(sortedScopes(scopes), ","))
	s.cfg.Engine.Notify()
	w.WriteHeader(http.StatusNoContent)
}

// pauseJob and startJob implement Graph's pause and start: a paused job
// keeps its records queued; start resumes it and lifts the quarantine.
func (s *Server) pauseJob(w http.ResponseWriter, r *http.Request) { s.setPaused(w, r, true) }
func (s *Server) startJob(w http.ResponseWriter, r *http.Request) { s.setPaused(w, r, false) }

func (s *Server) setPaused(w http.ResponseWriter, r *http.Request, paused bool) {
	job, ok := s.jobSchema(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.SetPaused(r.Context(), job.ID, paused); err != nil {
		s.internal(w, err)
		return
	}
	if !paused {
		if err := s.cfg.Store.ResetJob(r.Context(), job.ID, store.Reset{Quarantine: true}); err != nil {
			s.internal(w, err)
			return
		}
		s.cfg.Engine.Notify()
	}
	s.cfg.Logger.Info("job paused state changed", "job_id", job.ID, "paused", paused)
	w.WriteHeader(http.StatusNoContent)
}

func sortedScopes(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
