package successfactors

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/sfsim"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t, 40, nil)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(otherKey)
	require.NoError(t, err)
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	oauth := func(mutate func(*Auth)) func(*Config) {
		return func(c *Config) {
			c.Auth = Auth{ClientID: e.sf.ClientID(), PrivateKey: string(e.sf.ClientKeyPEM()), UserID: e.sf.User()}
			if mutate != nil {
				mutate(&c.Auth)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		kind   source.Kind // "" when the read succeeds
		bearer bool
	}{
		{name: "basic", mutate: nil},
		{name: "basic with a wrong password", kind: source.Authentication, mutate: func(c *Config) { c.Auth.Password = "wrong" }},
		{name: "basic with an unknown user", kind: source.Authentication, mutate: func(c *Config) { c.Auth.Username = "nobody" }},
		{name: "basic with a wrong company", kind: source.Authentication, mutate: func(c *Config) { c.CompanyID = "OTHER" }},
		{name: "oauth saml bearer signed locally", mutate: oauth(nil), bearer: true},
		{name: "oauth saml bearer from /oauth/idp", mutate: oauth(func(a *Auth) { a.UseIDP = true }), bearer: true},
		{name: "oauth with a key the tenant does not know", kind: source.Authentication, mutate: oauth(func(a *Auth) { a.PrivateKey = otherPEM })},
		{name: "oauth as a user who is not an API user", kind: source.Authentication, mutate: oauth(func(a *Auth) { a.UserID = "someone" })},
		{name: "oauth with an unknown client", kind: source.Authentication, mutate: oauth(func(a *Auth) { a.ClientID = "nope" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.seen())
			c := e.connector(t, tc.mutate)
			n := 0
			_, err := c.Full(context.Background(), func(source.Record) error { n++; return nil })
			if tc.kind != "" {
				require.Error(t, err)
				require.Equal(t, tc.kind, source.KindOf(err), "%v", err)
				require.NotContains(t, err.Error(), "s3cret", "no password in errors")
				return
			}
			require.NoError(t, err)
			require.Positive(t, n)
			if tc.bearer {
				var token int
				for _, u := range e.seen()[before:] {
					if u == "POST /oauth/token" {
						token++
					}
				}
				require.Equal(t, 1, token, "one token serves the whole read")
			}
		})
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	e := newEnv(t, 20, func(c *sfsim.Config) { c.TokenTTL = 2 * time.Hour })
	c := e.connector(t, func(c *Config) {
		c.Auth = Auth{ClientID: e.sf.ClientID(), PrivateKey: string(e.sf.ClientKeyPEM()), UserID: e.sf.User()}
	})
	full(t, c)
	e.clock.Advance(3 * time.Hour) // the token has expired
	full(t, c)
	var token int
	for _, u := range e.seen() {
		if u == "POST /oauth/token" {
			token++
		}
	}
	require.Equal(t, 2, token)
}

func TestThrottlingIsRetried(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newEnv(t, 120, func(c *sfsim.Config) { c.Throttle = sfsim.Throttle{Every: 2, Status: status} })
			c := e.connector(t, nil)
			recs, _ := full(t, c)
			require.Len(t, recs, len(persons(e)), "every person despite every second request refused")
			require.Greater(t, e.sf.Requests(), len(e.seen())/2)
		})
	}
	t.Run("gives up", func(t *testing.T) {
		e := newEnv(t, 10, func(c *sfsim.Config) { c.Throttle = sfsim.Throttle{Every: 1, RetryAfter: 7 * time.Second} })
		c := e.connector(t, nil)
		_, err := c.Full(context.Background(), func(source.Record) error { return nil })
		require.Equal(t, source.Throttling, source.KindOf(err), "%v", err)
		var se *source.Error
		require.ErrorAs(t, err, &se)
		require.Equal(t, 7*time.Second, se.RetryAfter)
		require.Equal(t, 4, e.sf.Requests(), "the first attempt and three retries")
	})
	t.Run("seeded share", func(t *testing.T) {
		e := newEnv(t, 120, func(c *sfsim.Config) { c.Throttle = sfsim.Throttle{Share: 0.3, Seed: 5} })
		c := e.connector(t, func(c *Config) { c.PageSize = 10 })
		recs, _ := full(t, c)
		n := len(persons(e))
		require.Len(t, recs, n)
		pages := (n + 9) / 10
		require.Greater(t, e.sf.Requests(), pages, "some of the %d page requests were refused and retried", pages)
	})
}

func TestWriteBackEmail(t *testing.T) {
	e := newEnv(t, 60, nil)
	c := e.connector(t, nil)
	recs, _ := full(t, c)
	var anchor, other string
	for a, r := range recs {
		if attr(r, "emplStatus") == "A" {
			if anchor == "" {
				anchor = a
			} else if other == "" {
				other = a
			}
		}
	}
	require.NotEmpty(t, other)
	ctx := context.Background()

	// Accepted, and visible in the next read.
	require.NoError(t, c.WriteBack(ctx, anchor, map[string]string{"EmailAddress": "written.back@acme.example"}))
	got, ok, err := c.Worker(ctx, anchor, e.clock.Now())
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "written.back@acme.example", attr(got, "emailAddress"))

	// A row SuccessFactors refuses is reported, naming the row and attribute.
	err = c.WriteBack(ctx, other, map[string]string{"EmailAddress": "not an address"})
	require.Error(t, err)
	require.Equal(t, source.Validation, source.KindOf(err))
	require.Contains(t, err.Error(), "row 0 (EmailAddress")
	got, _, err = c.Worker(ctx, other, e.clock.Now())
	require.NoError(t, err)
	require.Equal(t, attr(recs[other], "emailAddress"), attr(got, "emailAddress"), "the refused address was not stored")

	// What SuccessFactors write-back cannot take is refused before sending.
	sent := len(e.seen())
	err = c.WriteBack(ctx, anchor, map[string]string{"EmailAddress": "x@acme.example", "Mobile": "+45 1234"})
	require.Equal(t, source.Validation, source.KindOf(err))
	require.Contains(t, err.Error(), "Mobile")
	require.Len(t, e.seen(), sent)

	// An unknown person.
	err = c.WriteBack(ctx, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", map[string]string{"EmailAddress": "x@acme.example"})
	require.Equal(t, source.NotFound, source.KindOf(err), "%v", err)

	// The upsert went where the reference says.
	var upserts int
	for _, u := range e.seen() {
		if strings.HasPrefix(u, "POST /odata/v2/upsert?") {
			upserts++
			require.Equal(t, "json", query(t, u).Get("$format"))
		}
	}
	require.Equal(t, 2, upserts)
}
