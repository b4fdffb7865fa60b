package sfsim

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/shared/confload"
)

// Config says what the emulator serves and how.
type Config struct {
	// Workforce is the synthetic workforce served as PerPerson records.
	// Required. The Server owns it from New on: change it only through
	// the Server (Advance, View).
	Workforce *workforce.Workforce
	// CompanyID is the SuccessFactors company (tenant) ID, case-sensitive.
	// Default "ACME".
	CompanyID string
	// User and Password are the API user's credentials: HTTP Basic
	// authenticates as "User@CompanyID" with Password, and OAuth SAML
	// assertions must name User as their subject. Defaults "sfapi" and a
	// random password (Server.Password).
	User, Password string
	// ClientID is the API key of the registered OAuth 2.0 client. Default
	// "hrsync-oauth".
	ClientID string
	// ClientKey is the OAuth client's private key; the emulator trusts
	// SAML assertions signed with it. Nil: a 2048-bit key is generated
	// (Server.ClientKeyPEM hands it out, as "Manage OAuth2 Client
	// Applications" does).
	ClientKey *rsa.PrivateKey
	// Clock is the emulator's "now": the instant reads are as of by
	// default, lastModifiedDateTime windows are compared with, tokens
	// expire by. Nil: the workforce's simulated clock (Workforce.Now).
	Clock clockwork.Clock
	// TokenTTL is how long an access token lives. Default 24 hours.
	TokenTTL time.Duration
	// Throttle injects throttling faults.
	Throttle Throttle
	// Logger receives request summaries (never credentials or worker
	// data). Nil: discard.
	Logger *slog.Logger
}

// Throttle refuses some requests as SuccessFactors' throttling does.
// Every and Share combine: a request is refused if either picks it.
type Throttle struct {
	// Every refuses every Nth request (counting all requests); 0: off.
	Every int
	// Share refuses this fraction of requests, drawn from Seed.
	Share float64
	Seed  uint64
	// Status is 429 (default) or 503.
	Status int
	// RetryAfter is sent as the Retry-After header, in whole seconds.
	// 0: one second; negative: no header.
	RetryAfter time.Duration
}

// Validate reports every invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.Workforce == nil {
		errs = append(errs, confload.Field("Workforce", "is required"))
	}
	if c.TokenTTL < 0 {
		errs = append(errs, confload.Field("TokenTTL", "must not be negative, got %s", c.TokenTTL))
	}
	t := c.Throttle
	if t.Every < 0 {
		errs = append(errs, confload.Field("Throttle.Every", "must not be negative, got %d", t.Every))
	}
	if t.Share < 0 || t.Share > 1 {
		errs = append(errs, confload.Field("Throttle.Share", "must be between 0 and 1, got %g", t.Share))
	}
	if t.Status != 0 && t.Status != http.StatusTooManyRequests && t.Status != http.StatusServiceUnavailable {
		errs = append(errs, confload.Field("Throttle.Status", "must be 429 or 503, got %d", t.Status))
	}
	for _, f := range []struct{ name, v string }{{"CompanyID", c.CompanyID}, {"User", c.User}, {"ClientID", c.ClientID}} {
		if strings.ContainsAny(f.v, "@: ") {
			errs = append(errs, confload.Field(f.name, "must not contain '@', ':' or spaces, got %q", f.v))
		}
	}
	return errors.Join(errs...)
}

// Server is the emulator: an http.Handler serving the OData v2 API and the
// OAuth endpoints. It is safe for concurrent use; requests are served one
// at a time, as the workforce is not concurrent.
type Server struct {
	cfg  Config
	log  *slog.Logger
	cert *x509.Certificate
	static

	mu sync.Mutex // guards the following fields and the workforce
	idx
	emails    map[string]map[string]emailRow // by personIdExternal, emailType
	tokens    map[string]token
	snapshots map[string][]int32
	snapOrder []string
	requests  int
	rng       *mrand.Rand
}

type token struct {
	expires time.Time
}

// New builds an emulator over cfg.Workforce.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sfsim: %w", err)
	}
	if cfg.CompanyID == "" {
		cfg.CompanyID = "ACME"
	}
	if cfg.User == "" {
		cfg.User = "sfapi"
	}
	if cfg.Password == "" {
		cfg.Password = randomHex(12)
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "hrsync-oauth"
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.Throttle.Status == 0 {
		cfg.Throttle.Status = http.StatusTooManyRequests
	}
	if cfg.Throttle.RetryAfter == 0 {
		cfg.Throttle.RetryAfter = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ClientKey == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("sfsim: generate OAuth client key: %w", err)
		}
		cfg.ClientKey = k
	}
	cert, err := selfSigned(cfg.ClientKey, cfg.ClientID)
	if err != nil {
		return nil, fmt.Errorf("sfsim: OAuth client certificate: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger.With("component", "sfsim"),
		cert:      cert,
		static:    newStatic(cfg.Workforce),
		emails:    map[string]map[string]emailRow{},
		tokens:    map[string]token{},
		snapshots: map[string][]int32{},
		rng:       mrand.New(mrand.NewPCG(cfg.Throttle.Seed, 0x5f5eed)),
	}
	s.idx.refresh(cfg.Workforce)
	return s, nil
}

func selfSigned(k *rsa.PrivateKey, cn string) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// CompanyID returns the company ID clients authenticate against.
func (s *Server) CompanyID() string { return s.cfg.CompanyID }

// User returns the API user name (without the company).
func (s *Server) User() string { return s.cfg.User }

// Password returns the API user's password.
func (s *Server) Password() string { return s.cfg.Password }

// ClientID returns the OAuth client's API key.
func (s *Server) ClientID() string { return s.cfg.ClientID }

// ClientKeyPEM returns the OAuth client's private key as PKCS#8 PEM.
func (s *Server) ClientKeyPEM() []byte {
	der, _ := x509.MarshalPKCS8PrivateKey(s.cfg.ClientKey) // an RSA key always marshals
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Now returns the emulator's current instant.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock.Now()
	}
	return s.cfg.Workforce.Now()
}

// Advance simulates days of HR transactions and returns the events keyed
// during them. An injected clock that can advance (a clockwork.FakeClock)
// moves by the same number of days.
func (s *Server) Advance(days int) []workforce.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs := s.cfg.Workforce.Advance(days)
	if c, ok := s.cfg.Clock.(interface{ Advance(time.Duration) }); ok && days > 0 {
		c.Advance(time.Duration(days) * 24 * time.Hour)
	}
	s.idx.refresh(s.cfg.Workforce)
	return evs
}

// View calls fn with the workforce while no request is being served. fn
// must not change it (use Advance).
func (s *Server) View(fn func(wf *workforce.Workforce)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.cfg.Workforce)
}

// Requests returns how many requests the emulator has received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ServeHTTP serves /odata/v2/PerPerson, /odata/v2/PerPerson/$count,
// /odata/v2/upsert, /oauth/idp and /oauth/token.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.throttled() {
		t := s.cfg.Throttle
		if t.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((t.RetryAfter+time.Second-1)/time.Second)))
		}
		s.log.Debug("request throttled", "path", r.URL.Path, "status", t.Status)
		writeError(w, t.Status, "COE_GENERAL_SERVER_FAILURE", "Too many requests; retry later.")
		return
	}
	switch p := r.URL.Path; {
	case p == "/oauth/idp":
		s.serveIDP(w, r)
	case p == "/oauth/token":
		s.serveToken(w, r)
	case strings.HasPrefix(p, "/odata/v2/"):
		if !s.authenticate(w, r) {
			return
		}
		s.serveOData(w, r, strings.TrimPrefix(p, "/odata/v2/"))
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) throttled() bool {
	t := s.cfg.Throttle
	hit := t.Every > 0 && s.requests%t.Every == 0
	if t.Share > 0 && s.rng.Float64() < t.Share {
		hit = true
	}
	return hit
}

func (s *Server) serveOData(w http.ResponseWriter, r *http.Request, rest string) {
	switch {
	case rest == "PerPerson" || rest == "PerPerson/$count":
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, "COE_METHOD_NOT_ALLOWED", "Method "+r.Method+" is not allowed on "+rest+".")
			return
		}
		s.servePerPerson(w, r, rest == "PerPerson/$count")
	case rest == "upsert":
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "COE_METHOD_NOT_ALLOWED", "upsert takes POST.")
			return
		}
		s.serveUpsert(w, r)
	default:
		name, _, _ := strings.Cut(rest, "/")
		name, _, _ = strings.Cut(name, "(")
		writeError(w, http.StatusBadRequest, "COE_ENTITY_NOT_FOUND", "[COE0007]invalid entity (or function) name: "+name+" ")
	}
}

// writeError answers with SuccessFactors' OData error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b bytes.Buffer
	b.WriteString(`{"error":{"code":`)
	b.Write(appendJSONString(nil, code))
	b.WriteString(`,"message":{"lang":"en-US","value":`)
	b.Write(appendJSONString(nil, msg))
	b.WriteString(`}}}`)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
