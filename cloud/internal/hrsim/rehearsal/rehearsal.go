// Package rehearsal runs an HR emulator (SuccessFactors or Workday) over a
// synthetic workforce as one standalone server, for admins rehearsing a
// rollout and for end-to-end tests: the emulator's own API, plus control
// endpoints under /hrsim/:
//
//	GET  /hrsim/now              the simulated instant, {"now": "..."}
//	POST /hrsim/advance?days=N   simulate N days of HR transactions
//	GET  /hrsim/workers          every persona as HR knows it now: what the
//	                             directory should end up saying
//
// The emulator's clock is the workforce's simulated clock: it stands still
// until advanced. A connector rehearsing against it reads that clock
// through /hrsim/now (its source setting "rehearsal": true), so its
// change windows and effective dates follow simulated time.
package rehearsal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/sfsim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workdaysim"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce"
)

// Kinds of emulator.
const (
	SuccessFactors = "successfactors"
	Workday        = "workday"
)

// Config says what to serve.
type Config struct {
	// Kind is SuccessFactors or Workday.
	Kind string
	// Workers, Seed and Start generate the workforce (see workforce.Config).
	Workers int
	Seed    int64
	Start   time.Time
	// ThrottleEvery, when above 0, answers every Nth API request with 429
	// and Retry-After: 1.
	ThrottleEvery int
	Logger        *slog.Logger
}

// emulator is what both emulators offer.
type emulator interface {
	http.Handler
	Advance(days int) []workforce.Event
	View(fn func(wf *workforce.Workforce))
	Now() time.Time
}

// Server is the emulator with its control endpoints.
type Server struct {
	kind  string
	emu   emulator
	creds map[string]string
	mux   *http.ServeMux
	mu    sync.Mutex // serialises Advance with reads of the workforce
}

// New generates the workforce and starts nothing: serve the Server with an
// http.Server of your own.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Now().UTC().Truncate(24 * time.Hour)
	}
	wf, err := workforce.Generate(workforce.Config{Seed: cfg.Seed, Workers: cfg.Workers, Start: cfg.Start})
	if err != nil {
		return nil, err
	}
	s := &Server{kind: cfg.Kind, mux: http.NewServeMux()}
	switch cfg.Kind {
	case SuccessFactors:
		sf, err := sfsim.New(sfsim.Config{Workforce: wf, Throttle: sfsim.Throttle{Every: cfg.ThrottleEvery, Status: http.StatusTooManyRequests, RetryAfter: time.Second},
			Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		s.emu = sf
		s.creds = map[string]string{"companyId": sf.CompanyID(), "username": sf.User(), "password": sf.Password(),
			"clientId": sf.ClientID(), "privateKey": string(sf.ClientKeyPEM())}
	case Workday:
		pw := randomPassword()
		wd, err := workdaysim.New(workdaysim.Config{Workforce: wf, Tenant: "acme", Username: "hrsync_isu", Password: pw,
			Faults: workdaysim.Faults{ThrottleEvery: cfg.ThrottleEvery, Status: http.StatusTooManyRequests, RetryAfter: time.Second}, Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		s.emu = wd
		zones, _ := json.Marshal(wd.Zones())
		s.creds = map[string]string{"path": wd.Path("v34.0"), "username": wd.Username(), "password": pw, "zones": string(zones)}
	default:
		return nil, fmt.Errorf("kind: %q is not an emulator; use %s or %s", cfg.Kind, SuccessFactors, Workday)
	}
	s.mux.HandleFunc("GET /hrsim/now", s.now)
	s.mux.HandleFunc("POST /hrsim/advance", s.advance)
	s.mux.HandleFunc("GET /hrsim/workers", s.workers)
	s.mux.Handle("/", s.emu)
	return s, nil
}

// Credentials are the settings a connector needs besides the URL.
func (s *Server) Credentials() map[string]string { return s.creds }

// Kind is the emulator's kind.
func (s *Server) Kind() string { return s.kind }

// ServeHTTP serves the control endpoints and the emulator.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) now(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"now": s.emu.Now()})
}

func (s *Server) advance(w http.ResponseWriter, r *http.Request) {
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if err != nil || days < 1 || days > 366 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "days: want a whole number from 1 to 366"})
		return
	}
	s.mu.Lock()
	events := s.emu.Advance(days)
	s.mu.Unlock()
	kinds := map[string]int{}
	for _, e := range events {
		kinds[string(e.Kind)]++
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": s.emu.Now(), "events": len(events), "byKind": kinds})
}

// Persona is one persona as HR knows it now.
type Persona struct {
	WID              string `json:"wid"`
	WorkerID         string `json:"workerId"`
	UserID           string `json:"userId"`
	PersonIDExternal string `json:"personIdExternal"`
	PersonUUID       string `json:"personUuid"`
	Status           string `json:"status"`
	DisplayName      string `json:"displayName"`
	ManagerWID       string `json:"managerWid,omitempty"`
	TimeZone         string `json:"timeZone"`
}

func (s *Server) workers(w http.ResponseWriter, r *http.Request) {
	var out []Persona
	s.mu.Lock()
	s.emu.View(func(wf *workforce.Workforce) {
		now := wf.Now()
		for p := range wf.Records(now, now) {
			n := p.Name()
			out = append(out, Persona{WID: p.WID, WorkerID: p.WorkerID, UserID: p.UserID, PersonIDExternal: p.PersonIDExternal,
				PersonUUID: p.PersonUUID, Status: string(p.Status), DisplayName: n.Full(), ManagerWID: p.ManagerWID, TimeZone: p.TimeZone})
		}
	})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
