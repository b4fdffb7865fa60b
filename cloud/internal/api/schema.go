package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/schema"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// maxSchemaBytes bounds a pasted synchronizationSchema.
const maxSchemaBytes = 4 << 20

// jobSchema resolves {sp}/{job} for the schema endpoints (admin only).
func (s *Server) jobSchema(w http.ResponseWriter, r *http.Request) (store.Job, bool) {
	if !validVersion(r.PathValue("ver")) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "unknown API version "+r.PathValue("ver"))
		return store.Job{}, false
	}
	if !s.admin(w, r) {
		return store.Job{}, false
	}
	job, err := s.cfg.Store.GetJob(r.Context(), r.PathValue("job"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && job.ServicePrincipal != r.PathValue("sp")) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("no synchronization job %q under service principal %q", r.PathValue("job"), r.PathValue("sp")))
		return store.Job{}, false
	}
	if err != nil {
		s.internal(w, err)
		return store.Job{}, false
	}
	return job, true
}

// getSchema exports the job's mapping and scoping as Entra's
// synchronizationSchema JSON.
func (s *Server) getSchema(w http.ResponseWriter, r *http.Request) {
	job, ok := s.jobSchema(w, r)
	if !ok {
		return
	}
	m, err := mapping.ParseJSON(job.Mapping)
	if err != nil {
		s.internal(w, err)
		return
	}
	p, err := engine.ParsePolicy(job.Scoping)
	if err != nil {
		s.internal(w, err)
		return
	}
	obj := schema.Object{Name: job.Name, SourceDirectory: "API", TargetDirectory: "Active Directory", SourceObject: "User", TargetObject: "user",
		FlowTypes: schema.AllFlowTypes(), Mapping: m, Scope: p.Scope, InputScope: p.InputScope}
	if p.FlowTypes != nil {
		obj.FlowTypes = *p.FlowTypes
	}
	b, err := schema.Export(obj)
	if err != nil {
		s.internal(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// putSchema replaces the job's mapping and scoping with a pasted
// synchronizationSchema. Every problem is reported with its JSON path; a
// rejected schema changes nothing.
func (s *Server) putSchema(w http.ResponseWriter, r *http.Request) {
	job, ok := s.jobSchema(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSchemaBytes+1))
	if err != nil || len(body) > maxSchemaBytes {
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("the schema must be at most %d bytes of JSON", maxSchemaBytes))
		return
	}
	obj, err := schema.Import(body)
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "schema: "+err.Error())
		return
	}
	mb, pb, err := encodeJobSchema(obj.Mapping, engine.Policy{Scope: obj.Scope, InputScope: obj.InputScope, FlowTypes: &obj.FlowTypes})
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "schema: "+err.Error())
		return
	}
	version, err := s.cfg.Store.UpdateJobSchema(r.Context(), job.ID, mb, pb)
	if err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("job schema replaced", "job_id", job.ID, "schema_version", version, "rules", len(obj.Mapping.Rules))
	w.WriteHeader(http.StatusNoContent)
}

// encodeJobSchema validates a mapping and policy together (everything must
// compile) and returns their stored forms.
func encodeJobSchema(m mapping.Mapping, p engine.Policy) (mappingJSON, policyJSON []byte, err error) {
	mb, err := json.Marshal(m)
	if err != nil {
		return nil, nil, err
	}
	pb, err := json.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	if err := engine.Validate(mb, pb); err != nil {
		return nil, nil, err
	}
	return mb, pb, nil
}
