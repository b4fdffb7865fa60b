package successfactors

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// samlAssertion says what a SAML bearer assertion asserts.
type samlAssertion struct {
	ClientID string    // the OAuth client's API key
	User     string    // the SuccessFactors user the token acts as
	TokenURL string    // the recipient: https://<api-host>/oauth/token
	Now      time.Time // issue instant; valid for ten minutes
}

// signAssertion builds the SAML 2.0 assertion SuccessFactors' SAML bearer
// grant takes (subject = user ID, audience www.successfactors.com, the API
// key as attribute api_key, a ten-minute window) and signs it enveloped
// with RSA-SHA256 and exclusive C14N. It returns it base64-encoded.
func signAssertion(key *rsa.PrivateKey, certDER []byte, a samlAssertion) (string, error) {
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
	cond.CreateElement("saml2:AudienceRestriction").CreateElement("saml2:Audience").SetText("www.successfactors.com")
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

func x509MarshalKey(k *rsa.PrivateKey) ([]byte, error) { return x509.MarshalPKCS8PrivateKey(k) }
