package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// sourceBody is a job's pull source as the admin API reads and writes it.
type sourceBody struct {
	// Kind names the connector: workday, successfactors, csv.
	Kind string `json:"kind"`
	// Interval between incremental cycles, a Go duration ("5m"). Default
	// 5m; at least 10s.
	Interval string `json:"interval,omitempty"`
	// Config is the connector's settings; secrets are hidden on reads.
	Config json.RawMessage `json:"config"`
}

// sourceState is what GET returns.
type sourceState struct {
	sourceBody
	// CycleKind is what the next cycle will be: initial or incremental.
	NextCycleKind string     `json:"nextCycleKind"`
	NextCycleAt   time.Time  `json:"nextCycleAt"`
	LastCycle     *lastCycle `json:"lastCycle,omitempty"`
}

// lastCycle is the summary of the last cycle that ended.
type lastCycle struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	// Read is how many records the source returned; Staged how many were
	// new or changed and went to the engine.
	Read   int    `json:"read"`
	Staged int    `json:"staged"`
	Error  string `json:"error,omitempty"`
}

const (
	defaultInterval = 5 * time.Minute
	minInterval     = 10 * time.Second
)

// putSource sets the pull source of a job; a cycle starts at once.
func (s *Server) putSource(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	jobID := r.PathValue("job")
	if _, err := s.cfg.Store.GetJob(r.Context(), jobID); errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no job "+jobID)
		return
	} else if err != nil {
		s.internal(w, err)
		return
	}
	var body sourceBody
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "source body: "+err.Error())
		return
	}
	interval := defaultInterval
	if body.Interval != "" {
		d, err := time.ParseDuration(body.Interval)
		if err != nil || d < minInterval {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("interval: %q is not a duration of at least %s (e.g. \"5m\")", body.Interval, minInterval))
			return
		}
		interval = d
	}
	if s.cfg.Sources == nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "kind: this cloud has no pull-source connectors")
		return
	}
	if len(body.Config) == 0 {
		body.Config = json.RawMessage(`{}`)
	}
	if err := s.cfg.Sources.Validate(body.Kind, body.Config); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "source: "+err.Error())
		return
	}
	if err := s.cfg.Store.PutSource(r.Context(), jobID, body.Kind, body.Config, interval); err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("job source set", "job_id", jobID, "kind", body.Kind, "interval", interval.String())
	s.writeSource(w, r, jobID, http.StatusOK)
}

func (s *Server) getSource(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	s.writeSource(w, r, r.PathValue("job"), http.StatusOK)
}

func (s *Server) writeSource(w http.ResponseWriter, r *http.Request, jobID string, status int) {
	job, err := s.cfg.Store.GetJob(r.Context(), jobID)
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no job "+jobID)
		return
	} else if err != nil {
		s.internal(w, err)
		return
	}
	st, err := s.cfg.Store.GetSyncState(r.Context(), jobID)
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "job "+jobID+" has no pull source (records arrive through the bulk upload API)")
		return
	} else if err != nil {
		s.internal(w, err)
		return
	}
	out := sourceState{sourceBody: sourceBody{Kind: st.SourceKind, Interval: st.Interval.String(), Config: json.RawMessage(`{}`)}, NextCycleAt: st.NextCycleAt}
	if s.cfg.Sources != nil {
		if red, err := s.cfg.Sources.Redact(st.SourceKind, st.SourceConfig); err == nil {
			out.Config = red
		}
	}
	out.NextCycleKind = "incremental"
	if st.Watermark == nil || st.WatermarkVersion != job.SchemaVersion {
		out.NextCycleKind = "initial"
	}
	if l := st.Last; l.ID != "" {
		out.LastCycle = &lastCycle{ID: l.ID, Kind: l.Kind, StartedAt: l.StartedAt, FinishedAt: l.FinishedAt, Read: l.Read, Staged: l.Staged, Error: l.Error}
	}
	writeJSON(w, status, out)
}

// requestCycle makes a job's next cycle due now.
func (s *Server) requestCycle(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	jobID := r.PathValue("job")
	err := s.cfg.Store.RequestCycle(r.Context(), jobID, s.cfg.Clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "job "+jobID+" does not exist or has no pull source")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// requestCycleAfterRestart makes a pulled job's cycle due now; API-driven
// jobs have none.
func (s *Server) requestCycleAfterRestart(r *http.Request, jobID string) error {
	err := s.cfg.Store.RequestCycle(r.Context(), jobID, s.cfg.Clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
