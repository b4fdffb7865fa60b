package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/connector"
	"github.com/hrsync/hrsync/cloud/internal/csvfeed"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/successfactors"
	"github.com/hrsync/hrsync/cloud/internal/workday"
)

// connectors registers the pull-source connectors this cloud offers. Each
// reads its settings from the job's source config (JSON, strict); secrets
// may be given inline, or as "env:NAME" or "file:/path" so they stay out of
// the database.
func connectors() (*connector.Registry, error) {
	return connector.NewRegistry(workdayKind(), successFactorsKind(), csvKind())
}

// secret resolves a secret setting: "env:NAME", "file:/path" or the value.
func secret(field, v string) (string, error) {
	switch {
	case strings.HasPrefix(v, "env:"):
		name := strings.TrimPrefix(v, "env:")
		s, ok := os.LookupEnv(name)
		if !ok {
			return "", fmt.Errorf("%s: environment variable %s is not set", field, name)
		}
		return s, nil
	case strings.HasPrefix(v, "file:"):
		b, err := os.ReadFile(strings.TrimPrefix(v, "file:"))
		if err != nil {
			return "", fmt.Errorf("%s: %w", field, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return v, nil
}

// redacted hides a secret setting unless it only names where the secret is.
func redacted(v string) string {
	if v == "" || strings.HasPrefix(v, "env:") || strings.HasPrefix(v, "file:") {
		return v
	}
	return "[redacted]"
}

func strictJSON(config []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(config))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("source config: %w", err)
	}
	return nil
}

// pick chooses, for each source attribute a job reads, its definition:
// the settings' own (custom) attributes first, then the connector's
// defaults. An attribute defined nowhere is an error naming it.
func pick(names []string, custom, defaults []source.Attribute) ([]source.Attribute, error) {
	byName := map[string]source.Attribute{}
	for _, a := range defaults {
		byName[a.Name] = a
	}
	for _, a := range custom {
		byName[a.Name] = a
	}
	var out []source.Attribute
	var missing []string
	for _, n := range names {
		a, ok := byName[n]
		if !ok {
			missing = append(missing, n)
			continue
		}
		out = append(out, a)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the job reads source attributes the connector does not define: %s; add them to the source's attributes with their paths",
			strings.Join(missing, ", "))
	}
	return out, nil
}

// sfSettings is the SuccessFactors source config.
type sfSettings struct {
	BaseURL         string             `json:"baseUrl"`
	CompanyID       string             `json:"companyId"`
	Username        string             `json:"username"`
	Password        string             `json:"password,omitempty"`
	ClientID        string             `json:"clientId,omitempty"`
	PrivateKey      string             `json:"privateKey,omitempty"`
	UserID          string             `json:"userId,omitempty"`
	UseIDP          bool               `json:"useIdp,omitempty"`
	PageSize        int                `json:"pageSize,omitempty"`
	DefaultTimeZone string             `json:"defaultTimeZone,omitempty"`
	Attributes      []source.Attribute `json:"attributes,omitempty"`
	// Rehearsal runs the connector on the clock of an hrsim emulator at
	// BaseURL (hrsyncctl hrsim serve), so its change windows follow
	// simulated time.
	Rehearsal bool `json:"rehearsal,omitempty"`
}

func (s sfSettings) config() (successfactors.Config, error) {
	pw, err := secret("password", s.Password)
	if err != nil {
		return successfactors.Config{}, err
	}
	key, err := secret("privateKey", s.PrivateKey)
	if err != nil {
		return successfactors.Config{}, err
	}
	return successfactors.Config{BaseURL: s.BaseURL, CompanyID: s.CompanyID, PageSize: s.PageSize, DefaultTimeZone: s.DefaultTimeZone,
		Auth: successfactors.Auth{Username: s.Username, Password: pw, ClientID: s.ClientID, PrivateKey: key, UserID: s.UserID, UseIDP: s.UseIDP}}, nil
}

func (s *sfSettings) redact() {
	s.Password, s.PrivateKey = redacted(s.Password), redacted(s.PrivateKey)
}

func successFactorsKind() connector.Kind {
	return settingsKind[sfSettings]("successfactors", func(ctx context.Context, s sfSettings, cfg successfactors.Config, attributes []string) (source.Source, error) {
		var err error
		if cfg.Attributes, err = pick(attributes, s.Attributes, successfactors.DefaultAttributes()); err != nil {
			return nil, err
		}
		if s.Rehearsal {
			if cfg.Clock, err = rehearsalClock(ctx, s.BaseURL); err != nil {
				return nil, err
			}
		}
		return successfactors.New(cfg)
	})
}

// settings is a connector's JSON settings: it builds the connector's
// configuration and hides its secrets.
type settings[C interface{ Validate() error }] interface {
	config() (C, error)
	redact()
}

// settingsKind is the connector.Kind of a connector whose settings are S:
// strict JSON, validated through the connector's own Validate; open builds
// the source from the settings and their configuration.
func settingsKind[S any, PS interface {
	*S
	settings[C]
}, C interface{ Validate() error }](name string, open func(ctx context.Context, s S, cfg C, attributes []string) (source.Source, error)) connector.Kind {
	parse := func(config []byte) (S, C, error) {
		var s S
		var cfg C
		if err := strictJSON(config, &s); err != nil {
			return s, cfg, err
		}
		cfg, err := PS(&s).config()
		return s, cfg, err
	}
	return connector.Kind{
		Name: name,
		Validate: func(config []byte) error {
			_, cfg, err := parse(config)
			if err != nil {
				return err
			}
			return cfg.Validate()
		},
		Open: func(ctx context.Context, config []byte, attributes []string) (source.Source, error) {
			s, cfg, err := parse(config)
			if err != nil {
				return nil, err
			}
			return open(ctx, s, cfg, attributes)
		},
		Redact: func(config []byte) ([]byte, error) {
			var s S
			if err := strictJSON(config, &s); err != nil {
				return nil, err
			}
			PS(&s).redact()
			return json.Marshal(s)
		},
	}
}

// offsetClock is the real clock shifted to an emulator's simulated time.
type offsetClock struct {
	clockwork.Clock
	offset time.Duration
}

func (c offsetClock) Now() time.Time                  { return c.Clock.Now().Add(c.offset) }
func (c offsetClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c offsetClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// rehearsalClock reads an hrsim emulator's simulated instant once: the
// connector of one cycle runs on it (the emulator's clock stands still
// between advances, so a cycle sees a consistent "now").
func rehearsalClock(ctx context.Context, base string) (clockwork.Clock, error) {
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/hrsim/now", nil)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: the emulator's clock: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Now time.Time `json:"now"`
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rehearsal: the emulator's clock: HTTP %d (is baseUrl an hrsim emulator?)", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Now.IsZero() {
		return nil, fmt.Errorf("rehearsal: the emulator's clock: unreadable answer")
	}
	real := clockwork.NewRealClock()
	return offsetClock{Clock: real, offset: body.Now.Sub(real.Now())}, nil
}

// csvKind is the CSV file or drop-folder source; its settings are
// csvfeed.Config's JSON and hold no secrets.
func csvKind() connector.Kind {
	return connector.Kind{
		Name: "csv",
		Validate: func(config []byte) error {
			_, err := csvfeed.ParseConfig(config)
			return err
		},
		Open: func(ctx context.Context, config []byte, attributes []string) (source.Source, error) {
			cfg, err := csvfeed.ParseConfig(config)
			if err != nil {
				return nil, err
			}
			if len(cfg.Attributes) == 0 {
				cfg.Attributes = attributes
			}
			return csvfeed.New(cfg)
		},
		Redact: func(config []byte) ([]byte, error) { return config, nil },
	}
}

// wdSettings is the Workday source config.
type wdSettings struct {
	// URL is the tenant's web service URL (…/ccx/service/TENANT[/Human_Resources[/vNN.N]]).
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
	// Zones maps Location_IDs or country codes to IANA time zones.
	Zones       map[string]string `json:"zones,omitempty"`
	DefaultZone string            `json:"defaultZone,omitempty"`
	TenantZone  string            `json:"tenantZone,omitempty"`
	PageSize    int               `json:"pageSize,omitempty"`
	// PrehireLookahead, a duration, reports future hires that far ahead as
	// of their first day, as Entra does (Active=1 before the start). Empty:
	// off; a pre-hire is reported as it stands today and read again at
	// the start of its first day in the worker's zone.
	PrehireLookahead string             `json:"prehireLookahead,omitempty"`
	Attributes       []source.Attribute `json:"attributes,omitempty"`
	Rehearsal        bool               `json:"rehearsal,omitempty"`
}

func (s wdSettings) config() (workday.Config, error) {
	pw, err := secret("password", s.Password)
	if err != nil {
		return workday.Config{}, err
	}
	cfg := workday.Config{URL: s.URL, Username: s.Username, Password: pw, Zones: s.Zones, DefaultZone: s.DefaultZone,
		TenantZone: s.TenantZone, PageSize: s.PageSize, PrehireLookahead: -1}
	if s.PrehireLookahead != "" {
		d, err := time.ParseDuration(s.PrehireLookahead)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("prehireLookahead: %q is not a positive duration (e.g. \"336h\")", s.PrehireLookahead)
		}
		cfg.PrehireLookahead = d
	}
	return cfg, nil
}

func (s *wdSettings) redact() { s.Password = redacted(s.Password) }

func workdayKind() connector.Kind {
	return settingsKind[wdSettings]("workday", func(ctx context.Context, s wdSettings, cfg workday.Config, attributes []string) (source.Source, error) {
		custom := map[string]string{}
		for _, a := range s.Attributes {
			custom[a.Name] = a.Path
		}
		// A name without a path takes the connector's default XPath.
		for _, n := range attributes {
			cfg.Attributes = append(cfg.Attributes, source.Attribute{Name: n, Path: custom[n]})
		}
		if s.Rehearsal {
			var err error
			if cfg.Clock, err = rehearsalClock(ctx, rehearsalBase(s.URL)); err != nil {
				return nil, err
			}
		}
		return workday.New(cfg)
	})
}

// rehearsalBase is the emulator's root for a Workday tenant URL.
func rehearsalBase(tenantURL string) string {
	if i := strings.Index(tenantURL, "/ccx/"); i > 0 {
		return tenantURL[:i]
	}
	return tenantURL
}

// writeBackThrough writes values back through a job's pull source.
func writeBackThrough(st store.Syncs, sources *connector.Registry) func(ctx context.Context, jobID, anchor string, values map[string]string) error {
	return func(ctx context.Context, jobID, anchor string, values map[string]string) error {
		sync, err := st.GetSyncState(ctx, jobID)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("write back: job %s has no pull source (API-driven jobs cannot write back)", jobID)
		}
		if err != nil {
			return fmt.Errorf("write back: %w", err)
		}
		src, err := sources.Open(ctx, sync, nil)
		if err != nil {
			return fmt.Errorf("write back: %w", err)
		}
		wb, ok := src.(source.WriteBack)
		if !ok {
			return fmt.Errorf("write back: the %s source does not write back", sync.SourceKind)
		}
		return wb.WriteBack(ctx, anchor, values)
	}
}
