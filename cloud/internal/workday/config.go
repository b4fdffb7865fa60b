package workday

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones resolve on hosts without a zone database

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/shared/confload"
)

// Config configures a Connector. URL, Username and Password are required;
// everything else has a default.
type Config struct {
	// URL is the tenant's web service URL, as an admin copies it from
	// Workday: https://<host>/ccx/service/<tenant>[/Human_Resources[/vNN.N]].
	// Without a version the connector speaks WWS v21.1 and its default
	// attributes are Entra's v21.1 XPaths; with one (v30.0 or later) it
	// speaks that version with the v30+ XPaths. Plain http is accepted only
	// for loopback hosts (the emulator).
	URL string
	// Username is the integration system user (ISU); "@tenant" is added
	// when it is missing.
	Username string
	// Password of the ISU. Never logged.
	Password string
	// Attributes are the source attributes to read, each a name and an
	// XPath evaluated against the worker (its root element is wd:Worker,
	// prefix wd = urn:com.workday/bsvc). nil means every default attribute
	// of the version (DefaultAttributes). An entry with an empty Path takes
	// the default path of its name, so the names a mapping uses
	// (mapping.Compiled.Sources) are a complete configuration; an entry with
	// a Path overrides or adds (a custom attribute).
	Attributes []source.Attribute
	// Zones maps a Location_ID (e.g. LOC-BLR), or an ISO 3166-1 alpha-2 or
	// alpha-3 country code of the business site, to an IANA time zone. A
	// worker's effective dates (hire date, last day of work) turn into
	// instants at midnight in that zone. Workday's Worker element carries
	// no time zone, so this is configuration; Location_ID wins over country.
	Zones map[string]string
	// DefaultZone is the zone of workers Zones does not place. Default UTC.
	DefaultZone string
	// TenantZone is the zone the tenant keeps "today" in: the date of
	// Event_Effective_Date on write-backs. Default America/Los_Angeles
	// (Workday integration users read in US Pacific time).
	TenantZone string
	// PageSize is the Count of each Get_Workers page, 1..999. Default 100,
	// Workday's own default (Entra asks for 30; larger pages mean fewer
	// round trips and the same memory per worker).
	PageSize int
	// PrehireLookahead: a future-dated hire whose first day is at most this
	// far ahead is reported as of its hire date (Get_Workers by WID with
	// As_Of_Effective_Date = the hire instant, as Entra does: the account is
	// ready, with day-1 data and Active=1, before the worker starts). 0 (the
	// default) has no limit, like Entra; a negative value turns the lookup
	// off, so pre-hires are reported as they stand today (Active=0) and the
	// engine reads them again at the hire instant through Record.Wake.
	PrehireLookahead time.Duration
	// HTTPClient carries the requests (TLS, proxy, timeouts); nil uses a
	// pooled client with a 2-minute timeout. Retries are added around it.
	HTTPClient *http.Client
	// RetryMax is how many times a throttled (429, 503), failed (5xx other
	// than a SOAP fault) or unreachable request is retried. Default 4;
	// negative means no retries.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries (defaults 1s and 60s). A Retry-After header is honoured up to
	// RetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// Clock is "now" (the watermark, As_Of dates, what is in the future);
	// nil uses the real clock.
	Clock clockwork.Clock
	// Logger; nil discards. Personal data and passwords are never logged.
	Logger *slog.Logger
}

// endpoint is what the URL says.
type endpoint struct {
	url     string // the Human_Resources service URL requests are POSTed to
	tenant  string
	version string // "" when the URL names none: v21.1
}

var (
	urlPathRE  = regexp.MustCompile(`^/ccx/service/([A-Za-z0-9_]+)(?:/Human_Resources(?:/(v[0-9]{1,2}\.[0-9]))?)?/?$`)
	minVersion = [2]int{30, 0}
)

func parseEndpoint(raw string) (endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return endpoint{}, fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	default:
		return endpoint{}, fmt.Errorf("%q: use https (plain http only to a loopback host)", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("%q: no credentials, query or fragment in the URL", raw)
	}
	m := urlPathRE.FindStringSubmatch(u.Path)
	if m == nil {
		return endpoint{}, fmt.Errorf("%q: the path is not /ccx/service/<tenant>[/Human_Resources[/vNN.N]]", raw)
	}
	e := endpoint{tenant: m[1], version: m[2]}
	if e.version != "" {
		if v := parseVersion(e.version); v[0] < minVersion[0] {
			return endpoint{}, fmt.Errorf("%q: version %s: name v30.0 or later, or no version for v21.1", raw, e.version)
		}
	}
	e.url = u.Scheme + "://" + u.Host + "/ccx/service/" + e.tenant + "/Human_Resources"
	if e.version != "" {
		e.url += "/" + e.version
	}
	return e, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseVersion reads "v34.0" as {34, 0}; the caller has matched the form.
func parseVersion(v string) [2]int {
	major, minor, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	a, _ := strconv.Atoi(major)
	b, _ := strconv.Atoi(minor)
	return [2]int{a, b}
}

// atLeast returns the later of the endpoint's version and floor ("v30.0"):
// write-back operations need a minimum version.
func (e endpoint) atLeast(floor string) string {
	if e.version == "" {
		return floor
	}
	v, f := parseVersion(e.version), parseVersion(floor)
	if v[0] > f[0] || (v[0] == f[0] && v[1] >= f[1]) {
		return e.version
	}
	return floor
}

// requestVersion is the wd:version of Get_Workers requests.
func (e endpoint) requestVersion() string {
	if e.version == "" {
		return "v21.1"
	}
	return e.version
}

// Validate reports every invalid field, each error naming it.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// settings is a validated Config with defaults filled in.
type settings struct {
	Config
	ep          endpoint
	user        string
	attrs       []compiled
	zones       map[string]*time.Location
	defaultZone *time.Location
	tenantZone  *time.Location
}

func (c Config) compile() (*settings, error) {
	s := &settings{Config: c}
	var errs []error
	ep, err := parseEndpoint(c.URL)
	if err != nil {
		errs = append(errs, confload.Field("url", "%w", err))
	}
	s.ep = ep
	switch {
	case c.Username == "":
		errs = append(errs, confload.Field("username", "required"))
	case strings.ContainsAny(c.Username, " \t\r\n<>&"):
		errs = append(errs, confload.Field("username", "holds a space or a character XML would need escaped"))
	case strings.Contains(c.Username, "@"):
		s.user = c.Username
	default:
		s.user = c.Username + "@" + ep.tenant
	}
	if c.Password == "" {
		errs = append(errs, confload.Field("password", "required"))
	}
	if err == nil {
		attrs, aerrs := compileAttributes(c.Attributes, ep.version != "")
		s.attrs = attrs
		errs = append(errs, aerrs...)
	}
	s.zones = map[string]*time.Location{}
	for k, name := range c.Zones {
		z, zerr := time.LoadLocation(name)
		if zerr != nil || name == "" {
			errs = append(errs, confload.Field("zones["+k+"]", "%q is not an IANA time zone", name))
			continue
		}
		s.zones[k] = z
	}
	s.defaultZone = loadOr(c.DefaultZone, "UTC", "defaultZone", &errs)
	s.tenantZone = loadOr(c.TenantZone, "America/Los_Angeles", "tenantZone", &errs)
	switch {
	case c.PageSize == 0:
		s.PageSize = 100
	case c.PageSize < 1 || c.PageSize > 999:
		errs = append(errs, confload.Field("pageSize", "%d is not in 1..999", c.PageSize))
	}
	switch {
	case c.RetryMax == 0:
		s.RetryMax = 4
	case c.RetryMax < 0:
		s.RetryMax = 0
	}
	if c.RetryWaitMin < 0 || c.RetryWaitMax < 0 {
		errs = append(errs, confload.Field("retryWaitMin", "retry waits must not be negative"))
	}
	if s.RetryWaitMin == 0 {
		s.RetryWaitMin = time.Second
	}
	if s.RetryWaitMax == 0 {
		s.RetryWaitMax = max(60*time.Second, s.RetryWaitMin)
	}
	if s.RetryWaitMax < s.RetryWaitMin {
		errs = append(errs, confload.Field("retryWaitMax", "%v is below retryWaitMin %v", s.RetryWaitMax, s.RetryWaitMin))
	}
	if s.Clock == nil {
		s.Clock = clockwork.NewRealClock()
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("workday: %w", err)
	}
	return s, nil
}

func loadOr(name, def, field string, errs *[]error) *time.Location {
	if name == "" {
		name = def
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		*errs = append(*errs, confload.Field(field, "%q is not an IANA time zone", name))
		return time.UTC
	}
	return z
}
