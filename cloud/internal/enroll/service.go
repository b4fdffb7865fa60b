package enroll

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/rpcerr"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// Errors of enrollment and authentication. Each is returned wrapped
// together with the rpcerr sentinel that sets its gRPC status.
var (
	ErrTokenUnknown   = errors.New("bootstrap token is unknown")
	ErrTokenUsed      = errors.New("bootstrap token was already used")
	ErrTokenExpired   = errors.New("bootstrap token has expired")
	ErrAgentEnrolled  = errors.New("agent ID is enrolled already")
	ErrNotEnrolled    = errors.New("agent is not enrolled")
	ErrRevoked        = errors.New("agent was revoked")
	ErrCloneSuspected = errors.New("another host presented this agent's identity")
	ErrDomain         = errors.New("agent may not serve the domain")
	// ErrInvalid is a malformed admin or agent request.
	ErrInvalid = errors.New("invalid request")
)

// TokenPrefix starts every bootstrap token, so secret scanners and humans
// recognise one.
const TokenPrefix = "hrsbt_"

// Config configures the Service.
type Config struct {
	Store store.Enrollments
	CA    *CA
	// TokenKey is the HMAC key bootstrap tokens are hashed with. Required;
	// replicas sharing a database need the same key.
	TokenKey []byte
	// CertLifetime of agent certificates. Default 30 days.
	CertLifetime time.Duration
	// TokenTTL is the default lifetime of a bootstrap token. Default 24h.
	TokenTTL time.Duration
	Clock    clockwork.Clock
	Logger   *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	switch {
	case c.Store == nil:
		return errors.New("enroll config: Store is required")
	case c.CA == nil:
		return errors.New("enroll config: CA is required")
	case len(c.TokenKey) < 16:
		return errors.New("enroll config: TokenKey of at least 16 bytes is required")
	}
	if c.CertLifetime <= 0 {
		c.CertLifetime = 30 * 24 * time.Hour
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 24 * time.Hour
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Service issues and checks agent identities. It implements
// agentv1.AgentEnrollmentServer.
type Service struct {
	agentv1.UnimplementedAgentEnrollmentServer
	cfg Config
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg}, nil
}

// CA returns the agent CA.
func (s *Service) CA() *CA { return s.cfg.CA }

// MaxTokenTTL bounds how long a bootstrap token may live.
const MaxTokenTTL = 30 * 24 * time.Hour

// TokenRequest asks for a bootstrap token.
type TokenRequest struct {
	// Domains the enrolled agent may serve; at least one.
	Domains []string
	// TTL is how long the token may be used; the configured default when 0.
	TTL         time.Duration
	Description string
}

// NewToken is a created token. Token is shown once and never stored.
type NewToken struct {
	store.BootstrapToken
	Token string
}

// CreateToken creates a single-use bootstrap token.
func (s *Service) CreateToken(ctx context.Context, req TokenRequest) (NewToken, error) {
	domains, err := normaliseDomains(req.Domains)
	if err != nil {
		return NewToken{}, err
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = s.cfg.TokenTTL
	}
	if ttl < time.Minute || ttl > MaxTokenTTL {
		return NewToken{}, fmt.Errorf("%w: ttl %s is outside 1m..%s", ErrInvalid, ttl, MaxTokenTTL)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return NewToken{}, fmt.Errorf("token: %w", err)
	}
	idb := make([]byte, 6)
	if _, err := rand.Read(idb); err != nil {
		return NewToken{}, fmt.Errorf("token id: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	now := s.cfg.Clock.Now().UTC()
	t := store.BootstrapToken{ID: hex.EncodeToString(idb), Hash: s.hash(token), Domains: domains,
		Description: strings.TrimSpace(req.Description), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.cfg.Store.CreateBootstrapToken(ctx, t); err != nil {
		return NewToken{}, err
	}
	s.cfg.Logger.InfoContext(ctx, "bootstrap token created", "token_id", t.ID, "domains", domains, "expires_at", t.ExpiresAt)
	return NewToken{BootstrapToken: t, Token: token}, nil
}

// ListTokens lists tokens, newest first, without secrets.
func (s *Service) ListTokens(ctx context.Context) ([]store.BootstrapToken, error) {
	return s.cfg.Store.ListBootstrapTokens(ctx)
}

// ListAgents lists enrolled agents.
func (s *Service) ListAgents(ctx context.Context) ([]store.EnrolledAgent, error) {
	return s.cfg.Store.ListAgents(ctx)
}

// Revoke revokes an agent: its certificates are refused from now on. The
// caller closes the agent's live sessions. Wraps store.ErrNotFound.
func (s *Service) Revoke(ctx context.Context, agentID string) error {
	if err := s.cfg.Store.RevokeAgent(ctx, agentID, s.cfg.Clock.Now().UTC()); err != nil {
		return err
	}
	s.cfg.Logger.WarnContext(ctx, "agent revoked", "agent_id", agentID)
	return nil
}

func (s *Service) hash(token string) []byte {
	m := hmac.New(sha256.New, s.cfg.TokenKey)
	m.Write([]byte(token))
	return m.Sum(nil)
}

var agentIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// Register implements agentv1.AgentEnrollmentServer.
func (s *Service) Register(ctx context.Context, req *agentv1.RegisterRequest) (*agentv1.RegisterResponse, error) {
	resp, err := s.register(ctx, req)
	return resp, rpcerr.ToStatus(err)
}

func (s *Service) register(ctx context.Context, req *agentv1.RegisterRequest) (*agentv1.RegisterResponse, error) {
	_, remote := PeerCertificate(ctx)
	log := s.cfg.Logger.With("agent_id", req.GetAgentId(), "remote", remote)
	now := s.cfg.Clock.Now().UTC()
	hash := s.hash(req.GetToken())
	tok, err := s.cfg.Store.BootstrapTokenByHash(ctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		log.WarnContext(ctx, "registration refused: unknown bootstrap token")
		return nil, fmt.Errorf("%w (mistyped, or created on another cloud): %w", ErrTokenUnknown, rpcerr.ErrUnauthenticated)
	case err != nil:
		return nil, err
	case !tok.UsedAt.IsZero():
		log.WarnContext(ctx, "registration refused: bootstrap token already used", "token_id", tok.ID, "used_by", tok.UsedBy)
		return nil, fmt.Errorf("%w (token %s, by agent %s at %s); create a new token: %w",
			ErrTokenUsed, tok.ID, tok.UsedBy, tok.UsedAt.Format(time.RFC3339), rpcerr.ErrUnauthenticated)
	case !now.Before(tok.ExpiresAt):
		log.WarnContext(ctx, "registration refused: bootstrap token expired", "token_id", tok.ID)
		return nil, fmt.Errorf("%w (token %s, at %s); create a new token: %w",
			ErrTokenExpired, tok.ID, tok.ExpiresAt.Format(time.RFC3339), rpcerr.ErrUnauthenticated)
	}
	id := req.GetAgentId()
	if !agentIDPattern.MatchString(id) {
		return nil, fmt.Errorf("%w: agent ID %q must be 1-63 letters, digits, '.', '_' or '-': %w", ErrInvalid, id, rpcerr.ErrInvalidRequest)
	}
	if a, err := s.cfg.Store.GetAgent(ctx, id); err == nil && a.RevokedAt.IsZero() {
		return nil, fmt.Errorf("%w: %s (revoke it first, or register with another agent ID): %w", ErrAgentEnrolled, id, rpcerr.ErrAlreadyExists)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	pub, err := parseCSR(req.GetCsr())
	if err != nil {
		return nil, err
	}
	certPEM, cert, err := s.cfg.CA.Issue(pub, tlsutil.AgentIdentity{AgentID: id, Domains: tok.Domains}, now, now.Add(s.cfg.CertLifetime))
	if err != nil {
		return nil, err
	}
	row := store.EnrolledAgent{ID: id, Domains: tok.Domains, Hostname: req.GetHostname(), TokenID: tok.ID,
		Serial: tlsutil.SerialHex(cert), NotAfter: cert.NotAfter.UTC(), EnrolledAt: now}
	if err := s.cfg.Store.EnrollAgent(ctx, hash, row); errors.Is(err, store.ErrConflict) {
		return nil, fmt.Errorf("%w or agent %s enrolled meanwhile: %w", ErrTokenUsed, id, rpcerr.ErrUnauthenticated)
	} else if err != nil {
		return nil, err
	}
	log.InfoContext(ctx, "agent enrolled", "token_id", tok.ID, "domains", tok.Domains, "serial", row.Serial, "not_after", row.NotAfter)
	return &agentv1.RegisterResponse{Certificate: certPEM, CaCertificates: s.cfg.CA.PEM(), AgentId: id, Domains: tok.Domains}, nil
}

// Renew implements agentv1.AgentEnrollmentServer.
func (s *Service) Renew(ctx context.Context, req *agentv1.RenewRequest) (*agentv1.RenewResponse, error) {
	resp, err := s.renew(ctx, req)
	return resp, rpcerr.ToStatus(err)
}

func (s *Service) renew(ctx context.Context, req *agentv1.RenewRequest) (*agentv1.RenewResponse, error) {
	peerCert, remote := PeerCertificate(ctx)
	if peerCert == nil {
		return nil, fmt.Errorf("renewal needs the agent's client certificate: %w", rpcerr.ErrUnauthenticated)
	}
	ident, err := s.Authenticate(ctx, peerCert, remote)
	if err != nil {
		return nil, err
	}
	pub, err := parseCSR(req.GetCsr())
	if err != nil {
		return nil, err
	}
	if pub.Equal(peerCert.PublicKey) {
		return nil, fmt.Errorf("%w: renewal must use a new key: %w", ErrInvalid, rpcerr.ErrInvalidRequest)
	}
	now := s.cfg.Clock.Now().UTC()
	certPEM, cert, err := s.cfg.CA.Issue(pub, tlsutil.AgentIdentity{AgentID: ident.AgentID, Domains: ident.Domains}, now, now.Add(s.cfg.CertLifetime))
	if err != nil {
		return nil, err
	}
	next := tlsutil.SerialHex(cert)
	if err := s.cfg.Store.RotateAgent(ctx, ident.AgentID, ident.Serial, next, cert.NotAfter.UTC(), now); errors.Is(err, store.ErrConflict) {
		return nil, s.clone(ctx, ident.AgentID, remote, "certificate "+ident.Serial+" was superseded while renewing")
	} else if err != nil {
		return nil, err
	}
	s.cfg.Logger.InfoContext(ctx, "agent certificate renewed", "agent_id", ident.AgentID, "old_serial", ident.Serial, "serial", next, "not_after", cert.NotAfter)
	return &agentv1.RenewResponse{Certificate: certPEM, CaCertificates: s.cfg.CA.PEM()}, nil
}

// Identity is an authenticated agent.
type Identity struct {
	AgentID string
	// Domains the agent may serve, lower case, from its enrollment.
	Domains []string
	// Serial of the certificate it presented (hex).
	Serial string
}

// Allows reports whether the identity may serve domain.
func (id Identity) Allows(domain string) bool {
	return slices.Contains(id.Domains, strings.ToLower(strings.TrimSuffix(domain, ".")))
}

// Authenticate checks a client certificate the TLS layer verified against
// the agent CA: the agent must be enrolled and not revoked, and the
// certificate must be its current one. A superseded certificate is
// reported as a clone. remote is the peer's address, for the report.
func (s *Service) Authenticate(ctx context.Context, cert *x509.Certificate, remote string) (Identity, error) {
	ci, err := tlsutil.AgentIdentityFromCert(cert)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", err, rpcerr.ErrUnauthenticated)
	}
	a, err := s.cfg.Store.GetAgent(ctx, ci.AgentID)
	if errors.Is(err, store.ErrNotFound) {
		return Identity{}, fmt.Errorf("%w: %s (its certificate is from an enrollment this cloud does not know): %w", ErrNotEnrolled, ci.AgentID, rpcerr.ErrUnauthenticated)
	}
	if err != nil {
		return Identity{}, err
	}
	if !a.RevokedAt.IsZero() {
		return Identity{}, fmt.Errorf("%w: %s at %s; enroll it again with a new bootstrap token: %w",
			ErrRevoked, a.ID, a.RevokedAt.Format(time.RFC3339), rpcerr.ErrPermissionDenied)
	}
	serial := tlsutil.SerialHex(cert)
	switch {
	case serial == a.Serial:
		if !a.SerialSeen {
			if err := s.cfg.Store.MarkSerialSeen(ctx, a.ID, serial); err != nil {
				return Identity{}, err
			}
		}
	case serial == a.PrevSerial && !a.SerialSeen:
		// The agent renewed but never got the answer; it renews again.
	default:
		return Identity{}, s.clone(ctx, a.ID, remote, "certificate "+serial+" was superseded by "+a.Serial)
	}
	return Identity{AgentID: a.ID, Domains: a.Domains, Serial: serial}, nil
}

// Recheck tells whether an agent that authenticated earlier may keep its
// session: it returns an error wrapping ErrRevoked when an admin has
// revoked it since (on any replica), ErrNotEnrolled when its enrollment is
// gone, and a plain error when the store cannot answer.
func (s *Service) Recheck(ctx context.Context, agentID string) error {
	a, err := s.cfg.Store.GetAgent(ctx, agentID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s: %w", ErrNotEnrolled, agentID, rpcerr.ErrUnauthenticated)
	}
	if err != nil {
		return fmt.Errorf("recheck agent %s: %w", agentID, err)
	}
	if !a.RevokedAt.IsZero() {
		return RevokedError(agentID)
	}
	return nil
}

// RevokedError is the error a revoked agent's session is closed with.
func RevokedError(agentID string) error {
	return fmt.Errorf("%w: %s was revoked by an admin; enroll it again with a new bootstrap token: %w", ErrRevoked, agentID, rpcerr.ErrPermissionDenied)
}

// ReportClone records that a second host presented agentID's identity and
// returns the error to refuse it with.
func (s *Service) ReportClone(ctx context.Context, agentID, remote, reason string) error {
	return s.clone(ctx, agentID, remote, reason)
}

func (s *Service) clone(ctx context.Context, agentID, remote, reason string) error {
	s.cfg.Logger.ErrorContext(ctx, "agent identity presented by a second host; refused (cloned VM or copied state?)",
		"agent_id", agentID, "remote", remote, "reason", reason)
	if err := s.cfg.Store.ReportClone(ctx, agentID, store.CloneReport{At: s.cfg.Clock.Now().UTC(), From: remote, Reason: reason}); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "cannot record clone report", "agent_id", agentID, "error", err)
	}
	return fmt.Errorf("%w: agent %s (%s); re-enroll the copy with its own bootstrap token: %w", ErrCloneSuspected, agentID, reason, rpcerr.ErrPermissionDenied)
}

// PeerCertificate returns the verified client certificate of the gRPC
// peer (nil when it presented none) and its address.
func PeerCertificate(ctx context.Context) (*x509.Certificate, string) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil, ""
	}
	remote := ""
	if p.Addr != nil {
		remote = p.Addr.String()
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return nil, remote
	}
	return info.State.VerifiedChains[0][0], remote
}

func parseCSR(der []byte) (*ecdsa.PublicKey, error) {
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate request: %w: %w", ErrInvalid, err, rpcerr.ErrInvalidRequest)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: certificate request signature: %w: %w", ErrInvalid, err, rpcerr.ErrInvalidRequest)
	}
	pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: certificate request must be for an ECDSA P-256 key: %w", ErrInvalid, rpcerr.ErrInvalidRequest)
	}
	return pub, nil
}

func normaliseDomains(in []string) ([]string, error) {
	var out []string
	for _, d := range in {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " ,=/\\:") {
			return nil, fmt.Errorf("%w: %q is not a DNS domain name such as corp.example.com", ErrInvalid, d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: at least one domain is required", ErrInvalid)
	}
	return out, nil
}
