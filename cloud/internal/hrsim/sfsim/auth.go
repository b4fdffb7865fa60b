package sfsim

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/hrsync/hrsync/cloud/internal/samlbearer"
)

// Audience is the audience SuccessFactors requires in SAML bearer
// assertions.
const Audience = samlbearer.Audience

// clockSkew is how far assertion validity windows may be off.
const clockSkew = 5 * time.Minute

// authenticate checks HTTP Basic ("user@companyId:password") or an OAuth
// bearer token and answers with SuccessFactors' errors when they fail.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "":
		writeError(w, http.StatusForbidden, "LGN0003", "CREDENTIALS_MISSING: no credentials were supplied.")
		return false
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		userAt, pass, ok := strings.Cut(string(raw), ":")
		at := strings.LastIndexByte(userAt, '@')
		if err != nil || !ok || at < 0 {
			s.unauthorized(w)
			return false
		}
		if company := userAt[at+1:]; company != s.cfg.CompanyID {
			writeError(w, http.StatusForbidden, "LGN0008", "COMPANY_NOT_FOUND: Company ["+company+"] not found.")
			return false
		}
		if userAt[:at] != s.cfg.User || pass != s.cfg.Password {
			s.unauthorized(w)
			return false
		}
		return true
	case "bearer":
		t, ok := s.tokens[cred]
		switch {
		case !ok:
			writeError(w, http.StatusForbidden, "LGN0007", "TOKEN_INVALID: the access token is not valid.")
			return false
		case !s.now().Before(t.expires):
			writeError(w, http.StatusForbidden, "LGN0006", "INTERNAL_TOKEN_EXPIRED: the access token has expired.")
			return false
		}
		return true
	}
	s.unauthorized(w)
	return false
}

func (s *Server) unauthorized(w http.ResponseWriter) {
	s.log.Info("authentication failed")
	w.Header().Set("WWW-Authenticate", `Basic realm="SuccessFactors"`)
	writeError(w, http.StatusUnauthorized, "LGN0011",
		"Authentication failed. You have entered an incorrect username or password (status code = 4).")
}

// serveIDP is SAP's (deprecated) /oauth/idp: given the client's private
// key it returns a signed SAML assertion for a user, base64-encoded.
func (s *Server) serveIDP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "POST a form with client_id, user_id, token_url and private_key.")
		return
	}
	f := r.PostForm
	user := f.Get("user_id")
	if user == "" {
		user = f.Get("user_name")
	}
	if f.Get("client_id") != s.cfg.ClientID || user == "" {
		s.log.Info("assertion refused", "reason", "unknown client or no user")
		writeError(w, http.StatusUnauthorized, "invalid_client", "Unknown client_id or missing user_id.")
		return
	}
	key, err := samlbearer.ParsePrivateKey(f.Get("private_key"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "private_key: "+err.Error())
		return
	}
	tokenURL := f.Get("token_url")
	if tokenURL == "" {
		tokenURL = baseURL(r) + "/oauth/token"
	}
	a, err := samlbearer.Sign(key, nil, samlbearer.Assertion{ClientID: s.cfg.ClientID, User: user, TokenURL: tokenURL, Now: s.now()})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "signing the assertion failed")
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	_, _ = w.Write([]byte(a))
}

// serveToken is /oauth/token with grant_type saml2-bearer.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "POST a form.")
		return
	}
	f := r.PostForm
	if g := f.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:saml2-bearer" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type "+g+" is not supported.")
		return
	}
	if c := f.Get("company_id"); c != s.cfg.CompanyID {
		writeError(w, http.StatusUnauthorized, "LGN0008", "COMPANY_NOT_FOUND: Company ["+c+"] not found.")
		return
	}
	if f.Get("client_id") != s.cfg.ClientID {
		writeError(w, http.StatusUnauthorized, "invalid_client", "Unknown client_id.")
		return
	}
	if err := s.verifyAssertion(f.Get("assertion")); err != nil {
		s.log.Info("assertion refused", "reason", err.Error())
		writeError(w, http.StatusUnauthorized, "invalid_grant", "The SAML assertion is not valid: "+err.Error())
		return
	}
	tok := randomHex(24)
	s.tokens[tok] = token{expires: s.now().Add(s.cfg.TokenTTL)}
	b, _ := json.Marshal(map[string]any{ // a map of strings and an int always marshals
		"access_token": tok, "token_type": "Bearer", "expires_in": int(s.cfg.TokenTTL / time.Second),
	})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(b)
}

// verifyAssertion checks the signature against the registered client
// certificate, the subject, the audience, the API key and the validity
// window.
func (s *Server) verifyAssertion(b64 string) error {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return errors.New("assertion is not base64")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return errors.New("assertion is not XML")
	}
	root := doc.Root()
	// SuccessFactors verifies with the certificate registered for the
	// client, whatever certificate the signature carries.
	for _, sig := range root.SelectElements("Signature") {
		for _, ki := range sig.SelectElements("KeyInfo") {
			sig.RemoveChild(ki)
		}
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{s.cert}})
	vc.Clock = dsig.NewFakeClockAt(s.now())
	a, err := vc.Validate(root)
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	text := func(path string) string {
		if e := a.FindElement(path); e != nil {
			return strings.TrimSpace(e.Text())
		}
		return ""
	}
	if u := text("./Subject/NameID"); u != s.cfg.User {
		return fmt.Errorf("subject %q is not an API user", u)
	}
	if aud := text("./Conditions/AudienceRestriction/Audience"); aud != Audience {
		return fmt.Errorf("audience %q is not %s", aud, Audience)
	}
	if k := text("./AttributeStatement/Attribute[@Name='api_key']/AttributeValue"); k != s.cfg.ClientID {
		return fmt.Errorf("api_key %q does not match client_id", k)
	}
	cond := a.FindElement("./Conditions")
	now := s.now()
	nb, err1 := time.Parse(time.RFC3339, cond.SelectAttrValue("NotBefore", ""))
	na, err2 := time.Parse(time.RFC3339, cond.SelectAttrValue("NotOnOrAfter", ""))
	if err1 != nil || err2 != nil {
		return errors.New("conditions lack NotBefore or NotOnOrAfter")
	}
	if now.Add(clockSkew).Before(nb) || !now.Add(-clockSkew).Before(na) {
		return fmt.Errorf("assertion valid from %s to %s, not at %s", nb.Format(time.RFC3339), na.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return nil
}
