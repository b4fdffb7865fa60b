// Package samlbearer builds and signs the SAML 2.0 assertion of SAP
// SuccessFactors' OAuth 2.0 SAML-bearer grant: what the connector sends to
// /oauth/token when it signs locally, and what the emulator's /oauth/idp
// hands out. Verifying an assertion is the emulator's own code, so a
// mistake here is still caught by the connector's contract tests.
package samlbearer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Audience is the audience SuccessFactors requires in the assertion.
const Audience = "www.successfactors.com"

// Assertion says what a SAML bearer assertion asserts.
type Assertion struct {
	ClientID string    // the OAuth client's API key
	User     string    // the SuccessFactors user ID the token acts as
	TokenURL string    // the recipient: https://<api-host>/oauth/token
	Now      time.Time // issue instant; valid for ten minutes from it
}

// Sign builds the SAML 2.0 assertion SuccessFactors' SAML bearer grant
// takes (subject = user ID, audience www.successfactors.com, the API key
// as attribute api_key, a ten-minute window) and signs it enveloped with
// RSA-SHA256 and exclusive C14N. certDER is the client certificate to name
// in KeyInfo; nil: a self-signed one for key (SuccessFactors verifies with
// the certificate it registered). It returns the assertion base64-encoded,
// as /oauth/token takes it.
func Sign(key *rsa.PrivateKey, certDER []byte, a Assertion) (string, error) {
	if certDER == nil {
		// SuccessFactors verifies with the certificate it registered;
		// KeyInfo only needs to be well-formed.
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: a.ClientID},
			NotBefore:    a.Now.Add(-time.Hour),
			NotAfter:     a.Now.Add(24 * time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return "", fmt.Errorf("self-signed certificate: %w", err)
		}
		certDER = der
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	idb := make([]byte, 16)
	_, _ = rand.Read(idb) // crypto/rand.Read never fails
	id := "_" + hex.EncodeToString(idb)

	doc := etree.NewDocument()
	as := doc.CreateElement("saml2:Assertion")
	as.CreateAttr("xmlns:saml2", "urn:oasis:names:tc:SAML:2.0:assertion")
	as.CreateAttr("ID", id)
	as.CreateAttr("IssueInstant", ts(a.Now))
	as.CreateAttr("Version", "2.0")
	as.CreateElement("saml2:Issuer").SetText(a.ClientID)
	sub := as.CreateElement("saml2:Subject")
	nid := sub.CreateElement("saml2:NameID")
	nid.CreateAttr("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
	nid.SetText(a.User)
	sc := sub.CreateElement("saml2:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml2:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(a.Now.Add(10*time.Minute)))
	scd.CreateAttr("Recipient", a.TokenURL)
	cond := as.CreateElement("saml2:Conditions")
	cond.CreateAttr("NotBefore", ts(a.Now.Add(-time.Minute)))
	cond.CreateAttr("NotOnOrAfter", ts(a.Now.Add(10*time.Minute)))
	cond.CreateElement("saml2:AudienceRestriction").CreateElement("saml2:Audience").SetText(Audience)
	an := as.CreateElement("saml2:AuthnStatement")
	an.CreateAttr("AuthnInstant", ts(a.Now))
	an.CreateAttr("SessionIndex", id)
	an.CreateElement("saml2:AuthnContext").CreateElement("saml2:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	attr := as.CreateElement("saml2:AttributeStatement").CreateElement("saml2:Attribute")
	attr.CreateAttr("Name", "api_key")
	attr.CreateElement("saml2:AttributeValue").SetText(a.ClientID)

	ctx, err := dsig.NewSigningContext(key, [][]byte{certDER})
	if err != nil {
		return "", err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(as)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	b, err := out.WriteToBytes()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// ParsePrivateKey reads an RSA private key given as PEM (PKCS#1 or
// PKCS#8), or as base64 of PEM or DER, the forms SAP tools hand out. Its
// errors read after the field name ("is not an RSA key").
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("is required for OAuth")
	}
	data := []byte(s)
	if !strings.HasPrefix(s, "-----") {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, errors.New("is neither PEM nor base64")
		}
		data = b
	}
	if blk, _ := pem.Decode(data); blk != nil {
		data = blk.Bytes
	}
	if k, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, errors.New("is not an RSA key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return k, nil
	}
	return nil, errors.New("is not a PKCS#1 or PKCS#8 RSA private key")
}
