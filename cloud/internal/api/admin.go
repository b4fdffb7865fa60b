package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/uuid"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// JobRequest is the body of POST /api/v1/jobs.
type JobRequest struct {
	Name string `json:"name"`
	// Domain is the DNS name of the target AD domain.
	Domain string `json:"domain"`
	// DefaultContainer is the DN new users are created in.
	DefaultContainer string `json:"defaultContainer"`
	// Mapping is optional; the default API-driven → AD mapping otherwise.
	Mapping *mapping.Mapping `json:"mapping,omitempty"`
	// Policy is optional: scoping filters and allowed actions.
	Policy *engine.Policy `json:"policy,omitempty"`
}

// JobResponse describes a job. UploadToken is only returned on creation.
type JobResponse struct {
	ID                 string `json:"id"`
	ServicePrincipalID string `json:"servicePrincipalId"`
	Name               string `json:"name"`
	Template           string `json:"template"`
	Domain             string `json:"domain"`
	DefaultContainer   string `json:"defaultContainer"`
	BulkUploadURL      string `json:"bulkUploadUrl"`
	UploadToken        string `json:"uploadToken,omitempty"`
	LinkedUsers        int    `json:"linkedUsers"`
	// PendingRecords is how many staged records the engine has not
	// processed yet (0: the job is in steady state).
	PendingRecords int             `json:"pendingRecords"`
	CreatedAt      time.Time       `json:"createdAt"`
	Mapping        json.RawMessage `json:"mapping"`
	Policy         json.RawMessage `json:"policy"`
	SchemaVersion  int             `json:"schemaVersion"`
	// Quarantine is set while the job is quarantined.
	Quarantine *Quarantine `json:"quarantine,omitempty"`
	Paused     bool        `json:"paused"`
}

// Quarantine says why a job processes nothing.
type Quarantine struct {
	Reason       string    `json:"reason"`
	CurrentBegan time.Time `json:"currentBegan"`
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request) bool {
	if p, ok := s.authenticate(r, ""); !ok || !p.admin {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "this endpoint needs the admin token")
		return false
	}
	return true
}

func (s *Server) createJob(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	var req JobRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "the job body is not valid JSON: "+err.Error())
		return
	}
	if err := validateJob(&req); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	m := mapping.DefaultAPIDrivenAD()
	if req.Mapping != nil {
		m = *req.Mapping
	}
	var policy engine.Policy
	if req.Policy != nil {
		policy = *req.Policy
	}
	mb, pb, err := encodeJobSchema(m, policy)
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	token := randomToken()
	sum := sha256.Sum256([]byte(token))
	job := store.Job{
		ID:               fmt.Sprintf("API2AD.%s.%s", strings.ReplaceAll(uuid.NewString(), "-", ""), uuid.NewString()),
		ServicePrincipal: uuid.NewString(),
		Name:             req.Name,
		Template:         "API2AD",
		Domain:           strings.ToLower(req.Domain),
		DefaultContainer: req.DefaultContainer,
		Mapping:          mb,
		Scoping:          pb,
		UploadTokenHash:  sum[:],
		CreatedAt:        s.cfg.Clock.Now().UTC(),
	}
	if err := s.cfg.Store.CreateJob(r.Context(), job); err != nil {
		s.internal(w, err)
		return
	}
	s.cfg.Logger.Info("job created", "job_id", job.ID, "domain", job.Domain)
	resp := s.jobResponse(r, job, 0)
	resp.UploadToken = token
	writeJSON(w, http.StatusCreated, resp)
}

func validateJob(req *JobRequest) error {
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		return errors.New("name: required")
	}
	if req.Domain == "" || strings.ContainsAny(req.Domain, " ,=/\\") || !strings.Contains(req.Domain, ".") {
		return fmt.Errorf("domain: %q is not a DNS domain name such as corp.example.com", req.Domain)
	}
	if req.DefaultContainer == "" {
		return errors.New("defaultContainer: required (the DN new users are created in)")
	}
	if _, err := ldap.ParseDN(req.DefaultContainer); err != nil {
		return fmt.Errorf("defaultContainer: %q is not a valid DN: %v", req.DefaultContainer, err)
	}
	return nil
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	jobs, err := s.cfg.Store.ListJobs(r.Context())
	if err != nil {
		s.internal(w, err)
		return
	}
	out := make([]JobResponse, 0, len(jobs))
	for _, j := range jobs {
		n, _ := s.cfg.Store.CountLinks(r.Context(), j.ID)
		out = append(out, s.jobResponse(r, j, n))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	j, err := s.cfg.Store.GetJob(r.Context(), r.PathValue("job"))
	if errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no job "+r.PathValue("job"))
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	n, _ := s.cfg.Store.CountLinks(r.Context(), j.ID)
	resp := s.jobResponse(r, j, n)
	resp.PendingRecords, _ = s.cfg.Store.CountPendingRecords(r.Context(), j.ID)
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) jobResponse(r *http.Request, j store.Job, links int) JobResponse {
	var q *Quarantine
	if j.QuarantineReason != "" {
		q = &Quarantine{Reason: j.QuarantineReason, CurrentBegan: j.QuarantinedAt}
	}
	return JobResponse{
		Quarantine: q,
		Paused:     j.Paused,
		ID:         j.ID, ServicePrincipalID: j.ServicePrincipal, Name: j.Name, Template: j.Template, Domain: j.Domain,
		DefaultContainer: j.DefaultContainer, LinkedUsers: links, CreatedAt: j.CreatedAt, Mapping: j.Mapping,
		Policy: j.Scoping, SchemaVersion: j.SchemaVersion,
		BulkUploadURL: fmt.Sprintf("%s/v1.0/servicePrincipals/%s/synchronization/jobs/%s/bulkUpload", s.baseURL(r), j.ServicePrincipal, j.ID),
	}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
