package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/enroll"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// AgentResponse describes an enrolled agent and its live session, if any.
type AgentResponse struct {
	AgentID string   `json:"agentId"`
	Domains []string `json:"domains"`
	// Connected is true while the agent has a live session; SessionID,
	// Remote, Version and ConnectedAt describe it.
	Connected   bool       `json:"connected"`
	SessionID   string     `json:"sessionId,omitempty"`
	Hostname    string     `json:"hostname"`
	Remote      string     `json:"remote,omitempty"`
	Version     string     `json:"version,omitempty"`
	ConnectedAt *time.Time `json:"connectedAt,omitempty"`
	EnrolledAt  *time.Time `json:"enrolledAt,omitempty"`
	// CertificateSerial and CertificateExpires describe the agent's
	// current client certificate; RenewedAt its last rotation.
	CertificateSerial  string     `json:"certificateSerial,omitempty"`
	CertificateExpires *time.Time `json:"certificateExpires,omitempty"`
	RenewedAt          *time.Time `json:"renewedAt,omitempty"`
	Revoked            bool       `json:"revoked"`
	RevokedAt          *time.Time `json:"revokedAt,omitempty"`
	// CloneSuspected is set once a second host presented the agent's
	// identity: when, from where and why.
	CloneSuspected  bool       `json:"cloneSuspected"`
	CloneDetectedAt *time.Time `json:"cloneDetectedAt,omitempty"`
	CloneFrom       string     `json:"cloneFrom,omitempty"`
	CloneReason     string     `json:"cloneReason,omitempty"`
	// InFlight counts the operations dispatched to this agent that it
	// has not answered yet.
	InFlight int `json:"inFlight"`
	// Operations are the IDs of those operations (op_id in the logs of
	// the cloud and the agent, opId in a record's redispatch step).
	Operations []string `json:"operations"`
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	held, err := s.cfg.Store.ListOperations(r.Context(), store.OpDispatched)
	if err != nil {
		s.internal(w, err)
		return
	}
	inFlight := map[string][]string{}
	for _, op := range held {
		inFlight[op.AgentID] = append(inFlight[op.AgentID], op.ID)
	}
	byID := map[string]*AgentResponse{}
	var out []*AgentResponse
	if s.cfg.Enrollment != nil {
		agents, err := s.cfg.Enrollment.ListAgents(r.Context())
		if err != nil {
			s.internal(w, err)
			return
		}
		for _, a := range agents {
			resp := enrolledResponse(a)
			byID[a.ID] = resp
			out = append(out, resp)
		}
	}
	for _, sess := range s.cfg.Agents.Sessions() {
		resp := byID[sess.AgentID()]
		if resp == nil {
			resp = &AgentResponse{AgentID: sess.AgentID(), Domains: sess.Domains()}
			out = append(out, resp)
		}
		since := sess.Since().UTC()
		resp.Connected, resp.SessionID, resp.Hostname, resp.Remote, resp.Version, resp.ConnectedAt =
			true, sess.ID(), sess.Hostname(), sess.Remote(), sess.Version(), &since
	}
	if out == nil {
		out = []*AgentResponse{}
	}
	for _, resp := range out {
		resp.Operations = append([]string{}, inFlight[resp.AgentID]...)
		resp.InFlight = len(resp.Operations)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func enrolledResponse(a store.EnrolledAgent) *AgentResponse {
	return &AgentResponse{AgentID: a.ID, Domains: a.Domains, Hostname: a.Hostname, EnrolledAt: timePtr(a.EnrolledAt),
		CertificateSerial: a.Serial, CertificateExpires: timePtr(a.NotAfter), RenewedAt: timePtr(a.RenewedAt),
		Revoked: !a.RevokedAt.IsZero(), RevokedAt: timePtr(a.RevokedAt),
		CloneSuspected: !a.Clone.At.IsZero(), CloneDetectedAt: timePtr(a.Clone.At), CloneFrom: a.Clone.From, CloneReason: a.Clone.Reason}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// revokeAgent revokes an agent and closes its live session at once.
func (s *Server) revokeAgent(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) || !s.enrollment(w) {
		return
	}
	id := r.PathValue("agent")
	had := false
	for _, sess := range s.cfg.Agents.Sessions() {
		had = had || sess.AgentID() == id
	}
	if err := s.cfg.Enrollment.Revoke(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		graphError(w, http.StatusNotFound, "ResourceNotFound", "no enrolled agent "+id)
		return
	} else if err != nil {
		s.internal(w, err)
		return
	}
	// This replica closes the session now (unless the store's revocation
	// event got there first); another replica holding it hears of the
	// revocation through the store (gateway.Server.Run).
	closed := s.cfg.Agents.Disconnect(id, enroll.RevokedError(id)) || had
	s.cfg.Logger.Info("agent revoked by admin", "agent_id", id, "session_closed", closed)
	writeJSON(w, http.StatusOK, map[string]any{"agentId": id, "revoked": true, "sessionClosed": closed})
}

// AgentTokenRequest is the body of POST /api/v1/agentTokens.
type AgentTokenRequest struct {
	// Domains the agent enrolled with the token may serve.
	Domains []string `json:"domains"`
	// TTL is how long the token stays usable, a Go duration such as 24h;
	// the cloud's enroll.token_ttl when empty.
	TTL         string `json:"ttl,omitempty"`
	Description string `json:"description,omitempty"`
}

// AgentTokenResponse describes a bootstrap token. Token is only returned
// on creation; the cloud keeps only a keyed hash of it.
type AgentTokenResponse struct {
	ID          string     `json:"id"`
	Token       string     `json:"token,omitempty"`
	Domains     []string   `json:"domains"`
	Description string     `json:"description,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	ExpiresAt   time.Time  `json:"expiresAt"`
	State       string     `json:"state"` // usable, used, expired
	UsedAt      *time.Time `json:"usedAt,omitempty"`
	UsedBy      string     `json:"usedBy,omitempty"`
}

func (s *Server) createAgentToken(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) || !s.enrollment(w) {
		return
	}
	var req AgentTokenRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "the token request is not valid JSON: "+err.Error())
		return
	}
	var ttl time.Duration
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("ttl: %q is not a duration such as 24h", req.TTL))
			return
		}
		ttl = d
	}
	tok, err := s.cfg.Enrollment.CreateToken(r.Context(), enroll.TokenRequest{Domains: req.Domains, TTL: ttl, Description: req.Description})
	if errors.Is(err, enroll.ErrInvalid) {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	resp := s.tokenResponse(tok.BootstrapToken)
	resp.Token = tok.Token
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) listAgentTokens(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) || !s.enrollment(w) {
		return
	}
	toks, err := s.cfg.Enrollment.ListTokens(r.Context())
	if err != nil {
		s.internal(w, err)
		return
	}
	out := make([]AgentTokenResponse, 0, len(toks))
	for _, t := range toks {
		out = append(out, s.tokenResponse(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) tokenResponse(t store.BootstrapToken) AgentTokenResponse {
	state := "usable"
	switch {
	case !t.UsedAt.IsZero():
		state = "used"
	case !s.cfg.Clock.Now().Before(t.ExpiresAt):
		state = "expired"
	}
	return AgentTokenResponse{ID: t.ID, Domains: t.Domains, Description: t.Description, CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(), State: state, UsedAt: timePtr(t.UsedAt), UsedBy: t.UsedBy}
}

func (s *Server) enrollment(w http.ResponseWriter) bool {
	if s.cfg.Enrollment == nil {
		graphError(w, http.StatusNotImplemented, "NotImplemented", "agent enrollment is not configured")
		return false
	}
	return true
}
