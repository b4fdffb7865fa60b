// Package api serves hrsync-cloud's HTTP interface:
//
//   - the SCIM bulk upload of API-driven provisioning, at the same path as
//     Microsoft Graph so existing clients only change their base URL:
//     POST /v1.0/servicePrincipals/{spId}/synchronization/jobs/{jobId}/bulkUpload
//   - provisioning logs shaped like Graph's provisioningObjectSummary:
//     GET /v1.0/auditLogs/provisioning?$filter=jobId eq '...'
//   - the admin API under /api/v1 (jobs, agents, agent bootstrap tokens)
//     used by hrsyncctl
//   - /healthz and /readyz.
//
// Every request is authenticated with a bearer token: the admin token, or a
// job's own upload token, which may only upload to and read the logs of that
// job.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/connector"
	"github.com/hrsync/hrsync/cloud/internal/enroll"
	"github.com/hrsync/hrsync/cloud/internal/gateway"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Store is what the API reads and writes.
type Store interface {
	store.Jobs
	store.Uploads
	store.Logs
	store.Links
	store.Syncs
	store.Operations
}

// Notifier is told when records were staged.
type Notifier interface{ Notify() }

// Agents lists live agent sessions and closes them.
type Agents interface {
	Sessions() []*gateway.Session
	// Disconnect closes an agent's live session with cause.
	Disconnect(agentID string, cause error) bool
}

// Enrollment issues bootstrap tokens and revokes agents (enroll.Service).
type Enrollment interface {
	CreateToken(ctx context.Context, req enroll.TokenRequest) (enroll.NewToken, error)
	ListTokens(ctx context.Context) ([]store.BootstrapToken, error)
	ListAgents(ctx context.Context) ([]store.EnrolledAgent, error)
	Revoke(ctx context.Context, agentID string) error
}

// Config configures the API.
type Config struct {
	Store   Store
	Engine  Notifier
	Planner Planner
	Agents  Agents
	// Enrollment serves the agent token and revocation endpoints; nil:
	// they answer 501 and the agent list shows live sessions only.
	Enrollment Enrollment
	// Sources are the pull-source connectors jobs may use; nil: none
	// (API-driven jobs only).
	Sources    *connector.Registry
	AdminToken string
	// MaxOperations per bulk request. Default 50.
	MaxOperations int
	// MaxBodyBytes of a bulk request. Default 1 MiB.
	MaxBodyBytes int64
	// BulkRateRequests bulk uploads are allowed per job in any
	// BulkRateWindow; more are refused with 429 and Retry-After. Default
	// 40 per 5 seconds, Entra's limit; a negative BulkRateRequests turns
	// the limit off.
	BulkRateRequests int
	BulkRateWindow   time.Duration
	// BulkDailyQuota bulk uploads are allowed per job in any 24 hours
	// (Entra: 2,000 with P1/P2, 6,000 with ID Governance). 0: no quota.
	BulkDailyQuota int
	// PublicURL is the base URL clients reach this API at; when empty the
	// request's Host is used.
	PublicURL string
	Clock     clockwork.Clock
	Logger    *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Store == nil || c.Engine == nil || c.Agents == nil || c.Planner == nil {
		return errors.New("api config: Store, Engine, Planner and Agents are required")
	}
	if c.AdminToken == "" {
		return errors.New("api config: AdminToken is required")
	}
	if c.MaxOperations <= 0 {
		c.MaxOperations = 50
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.BulkRateRequests == 0 {
		c.BulkRateRequests = 40
	}
	if c.BulkRateWindow <= 0 {
		c.BulkRateWindow = 5 * time.Second
	}
	if c.BulkDailyQuota < 0 {
		c.BulkDailyQuota = 0
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Server is the HTTP handler.
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.mux.Handle("POST /{ver}/servicePrincipals/{sp}/synchronization/jobs/{job}/bulkUpload", s.bulkUploadHandler())
	s.mux.HandleFunc("GET /{ver}/auditLogs/provisioning", s.provisioningLogs)
	s.mux.HandleFunc("GET /{ver}/auditLogs/provisioning/", s.provisioningLogs)
	s.mux.HandleFunc("GET /{ver}/servicePrincipals/{sp}/synchronization/jobs/{job}/schema", s.getSchema)
	s.mux.HandleFunc("PUT /{ver}/servicePrincipals/{sp}/synchronization/jobs/{job}/schema", s.putSchema)
	s.mux.HandleFunc("POST /api/v1/jobs", s.createJob)
	s.mux.HandleFunc("GET /api/v1/jobs", s.listJobs)
	s.mux.HandleFunc("GET /api/v1/jobs/{job}", s.getJob)
	s.mux.HandleFunc("GET /api/v1/jobs/{job}/logs.csv", s.logsCSV)
	s.mux.HandleFunc("GET /api/v1/jobs/{job}/uploads/{upload}", s.uploadStatus)
	s.mux.HandleFunc("POST /api/v1/jobs/{job}/allowDeletes", s.allowDeletes)
	s.mux.HandleFunc("POST /api/v1/jobs/{job}/provisionOnDemand", s.provisionOnDemand)
	s.mux.HandleFunc("GET /api/v1/jobs/{job}/explain", s.explain)
	s.mux.HandleFunc("POST /api/v1/jobs/{job}/plan", s.plan)
	s.mux.HandleFunc("POST /api/v1/jobs/{job}/applyPlan", s.applyPlan)
	s.mux.HandleFunc("POST /{ver}/servicePrincipals/{sp}/synchronization/jobs/{job}/restart", s.restart)
	s.mux.HandleFunc("POST /{ver}/servicePrincipals/{sp}/synchronization/jobs/{job}/pause", s.pauseJob)
	s.mux.HandleFunc("POST /{ver}/servicePrincipals/{sp}/synchronization/jobs/{job}/start", s.startJob)
	s.mux.HandleFunc("GET /api/v1/agents", s.listAgents)
	s.mux.HandleFunc("POST /api/v1/agents/{agent}/revoke", s.revokeAgent)
	s.mux.HandleFunc("POST /api/v1/agentTokens", s.createAgentToken)
	s.mux.HandleFunc("GET /api/v1/agentTokens", s.listAgentTokens)
	s.mux.HandleFunc("PUT /api/v1/jobs/{job}/source", s.putSource)
	s.mux.HandleFunc("GET /api/v1/jobs/{job}/source", s.getSource)
	s.mux.HandleFunc("POST /api/v1/jobs/{job}/cycle", s.requestCycle)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /readyz", s.ready)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.cfg.Store.ListJobs(ctx); err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

// principal is who made a request.
type principal struct {
	admin bool
	// jobID is set for a job upload token.
	jobID string
}

// authenticate checks the bearer token against the admin token and, when
// jobID is given, that job's upload token.
func (s *Server) authenticate(r *http.Request, jobID string) (principal, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return principal{}, false
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) == 1 {
		return principal{admin: true}, true
	}
	if jobID == "" {
		return principal{}, false
	}
	job, err := s.cfg.Store.GetJob(r.Context(), jobID)
	if err != nil {
		return principal{}, false
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], job.UploadTokenHash) == 1 {
		return principal{jobID: jobID}, true
	}
	return principal{}, false
}

// graphError writes Graph's error JSON.
func graphError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func validVersion(v string) bool { return v == "v1.0" || v == "beta" }
