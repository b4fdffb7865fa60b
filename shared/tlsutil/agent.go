package tlsutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// AgentIdentity is what an agent's client certificate says about it: the
// subject common name is the agent ID, and each domain the agent may serve
// is a URI SAN urn:hrsync:domain:<name>.
type AgentIdentity struct {
	AgentID string
	Domains []string
}

// DomainURIPrefix starts the URI SAN of each allowed domain.
const DomainURIPrefix = "urn:hrsync:domain:"

// ErrNotAgentCertificate is returned for a certificate without an agent
// identity.
var ErrNotAgentCertificate = errors.New("not an hrsync agent certificate")

// URIs returns the certificate's URI SANs for the domains.
func (id AgentIdentity) URIs() ([]*url.URL, error) {
	out := make([]*url.URL, 0, len(id.Domains))
	for _, d := range id.Domains {
		u, err := url.Parse(DomainURIPrefix + d)
		if err != nil {
			return nil, fmt.Errorf("domain %q: %w", d, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// AgentIdentityFromCert reads the identity from a client certificate.
func AgentIdentityFromCert(c *x509.Certificate) (AgentIdentity, error) {
	id := AgentIdentity{AgentID: c.Subject.CommonName}
	for _, u := range c.URIs {
		if d, ok := strings.CutPrefix(u.String(), DomainURIPrefix); ok {
			id.Domains = append(id.Domains, d)
		}
	}
	if id.AgentID == "" || len(id.Domains) == 0 {
		return id, fmt.Errorf("certificate %q: %w", c.Subject.String(), ErrNotAgentCertificate)
	}
	return id, nil
}

// NewKeyAndCSR generates an ECDSA P-256 key and a certificate request
// (DER) for agentID. The key never leaves the caller.
func NewKeyAndCSR(agentID string) (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: agentID, Organization: []string{"hrsync agents"}},
	}, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate request: %w", err)
	}
	return key, csr, nil
}

// EncodeKey returns key as PEM.
func EncodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	b, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: b}), nil
}

// ParseKey reads an ECDSA private key from PEM (SEC 1 or PKCS #8).
func ParseKey(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM private key found")
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key is %T, not ECDSA", k)
	}
	return ek, nil
}

// ParseCerts reads every PEM certificate in data, leaf first.
func ParseCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoCertificates
	}
	return out, nil
}

// SerialHex is how hrsync writes a certificate serial number.
func SerialHex(c *x509.Certificate) string { return c.SerialNumber.Text(16) }
