package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// firstCandidate answers SelectUniqueValue without asking the directory:
// explain never writes, reserves or reaches the agent.
type firstCandidate struct{}

func (firstCandidate) FirstFree(string, []string) (int, error) { return 0, nil }

// explain shows, for one worker (by source anchor) and one target
// attribute (or all), which rule produced the value and from which source
// values, using the worker's newest record and the job's current mapping.
func (s *Server) explain(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	q := r.URL.Query()
	worker, attribute := q.Get("worker"), q.Get("attribute")
	if worker == "" {
		graphError(w, http.StatusBadRequest, "BadRequest", "worker: required (the worker's source anchor, e.g. its externalId)")
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
	rec, err := s.cfg.Store.LatestRecord(r.Context(), job.ID, worker)
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no record of worker "+worker+" was received by this job")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	m, err := mapping.ParseJSON(job.Mapping)
	if err != nil {
		s.internal(w, err)
		return
	}
	cm, err := mapping.Compile(m)
	if err != nil {
		s.internal(w, err)
		return
	}
	src, err := engine.DecodeSource(rec.Payload)
	if err != nil {
		s.internal(w, err)
		return
	}
	_, linkErr := s.cfg.Store.GetLink(r.Context(), job.ID, worker)
	linked := linkErr == nil
	phase := mapping.Create
	if linked {
		phase = mapping.Update
	}
	switch q.Get("phase") {
	case "":
	case "create":
		phase = mapping.Create
	case "update":
		phase = mapping.Update
	default:
		graphError(w, http.StatusBadRequest, "BadRequest", "phase: create or update")
		return
	}
	opts := mapping.EvalOptions{Now: s.cfg.Clock.Now, Unique: firstCandidate{}}
	targets := cm.Targets()
	if attribute != "" {
		targets = []string{attribute}
	}
	var out []mapping.Explanation
	for _, t := range targets {
		ex, err := cm.Explain(src, t, phase, opts)
		if errors.Is(err, mapping.ErrNoRule) {
			graphError(w, http.StatusNotFound, "ResourceNotFound", "the job's mapping has no rule for "+attribute)
			return
		}
		if err != nil {
			s.internal(w, err)
			return
		}
		out = append(out, ex)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"worker": worker, "linked": linked, "phase": phase.String(), "recordReceivedAt": rec.ReceivedAt.UTC().Format(time.RFC3339),
		"uploadId": rec.UploadID, "explanations": out,
		"note": "Evaluated now with the job's current mapping on the worker's newest record; SelectUniqueValue shows its first candidate (uniqueness is checked in the directory only when the account is created).",
	})
}
