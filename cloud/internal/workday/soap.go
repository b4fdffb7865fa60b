package workday

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/hrsync/hrsync/cloud/internal/source"
)

const (
	nsSOAP  = "http://schemas.xmlsoap.org/soap/envelope/"
	nsWSSE  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	pwdText = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"

	// maxResponse bounds a response body: a page of 999 workers with every
	// data set is a few megabytes.
	maxResponse = 256 << 20
	// maxFaultPeek bounds what is read of an HTTP 500 to tell a SOAP fault
	// (not retried) from a server failure (retried).
	maxFaultPeek = 1 << 20
)

// xb builds Workday request XML: elements and attributes in the bsvc:
// prefix, bound on the envelope.
type xb struct{ b bytes.Buffer }

func (x *xb) open(name string, attrs ...string) {
	x.b.WriteString("<bsvc:")
	x.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.b.WriteString(" bsvc:")
		x.b.WriteString(attrs[i])
		x.b.WriteString(`="`)
		_ = xml.EscapeText(&x.b, []byte(attrs[i+1]))
		x.b.WriteByte('"')
	}
	x.b.WriteByte('>')
}

func (x *xb) close(name string) {
	x.b.WriteString("</bsvc:")
	x.b.WriteString(name)
	x.b.WriteByte('>')
}

func (x *xb) leaf(name, text string, attrs ...string) {
	x.open(name, attrs...)
	_ = xml.EscapeText(&x.b, []byte(text))
	x.close(name)
}

// id writes <bsvc:name><bsvc:ID bsvc:type="typ">v</bsvc:ID></bsvc:name>.
func (x *xb) id(name, typ, v string) {
	x.open(name)
	x.leaf("ID", v, "type", typ)
	x.close(name)
}

// envelope wraps a request element in a SOAP 1.1 envelope with the ISU's
// WS-Security UsernameToken.
func (c *Connector) envelope(body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `" xmlns:bsvc="` + nsWD + `">` +
		`<soapenv:Header><wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="` + nsWSSE + `" xmlns:wsu="` + nsWSU + `">` +
		`<wsse:UsernameToken wsu:Id="UsernameToken-1"><wsse:Username>`)
	_ = xml.EscapeText(&b, []byte(c.s.user))
	b.WriteString(`</wsse:Username><wsse:Password Type="` + pwdText + `">`)
	_ = xml.EscapeText(&b, []byte(c.s.Password))
	b.WriteString(`</wsse:Password></wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body>`)
	b.Write(body)
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

// newHTTP builds the retrying client: throttling (429, 503), other 5xx
// that are not SOAP faults, and network failures are retried with capped
// exponential backoff, honouring Retry-After up to RetryWaitMax.
func newHTTP(s *settings) *retryablehttp.Client {
	rc := retryablehttp.NewClient()
	if s.HTTPClient != nil {
		rc.HTTPClient = s.HTTPClient
	} else {
		rc.HTTPClient.Timeout = 2 * time.Minute
	}
	rc.RetryMax = s.RetryMax
	rc.RetryWaitMin, rc.RetryWaitMax = s.RetryWaitMin, s.RetryWaitMax
	rc.Logger = nil
	rc.CheckRetry = checkRetry
	rc.Backoff = backoff
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return rc
}

func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	case http.StatusInternalServerError:
		// Workday answers faults with 500: those are final. Peek, and put
		// back what was read.
		peek, _ := io.ReadAll(io.LimitReader(resp.Body, maxFaultPeek))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
		_, isFault := parseFault(peek)
		return !isFault, nil
	}
	return false, nil
}

// backoff doubles from min up to max; a Retry-After on 429 or 503 is
// honoured, capped at max.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp); ok {
			return min(d, hi)
		}
	}
	d := float64(lo) * math.Pow(2, float64(attempt))
	if d > float64(hi) || math.IsInf(d, 0) {
		return hi
	}
	return time.Duration(d)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	h := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if h == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, time.Until(t)), true
	}
	return 0, false
}

// call POSTs one request element and returns the parsed response envelope,
// or a *source.Error saying what kind of failure it was.
func (c *Connector) call(ctx context.Context, op string, body []byte) (*xmlquery.Node, error) {
	fail := func(k source.Kind, retry time.Duration, err error) error {
		return &source.Error{Kind: k, Op: op, RetryAfter: retry, Err: err}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.s.ep.url, c.envelope(body))
	if err != nil {
		return nil, fail(source.Protocol, 0, fmt.Errorf("building the request: %w", err))
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return nil, fail(source.Unavailable, 0, fmt.Errorf("after %d retries: %w", c.s.RetryMax, err))
	}
	defer resp.Body.Close()
	raw, err := readBody(resp)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return nil, fail(source.Unavailable, 0, fmt.Errorf("reading the response: %w", err))
	case len(raw) > maxResponse:
		return nil, fail(source.Protocol, 0, fmt.Errorf("the response exceeds %d bytes", maxResponse))
	}
	if resp.StatusCode != http.StatusOK {
		if f, ok := parseFault(raw); ok {
			return nil, fail(f.kind(), 0, f)
		}
		wait, _ := retryAfter(resp)
		switch code := resp.StatusCode; {
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return nil, fail(source.Authentication, 0, fmt.Errorf("HTTP %d", code))
		case code == http.StatusTooManyRequests || (code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != ""):
			return nil, fail(source.Throttling, wait, fmt.Errorf("HTTP %d after %d retries", code, c.s.RetryMax))
		case code >= 500:
			return nil, fail(source.Unavailable, wait, fmt.Errorf("HTTP %d after %d retries", code, c.s.RetryMax))
		case code == http.StatusNotFound:
			return nil, fail(source.Validation, 0, fmt.Errorf("HTTP 404: no such tenant or service at %s", c.s.ep.url))
		default:
			return nil, fail(source.Validation, 0, fmt.Errorf("HTTP %d", code))
		}
	}
	doc, err := parseXML(raw)
	if err != nil {
		return nil, fail(source.Protocol, 0, fmt.Errorf("the response is not XML: %w", err))
	}
	if hasFault(doc) { // a fault with HTTP 200: not Workday's habit, but read it
		if f, ok := parseFault(raw); ok {
			return nil, fail(f.kind(), 0, f)
		}
		return nil, fail(source.Protocol, 0, errors.New("an unreadable SOAP fault"))
	}
	return doc, nil
}

// readBody reads a response body, at most maxResponse+1 bytes, into a
// buffer of the announced length when there is one.
func readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= maxResponse {
		raw := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, raw); err != nil {
			return nil, err
		}
		return raw, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
}

// fault is a SOAP 1.1 fault from Workday.
type fault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Detail struct {
		Validation []struct {
			Message string `xml:"Message"`
			Detail  string `xml:"Detail_Message"`
			XPath   string `xml:"Xpath"`
		} `xml:"urn:com.workday/bsvc Validation_Fault>Validation_Error"`
		Processing string `xml:"urn:com.workday/bsvc Processing_Fault>Detail_Message"`
	} `xml:"detail"`
}

func (f *fault) Error() string {
	msg := f.Code + ": " + f.String
	for _, v := range f.Detail.Validation {
		if v.Detail != "" {
			msg += "; " + v.Detail
		}
		if v.XPath != "" {
			msg += " (at " + v.XPath + ")"
		}
	}
	if f.Detail.Processing != "" && !strings.Contains(f.String, f.Detail.Processing) {
		msg += "; " + f.Detail.Processing
	}
	return msg
}

// kind classifies a fault by its faultcode.
func (f *fault) kind() source.Kind {
	_, code, _ := strings.Cut(f.Code, ":")
	switch {
	case strings.HasSuffix(code, "authenticationError"):
		return source.Authentication
	case strings.HasSuffix(code, "validationError"), strings.HasSuffix(code, "processingError"):
		return source.Validation
	}
	return source.Unavailable
}

// parseFault reads a SOAP fault out of a response body.
func parseFault(raw []byte) (*fault, bool) {
	var env struct {
		Body struct {
			Fault *fault `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(raw, &env); err != nil || env.Body.Fault == nil {
		return nil, false
	}
	return env.Body.Fault, true
}

// errorsAsSource returns err's *source.Error, if any.
func errorsAsSource(err error) (*source.Error, bool) {
	var se *source.Error
	ok := errors.As(err, &se)
	return se, ok
}
