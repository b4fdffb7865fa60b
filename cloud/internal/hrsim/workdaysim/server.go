package workdaysim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
	"github.com/hrsync/hrsync/shared/confload"
)

// Config says what to serve and how.
type Config struct {
	// Workforce is the data served; required. The Server owns it from now
	// on: advance it through Server.Advance only.
	Workforce *workforce.Workforce
	// Tenant is the tenant name in the URL and in the user name
	// (user@tenant); required, letters, digits and underscores.
	Tenant string
	// Username and Password are the integration system user's credentials;
	// the Username without "@tenant". Required.
	Username string
	Password string
	// Clock, when set, is "now"; nil uses the workforce's simulated clock.
	Clock clockwork.Clock
	// TenantZone is the zone the tenant keeps dates in (the offsets of
	// xsd:date values, "today" for effective dates given as dates). Default
	// America/Los_Angeles: Workday integration users read in US Pacific time.
	TenantZone *time.Location
	// Faults to inject from the start; SetFaults changes them later.
	Faults Faults
	// Logger; nil discards. Nothing personal is logged.
	Logger *slog.Logger
}

// Faults are the failures the Server injects. The zero value injects none.
type Faults struct {
	// ThrottleEvery throttles every Nth request (N > 0), counting from the
	// first request the Server received.
	ThrottleEvery int
	// ThrottleShare throttles this share (0..1) of requests at random,
	// drawn from a source seeded with Seed.
	ThrottleShare float64
	Seed          uint64
	// Status is the HTTP status of a throttled request: 429 (default) or 503.
	Status int
	// RetryAfter is sent in the Retry-After header, rounded up to whole
	// seconds; default 1s.
	RetryAfter time.Duration
	// Delay is added to every response, in wall-clock time.
	Delay time.Duration
}

// Stats count what the Server has seen.
type Stats struct {
	Requests  int64 // every HTTP request
	Throttled int64 // requests answered with an injected 429 or 503
}

const (
	nsSOAP  = "http://schemas.xmlsoap.org/soap/envelope/"
	nsWSSE  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWD    = "urn:com.workday/bsvc"
	pwdText = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"

	service = "Human_Resources"
	maxBody = 4 << 20
)

// Server is a Workday tenant serving one workforce; it is an http.Handler
// and safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger
	tz  *time.Location

	locs  map[string]*workforce.Location
	comps map[string]*workforce.Company
	orgs  map[string]*workforce.Org
	kids  map[string][]string // org ID -> child org IDs
	// phoneCodes are the Country_Phone_Code_IDs (ISO3_dial code) of the
	// countries of the sites, learned from the workforce's phones.
	phoneCodes map[string]bool

	requests  atomic.Int64
	throttled atomic.Int64

	fmu    sync.Mutex // guards faults and rnd
	faults Faults
	rnd    *rand.Rand

	mu sync.Mutex // guards the workforce and everything below
	wf *workforce.Workforce
	// gen changes whenever what a query returns may change (Advance, a
	// write-back); cached results of another generation are dropped.
	gen        uint64
	indexed    bool               // the workforce as given to New is indexed
	nEvents    int                // events indexed into byWID
	byWID      map[string][]int32 // event log indices per WID, in entry order
	nPersonas  int                // personas indexed below
	order      map[string]int     // creation order per WID
	ptype      map[string]workforce.WorkerType
	byWorkerID map[string][]string // WIDs per Worker_ID, in creation order
	overlay    map[string][]change // write-backs per WID, in entry order
	changes    []change            // every write-back, in entry order
	cache      []*result
	zones      map[string]*time.Location // loaded zones by name
	nextEvent  uint64                    // numbers the business process events write-backs create
}

// New returns a Server for cfg, or an error naming each bad field.
func New(cfg Config) (*Server, error) {
	var errs []error
	if cfg.Workforce == nil {
		errs = append(errs, confload.Field("workforce", "required"))
	}
	if !tenantRE.MatchString(cfg.Tenant) {
		errs = append(errs, confload.Field("tenant", "%q is not a tenant name (letters, digits, underscores)", cfg.Tenant))
	}
	if cfg.Username == "" || strings.Contains(cfg.Username, "@") {
		errs = append(errs, confload.Field("username", "required, without @tenant"))
	}
	if cfg.Password == "" {
		errs = append(errs, confload.Field("password", "required"))
	}
	if err := cfg.Faults.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("workdaysim: %w", err)
	}
	if cfg.TenantZone == nil {
		tz, err := time.LoadLocation("America/Los_Angeles")
		if err != nil {
			return nil, fmt.Errorf("workdaysim: tenant zone: %w", err)
		}
		cfg.TenantZone = tz
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger.With("component", "workdaysim"), tz: cfg.TenantZone,
		locs: map[string]*workforce.Location{}, comps: map[string]*workforce.Company{},
		orgs: map[string]*workforce.Org{}, kids: map[string][]string{}, phoneCodes: map[string]bool{},
		wf: cfg.Workforce, byWID: map[string][]int32{}, order: map[string]int{},
		ptype: map[string]workforce.WorkerType{}, byWorkerID: map[string][]string{},
		overlay: map[string][]change{}, zones: map[string]*time.Location{},
	}
	for i := range s.wf.Locations() {
		l := &s.wf.Locations()[i]
		s.locs[l.ID] = l
	}
	for i := range s.wf.Companies() {
		c := &s.wf.Companies()[i]
		s.comps[c.ID] = c
	}
	for i := range s.wf.Orgs() {
		o := &s.wf.Orgs()[i]
		s.orgs[o.ID] = o
		if o.Parent != "" {
			s.kids[o.Parent] = append(s.kids[o.Parent], o.ID)
		}
	}
	_ = s.SetFaults(cfg.Faults) // validated above
	s.index()
	return s, nil
}

var (
	tenantRE  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	versionRE = regexp.MustCompile(`^v([0-9]{1,2})\.([0-9])$`)
)

func (f Faults) validate() error {
	var errs []error
	if f.ThrottleEvery < 0 {
		errs = append(errs, confload.Field("faults.throttleEvery", "%d is negative", f.ThrottleEvery))
	}
	if f.ThrottleShare < 0 || f.ThrottleShare > 1 || math.IsNaN(f.ThrottleShare) {
		errs = append(errs, confload.Field("faults.throttleShare", "%v is not in 0..1", f.ThrottleShare))
	}
	if f.Status != 0 && f.Status != http.StatusTooManyRequests && f.Status != http.StatusServiceUnavailable {
		errs = append(errs, confload.Field("faults.status", "%d is neither 429 nor 503", f.Status))
	}
	if f.RetryAfter < 0 || f.Delay < 0 {
		errs = append(errs, confload.Field("faults", "negative retryAfter or delay"))
	}
	return errors.Join(errs...)
}

// SetFaults replaces the faults injected from the next request on. Invalid
// faults are refused with an error naming the field.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	if f.Status == 0 {
		f.Status = http.StatusTooManyRequests
	}
	if f.RetryAfter == 0 {
		f.RetryAfter = time.Second
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults, s.rnd = f, rand.New(rand.NewPCG(f.Seed, 0x5eed))
	return nil
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	return Stats{Requests: s.requests.Load(), Throttled: s.throttled.Load()}
}

// Tenant returns the tenant name.
func (s *Server) Tenant() string { return s.cfg.Tenant }

// Username returns the user name clients sign in with: user@tenant.
func (s *Server) Username() string { return s.cfg.Username + "@" + s.cfg.Tenant }

// Path returns the URL path of the Human_Resources service at version
// ("v34.0"), or without a version (the v21.1 shape) when version is "".
// Prefix it with the server's base URL.
func (s *Server) Path(version string) string {
	p := "/ccx/service/" + s.cfg.Tenant + "/" + service
	if version != "" {
		p += "/" + version
	}
	return p
}

// Now returns the emulator's "now": the injected clock's, else the
// workforce's simulated clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock.Now()
	}
	return s.wf.Now()
}

// Advance simulates days of HR transactions (workforce.Advance) and returns
// the events keyed during them; they share memory with the workforce and
// must be treated as read-only. An injected clock is not moved.
func (s *Server) Advance(days int) []workforce.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := s.wf.Advance(days)
	s.index()
	s.gen++
	s.cache = nil
	return ev
}

// Zones returns the IANA time zone of every business site by Location_ID:
// Workday's Worker element does not carry one, so this is what an admin
// configures the connector with.
func (s *Server) Zones() map[string]string {
	m := make(map[string]string, len(s.locs))
	for id, l := range s.locs {
		m[id] = l.TimeZone
	}
	return m
}

// ServeHTTP answers one SOAP request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	urlVersion, ok := s.route(r.URL.Path)
	if !ok {
		http.Error(w, "The requested tenant or service does not exist.", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "SOAP requests are POSTed.", http.StatusMethodNotAllowed)
		return
	}
	f := s.currentFaults()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if s.throttle(n, f) {
		s.throttled.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
		http.Error(w, "Too many requests; retry later.", f.Status)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var out []byte
	if err != nil {
		err = validation("Invalid request", "the request body could not be read", "/")
	} else {
		out, err = s.handle(body, urlVersion)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	var fl *fault
	if errors.As(err, &fl) {
		s.log.Debug("fault", "code", fl.code, "xpath", fl.xpath)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(fl.envelope())
		return
	}
	if err != nil { // a bug: never leak details
		s.log.Error("request failed", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(processing("Processing error occurred.").envelope())
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// route checks the URL path and returns the version it names ("" for none).
func (s *Server) route(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/ccx/service/"+s.cfg.Tenant)
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "/")
	switch {
	case rest == "", rest == "/"+service:
		return "", true
	case strings.HasPrefix(rest, "/"+service+"/"):
		v := strings.TrimPrefix(rest, "/"+service+"/")
		return v, versionRE.MatchString(v)
	}
	return "", false
}

func (s *Server) currentFaults() Faults {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.faults
}

func (s *Server) throttle(n int64, f Faults) bool {
	if f.ThrottleEvery > 0 && n%int64(f.ThrottleEvery) == 0 {
		return true
	}
	if f.ThrottleShare <= 0 {
		return false
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.rnd.Float64() < f.ThrottleShare
}

// handle authenticates and dispatches one SOAP envelope.
func (s *Server) handle(body []byte, urlVersion string) ([]byte, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if env.user != s.Username() || env.password != s.cfg.Password || env.passwordType != pwdText {
		s.log.Info("authentication failed")
		return nil, authentication()
	}
	v, err := requestVersion(urlVersion, env.op)
	if err != nil {
		return nil, err
	}
	switch env.op.Data {
	case "Get_Workers_Request":
		return s.getWorkers(env.op, v)
	case "Change_Work_Contact_Information_Request":
		return s.changeContact(env.op, v)
	case "Workday_Account_for_Worker_Update":
		return s.updateAccount(env.op)
	}
	return nil, validation("Invalid request", fmt.Sprintf("The operation %s is not supported.", env.op.Data), "/"+env.op.Data)
}

// version is a WWS version such as v34.0.
type version struct{ major, minor int }

func (v version) String() string { return fmt.Sprintf("v%d.%d", v.major, v.minor) }

func (v version) atLeast(major, minor int) bool {
	return v.major > major || (v.major == major && v.minor >= minor)
}

// requestVersion is the URL's version, else the request's wd:version
// attribute, else v21.1 (what a URL without a version means to Entra).
func requestVersion(fromURL string, op *node) (version, error) {
	s := fromURL
	if s == "" {
		s = attr(op, "version")
	}
	if s == "" {
		return version{21, 1}, nil
	}
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return version{}, validation("Invalid request", fmt.Sprintf("%q is not a Workday Web Services version.", s), "/"+op.Data+"/@version")
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major < 21 {
		return version{}, validation("Invalid request", fmt.Sprintf("Version %s is no longer supported.", s), "/"+op.Data+"/@version")
	}
	return version{major, minor}, nil
}

// soapOK wraps a response body element in a SOAP envelope; size is a
// guess of its length.
func soapOK(size int, inner func(b *bytes.Buffer)) []byte {
	var b bytes.Buffer
	b.Grow(size + 256)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<env:Envelope xmlns:env="` + nsSOAP + `"><env:Body>`)
	if inner != nil {
		inner(&b)
	}
	b.WriteString(`</env:Body></env:Envelope>`)
	return b.Bytes()
}
