package successfactors

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/samlbearer"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// Connector reads workers from SuccessFactors Employee Central and writes
// e-mail addresses back. It implements source.Source and source.WriteBack.
type Connector struct {
	base    string
	company string
	auth    Auth
	key     *rsa.PrivateKey
	certDER []byte
	attrs   []attribute
	// statusAttr names the status attributes (see attribute.status).
	statusAttr map[string]bool
	expand     string
	pageSize   int
	defZone    *time.Location
	wb         WriteBackConfig
	clock      clockwork.Clock
	log        *slog.Logger
	http       *retryablehttp.Client

	mu sync.Mutex // guards the following fields
	// tok is the OAuth access token and when it expires.
	tok    string
	tokExp time.Time
	// zones and pids remember, by anchor, the worker's time zone and
	// personIdExternal from the last read, for Worker and WriteBack.
	zones map[string]string
	pids  map[string]string
	locs  map[string]*time.Location
}

// New builds a connector. It validates cfg and fills in defaults.
func New(cfg Config) (*Connector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("successfactors: %w", err)
	}
	if cfg.Attributes == nil {
		cfg.Attributes = DefaultAttributes()
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 100
	}
	if cfg.DefaultTimeZone == "" {
		cfg.DefaultTimeZone = "UTC"
	}
	if cfg.WriteBack.EmailType == "" {
		cfg.WriteBack.EmailType = "8448"
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := cfg.Retry
	if r.Max == 0 {
		r.Max = 4
	} else if r.Max < 0 {
		r.Max = 0
	}
	if r.WaitMin == 0 {
		r.WaitMin = time.Second
	}
	if r.WaitMax == 0 {
		r.WaitMax = time.Minute
	}
	r.WaitMin = min(r.WaitMin, r.WaitMax)
	attrs, _ := compile(cfg.Attributes) // Validate compiled them
	base, _ := baseURL(cfg.BaseURL)     // and checked this
	zone, _ := time.LoadLocation(cfg.DefaultTimeZone)
	c := &Connector{
		base: base, company: cfg.CompanyID, auth: cfg.Auth, attrs: attrs, expand: expandFor(cfg.Attributes),
		pageSize: cfg.PageSize, defZone: zone, wb: cfg.WriteBack, clock: cfg.Clock,
		log:   cfg.Logger.With("component", "successfactors"),
		zones: map[string]string{}, pids: map[string]string{}, locs: map[string]*time.Location{},
	}
	c.statusAttr = map[string]bool{}
	for _, a := range attrs {
		if a.status {
			c.statusAttr[a.name] = true
		}
	}
	if cfg.Auth.oauth() {
		c.key, _ = samlbearer.ParsePrivateKey(cfg.Auth.PrivateKey)
		if cfg.Auth.Certificate != "" {
			cert, _ := parseCertificate(cfg.Auth.Certificate)
			c.certDER = cert.Raw
		}
		if c.auth.UserID == "" {
			c.auth.UserID = c.auth.Username
		}
	}
	hc := &http.Client{Timeout: time.Minute}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	if hc.Jar == nil {
		// SAP asks integrations to replay the session cookie (KBA 3308165).
		hc.Jar, _ = cookiejar.New(nil) // cookiejar.New never fails without options
	}
	c.http = &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: r.WaitMin,
		RetryWaitMax: r.WaitMax,
		RetryMax:     r.Max,
		CheckRetry:   retryablehttp.DefaultRetryPolicy,
		Backoff: func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
			return min(retryablehttp.DefaultBackoff(lo, hi, attempt, resp), hi)
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				c.log.Debug("request retried", "method", req.Method, "path", req.URL.Path, "attempt", attempt)
			}
		},
	}
	return c, nil
}

func (c *Connector) zone(name string) *time.Location {
	if name == "" {
		return c.defZone
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if z, ok := c.locs[name]; ok {
		return z
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		c.log.Warn("unknown time zone in record; using the default", "zone", name)
		z = c.defZone
	}
	c.locs[name] = z
	return z
}

// odataError is SuccessFactors' JSON error body.
type odataError struct {
	Error struct {
		Code    string `json:"code"`
		Message struct {
			Value string `json:"value"`
		} `json:"message"`
	} `json:"error"`
}

// do sends one request (with retries) and returns the body of a 2xx
// answer, or a *source.Error.
func (c *Connector) do(ctx context.Context, op, method, u string, body []byte, contentType string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		b, status, err := c.send(ctx, op, method, u, body, contentType)
		var se *source.Error
		// An expired or revoked OAuth token: fetch a new one, once.
		if errors.As(err, &se) && se.Kind == source.Authentication && c.auth.oauth() && attempt == 0 && status == http.StatusForbidden {
			c.mu.Lock()
			c.tok = ""
			c.mu.Unlock()
			continue
		}
		return b, err
	}
}

func (c *Connector) send(ctx context.Context, op, method, u string, body []byte, contentType string) ([]byte, int, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, 0, &source.Error{Kind: source.Validation, Op: op, Err: err}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if err := c.authorize(ctx, req.Request); err != nil {
		return nil, 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, &source.Error{Kind: source.Unavailable, Op: op, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, &source.Error{Kind: source.Unavailable, Op: op, Err: fmt.Errorf("read response: %w", err)}
	}
	if resp.StatusCode/100 == 2 {
		return b, resp.StatusCode, nil
	}
	c.log.Info("request failed", "op", op, "status", resp.StatusCode)
	return nil, resp.StatusCode, classify(op, resp, b)
}

// classify turns a non-2xx answer into a *source.Error.
func classify(op string, resp *http.Response, body []byte) error {
	msg := resp.Status
	var oe odataError
	if json.Unmarshal(body, &oe) == nil && oe.Error.Message.Value != "" {
		msg = fmt.Sprintf("%s: %s (%s)", resp.Status, oe.Error.Message.Value, oe.Error.Code)
	}
	e := &source.Error{Op: op, Err: errors.New(msg)}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Kind = source.Authentication
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		e.Kind = source.Throttling
		if d, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && d >= 0 {
			e.RetryAfter = time.Duration(d) * time.Second
		} else if t, err := http.ParseTime(resp.Header.Get("Retry-After")); err == nil {
			e.RetryAfter = max(0, time.Until(t))
		}
	case s >= 500:
		e.Kind = source.Unavailable
	case s == http.StatusNotFound:
		e.Kind = source.Validation
		e.Err = fmt.Errorf("%s: is the base URL an API host?", msg)
	default:
		e.Kind = source.Validation
	}
	return e
}

// authorize sets the Authorization header: Basic user@company, or a
// bearer token fetched through the SAML bearer grant.
func (c *Connector) authorize(ctx context.Context, req *http.Request) error {
	if !c.auth.oauth() {
		req.SetBasicAuth(c.auth.Username+"@"+c.company, c.auth.Password)
		return nil
	}
	tok, err := c.token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// token returns a valid access token, fetching one a minute before the
// current one expires.
func (c *Connector) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	tok, exp := c.tok, c.tokExp
	c.mu.Unlock()
	now := c.clock.Now()
	if tok != "" && now.Add(time.Minute).Before(exp) {
		return tok, nil
	}
	const op = "POST /oauth/token"
	assertion, err := c.assertion(ctx, now)
	if err != nil {
		return "", err
	}
	form := url.Values{
		"client_id":  {c.auth.ClientID},
		"company_id": {c.company},
		"grant_type": {"urn:ietf:params:oauth:grant-type:saml2-bearer"},
		"assertion":  {assertion},
	}
	b, _, err := c.post(ctx, op, c.base+"/oauth/token", form)
	if err != nil {
		return "", err
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &tr); err != nil || tr.AccessToken == "" {
		return "", &source.Error{Kind: source.Protocol, Op: op, Err: errors.New("no access_token in the token response")}
	}
	if tr.ExpiresIn <= 0 {
		tr.ExpiresIn = 3600
	}
	c.mu.Lock()
	c.tok, c.tokExp = tr.AccessToken, now.Add(time.Duration(tr.ExpiresIn)*time.Second)
	c.mu.Unlock()
	c.log.Info("access token obtained", "expires_in", tr.ExpiresIn)
	return tr.AccessToken, nil
}

// assertion signs a SAML bearer assertion locally, or asks /oauth/idp for
// one when Auth.UseIDP is set.
func (c *Connector) assertion(ctx context.Context, now time.Time) (string, error) {
	a := samlbearer.Assertion{ClientID: c.auth.ClientID, User: c.auth.UserID, TokenURL: c.base + "/oauth/token", Now: now}
	if !c.auth.UseIDP {
		s, err := samlbearer.Sign(c.key, c.certDER, a)
		if err != nil {
			return "", &source.Error{Kind: source.Authentication, Op: "sign SAML assertion", Err: err}
		}
		return s, nil
	}
	der, _ := x509.MarshalPKCS8PrivateKey(c.key)
	form := url.Values{
		"client_id":   {c.auth.ClientID},
		"user_id":     {c.auth.UserID},
		"token_url":   {a.TokenURL},
		"private_key": {base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))},
	}
	b, _, err := c.post(ctx, "POST /oauth/idp", c.base+"/oauth/idp", form)
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSpace(b)), nil
}

// post sends a form without authorization (the OAuth endpoints).
func (c *Connector) post(ctx context.Context, op, u string, form url.Values) ([]byte, int, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, u, []byte(form.Encode()))
	if err != nil {
		return nil, 0, &source.Error{Kind: source.Validation, Op: op, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, &source.Error{Kind: source.Unavailable, Op: op, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, &source.Error{Kind: source.Unavailable, Op: op, Err: err}
	}
	if resp.StatusCode/100 != 2 {
		e := classify(op, resp, b).(*source.Error)
		if resp.StatusCode == http.StatusBadRequest {
			e.Kind = source.Authentication // an OAuth grant refused
		}
		c.log.Info("request failed", "op", op, "status", resp.StatusCode)
		return nil, resp.StatusCode, e
	}
	return b, resp.StatusCode, nil
}

// odataURL builds /odata/v2/<path>?<q>.
func (c *Connector) odataURL(path string, q url.Values) string {
	return c.base + "/odata/v2/" + path + "?" + encodeQuery(q)
}

// encodeQuery encodes q keeping $, /, comma and quote readable, as
// SuccessFactors examples show them.
func encodeQuery(q url.Values) string {
	s := q.Encode()
	return strings.NewReplacer("%24", "$", "%2F", "/", "%2C", ",", "%27", "'").Replace(s)
}
