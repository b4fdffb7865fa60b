package enroll

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/hrsync/hrsync/shared/tlsutil"
)

// CA is the agent CA: it issues the agents' client certificates and is the
// pool the gateway verifies them against.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// LoadCA reads a CA certificate and its ECDSA key from PEM files.
func LoadCA(certFile, keyFile string) (*CA, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("agent CA certificate: %w", err)
	}
	certs, err := tlsutil.ParseCerts(certPEM)
	if err != nil {
		return nil, fmt.Errorf("agent CA certificate %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("agent CA key: %w", err)
	}
	key, err := tlsutil.ParseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("agent CA key %s: %w", keyFile, err)
	}
	if !certs[0].IsCA {
		return nil, fmt.Errorf("agent CA certificate %s is not a CA certificate", certFile)
	}
	if !key.PublicKey.Equal(certs[0].PublicKey) {
		return nil, fmt.Errorf("agent CA key %s does not match the certificate %s", keyFile, certFile)
	}
	return &CA{cert: certs[0], key: key, pem: certPEM}, nil
}

// EnsureCA loads the CA in dir (ca.pem, ca-key.pem), creating it on first
// use.
func EnsureCA(dir string) (*CA, error) {
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
	if _, err := os.Stat(certFile); err == nil {
		return LoadCA(certFile, keyFile)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("agent CA: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("agent CA dir: %w", err)
	}
	cert, key, certPEM, err := tlsutil.NewCA("hrsync agent CA")
	if err != nil {
		return nil, err
	}
	keyPEM, err := tlsutil.EncodeKey(key)
	if err != nil {
		return nil, err
	}
	// The key first: a certificate without its key would not load.
	if err := writeFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeFile(certFile, certPEM, 0o644); err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, pem: certPEM}, nil
}

// PEM returns the CA certificate (the chain agents receive).
func (ca *CA) PEM() []byte { return ca.pem }

// Pool returns a pool holding the CA, to verify client certificates.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Issue signs a client certificate for pub carrying id, valid from
// notBefore (less a minute for clock skew) to notAfter, and returns it as
// PEM with its serial.
func (ca *CA) Issue(pub *ecdsa.PublicKey, id tlsutil.AgentIdentity, notBefore, notAfter time.Time) ([]byte, *x509.Certificate, error) {
	uris, err := id.URIs()
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: id.AgentID, Organization: []string{"hrsync agents"}},
		URIs:         uris,
		NotBefore:    notBefore.Add(-time.Minute),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if notAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign agent certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse agent certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert, nil
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}
