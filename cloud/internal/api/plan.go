package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Planner computes and applies dry-run plans.
type Planner interface {
	Plan(ctx context.Context, jobID string) (*engine.Plan, error)
	ApplyPlan(ctx context.Context, jobID, fingerprint string) (*engine.Plan, error)
}

// planTimeout bounds a plan: its reads go through a live agent.
const planTimeout = 2 * time.Minute

type planResponse struct {
	*engine.Plan
	Summary string `json:"summary"`
}

// plan answers what the job's queued records would do, without doing it.
func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), planTimeout)
	defer cancel()
	p, err := s.cfg.Planner.Plan(ctx, r.PathValue("job"))
	if s.planError(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, planResponse{Plan: p, Summary: p.Summary()})
}

// applyPlan resumes a paused job if its plan is unchanged.
func (s *Server) applyPlan(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	var body struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body); err != nil || body.Fingerprint == "" {
		graphError(w, http.StatusBadRequest, "BadRequest", `the body must be {"fingerprint": "<the plan's fingerprint>"}`)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), planTimeout)
	defer cancel()
	p, err := s.cfg.Planner.ApplyPlan(ctx, r.PathValue("job"), body.Fingerprint)
	if errors.Is(err, engine.ErrPlanChanged) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "PlanChanged", "message": err.Error() + "; review the new plan"},
			"plan": planResponse{Plan: p, Summary: p.Summary()}})
		return
	}
	if s.planError(w, err) {
		return
	}
	s.cfg.Logger.Info("plan applied", "job_id", p.JobID, "records", p.Records)
	writeJSON(w, http.StatusOK, planResponse{Plan: p, Summary: p.Summary()})
}

func (s *Server) planError(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		graphError(w, http.StatusNotFound, "ResourceNotFound", err.Error())
	case errors.Is(err, engine.ErrNotPaused):
		graphError(w, http.StatusConflict, "JobNotPaused", "pause the job (hrsyncctl job pause) before applying a plan, so its queue cannot move underneath it")
	case errors.Is(err, context.DeadlineExceeded):
		graphError(w, http.StatusGatewayTimeout, "Timeout", "the plan needs the directory through a live agent and took longer than "+planTimeout.String())
	default:
		s.internal(w, err)
	}
	return true
}
