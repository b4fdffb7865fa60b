package successfactors

import (
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/samlbearer"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/shared/confload"
)

// Config configures a SuccessFactors connector.
type Config struct {
	// BaseURL is the API data centre, e.g. "https://api4.successfactors.com"
	// or, as Entra's Tenant URL field takes it, the host alone
	// ("api4.successfactors.com", https is assumed). Required.
	BaseURL string
	// CompanyID is the SuccessFactors company ID (case-sensitive). Required.
	CompanyID string
	// Auth is how the connector authenticates: HTTP Basic or OAuth 2.0
	// SAML bearer. Required.
	Auth Auth
	// Attributes are the source attributes to read, each a JSONPath into
	// the expanded PerPerson. Nil: DefaultAttributes().
	Attributes []source.Attribute
	// PageSize is customPageSize, rows per page (1-1000). Default 100, as
	// Entra sends.
	PageSize int
	// DefaultTimeZone is the IANA zone used for a worker's effective
	// dates (Record.Wake, Worker's asOfDate) when the record carries
	// neither User.timeZone nor EmpJob.timezone. Default "UTC".
	DefaultTimeZone string
	// WriteBack says how values are written back.
	WriteBack WriteBackConfig
	// Retry bounds retries of throttled and failed requests.
	Retry Retry
	// Clock is the connector's "now" (CurrentExecutionTime, token expiry,
	// assertion validity). Default: the real clock.
	Clock clockwork.Clock
	// Logger receives operational logs: operations, pages, counts, status
	// codes. Never personal data, URLs with filters, or secrets.
	Logger *slog.Logger
	// HTTPClient is the client requests go through (its Transport and
	// Timeout are used; retries are the connector's). Nil: a client with
	// a 60-second timeout.
	HTTPClient *http.Client
}

// Auth holds the credentials. Set Username and Password for HTTP Basic
// (SAP deprecates it for SuccessFactors APIs by November 2026), or ClientID
// and PrivateKey for OAuth 2.0 SAML bearer.
type Auth struct {
	// Username is the API user's SuccessFactors user name, without the
	// "@companyId" (the connector adds it).
	Username string
	// Password is the API user's password (Basic only).
	Password string

	// ClientID is the API key of the OAuth client registered in "Manage
	// OAuth2 Client Applications".
	ClientID string
	// PrivateKey is the OAuth client's RSA private key, PEM (PKCS#1 or
	// PKCS#8) or base64 of it, as SuccessFactors generates it with the
	// X.509 certificate.
	PrivateKey string
	// Certificate is the client's X.509 certificate (PEM), named in the
	// assertion's KeyInfo. Optional: SuccessFactors verifies the signature
	// with the certificate it registered.
	Certificate string
	// UserID is the SuccessFactors user ID the token acts as (the
	// assertion's subject). Default: Username.
	UserID string
	// UseIDP asks SuccessFactors' /oauth/idp endpoint to build and sign
	// the assertion (sending it the private key) instead of signing it
	// locally. SAP deprecates /oauth/idp; use it only where required.
	UseIDP bool
}

// oauth reports whether OAuth SAML bearer is configured.
func (a Auth) oauth() bool { return a.ClientID != "" || a.PrivateKey != "" }

// WriteBackConfig sets the constants Entra's write-back mapping sets.
type WriteBackConfig struct {
	// EmailType is the option ID (picklist ecEmailType) of the business
	// e-mail written back, e.g. "8448". Default "8448".
	EmailType string
	// EmailIsPrimary is sent as isPrimary; nil: true.
	EmailIsPrimary *bool
}

// Retry bounds retries of requests that fail with 429, 5xx or a network
// error. Retry-After is honoured up to WaitMax.
type Retry struct {
	Max     int           // retries after the first attempt; default 4; negative: none
	WaitMin time.Duration // first backoff; default 1s
	WaitMax time.Duration // longest wait, Retry-After included; default 1 minute
}

//go:embed attributes.json
var defaultAttributes []byte

// DefaultAttributes returns the attribute list Entra's SuccessFactors
// connector ships (sap-successfactors-attribute-reference.md, our
// successfactors-protocol.md §8.1) with the JSONPaths Microsoft documents.
// emplStatus reads emplStatusNav.externalCode (A, U, P, T, ...), the path
// Microsoft recommends over the raw picklist option ID.
func DefaultAttributes() []source.Attribute {
	var attrs []source.Attribute
	if err := json.Unmarshal(defaultAttributes, &attrs); err != nil {
		panic("successfactors: embedded attributes.json: " + err.Error()) // a build defect, covered by tests
	}
	return attrs
}

// Validate reports every invalid field, each error naming its field.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, confload.Field("BaseURL", "is required"))
	} else if _, err := baseURL(c.BaseURL); err != nil {
		errs = append(errs, confload.Field("BaseURL", "%w", err))
	}
	if c.CompanyID == "" {
		errs = append(errs, confload.Field("CompanyID", "is required"))
	}
	errs = append(errs, c.Auth.validate()...)
	if c.PageSize < 0 || c.PageSize > 1000 {
		errs = append(errs, confload.Field("PageSize", "must be between 1 and 1000, got %d", c.PageSize))
	}
	if c.DefaultTimeZone != "" {
		if _, err := time.LoadLocation(c.DefaultTimeZone); err != nil {
			errs = append(errs, confload.Field("DefaultTimeZone", "%w", err))
		}
	}
	if c.Retry.WaitMin < 0 || c.Retry.WaitMax < 0 || (c.Retry.WaitMax > 0 && c.Retry.WaitMin > c.Retry.WaitMax) {
		errs = append(errs, confload.Field("Retry", "waits must be non-negative and WaitMin <= WaitMax, got %s and %s", c.Retry.WaitMin, c.Retry.WaitMax))
	}
	if t := c.WriteBack.EmailType; t != "" && strings.Trim(t, "0123456789") != "" {
		errs = append(errs, confload.Field("WriteBack.EmailType", "must be a picklist option ID (digits, no separators), got %q", t))
	}
	attrs := c.Attributes
	if attrs == nil {
		attrs = DefaultAttributes()
	}
	if _, err := compile(attrs); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (a Auth) validate() []error {
	var errs []error
	if !a.oauth() {
		if a.Username == "" {
			errs = append(errs, confload.Field("Auth.Username", "is required (or set Auth.ClientID and Auth.PrivateKey for OAuth)"))
		}
		if a.Password == "" {
			errs = append(errs, confload.Field("Auth.Password", "is required for Basic authentication"))
		}
		if strings.Contains(a.Username, "@") {
			errs = append(errs, confload.Field("Auth.Username", "give the user name without @companyId"))
		}
		return errs
	}
	if a.Password != "" {
		errs = append(errs, confload.Field("Auth.Password", "must be empty with OAuth (set either Basic or OAuth credentials)"))
	}
	if a.ClientID == "" {
		errs = append(errs, confload.Field("Auth.ClientID", "is required for OAuth"))
	}
	if a.Username == "" && a.UserID == "" {
		errs = append(errs, confload.Field("Auth.UserID", "is required for OAuth: the user the token acts as"))
	}
	if _, err := samlbearer.ParsePrivateKey(a.PrivateKey); err != nil {
		errs = append(errs, confload.Field("Auth.PrivateKey", "%w", err))
	}
	if a.Certificate != "" {
		if _, err := parseCertificate(a.Certificate); err != nil {
			errs = append(errs, confload.Field("Auth.Certificate", "%w", err))
		}
	}
	return errs
}

// baseURL normalises the configured base URL to scheme://host[:port].
func baseURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("scheme must be https (or http for a local emulator), got %q", u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("no host in %q", s)
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "" && p != "/odata/v2" {
		return "", fmt.Errorf("give the API host only, not the path %q", u.Path)
	}
	return u.Scheme + "://" + u.Host, nil
}

func parseCertificate(s string) (*x509.Certificate, error) {
	blk, _ := pem.Decode([]byte(s))
	if blk == nil {
		return nil, errors.New("is not PEM")
	}
	return x509.ParseCertificate(blk.Bytes)
}
