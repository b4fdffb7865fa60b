// Package enroll is the agent's side of enrollment. Register generates an
// ECDSA P-256 key on this host, sends a certificate request and the
// admin's single-use bootstrap token to the cloud over server-verified TLS,
// and keeps the client certificate it gets back in the state directory
// (identity/agent.pem, key and certificate in one 0600 file, so a crash
// never leaves a mismatched pair). From then on the agent authenticates
// with mutual TLS; the token is not needed again.
//
// A Renewer replaces the certificate, with a new key, after about two
// thirds of its lifetime through the authenticated AgentEnrollment.Renew.
//
//	id, err := enroll.Register(ctx, enroll.RegisterConfig{Addr: addr, TLS: cloudTLS, Token: tok, AgentID: "dc1", Dir: dir})
//	id, err := enroll.Load(dir)
//	tlsCfg.GetClientCertificate = id.GetClientCertificate
package enroll

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/hrsync/hrsync/agent/internal/credstore"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// Files in the identity directory.
const (
	// keyPairFile holds the client certificate and its private key (0600).
	keyPairFile = "agent.pem"
	// agentCAFile is the agent CA chain the cloud sent.
	agentCAFile = "agent-ca.pem"
	// CloudCAFile is the CA the cloud's gateway certificate was verified
	// with at registration, kept for later connections.
	CloudCAFile = "cloud-ca.pem"
	metaFile    = "enrollment.json"
)

// ErrNotEnrolled is returned by Load when the directory holds no identity.
var ErrNotEnrolled = errors.New("agent is not enrolled")

// Dir is the identity directory inside the agent's state directory.
func Dir(stateDir string) string { return filepath.Join(stateDir, "identity") }

// meta is what enrollment.json records.
type meta struct {
	AgentID string   `json:"agent_id"`
	Domains []string `json:"domains"`
	// Cloud is the gateway address the agent registered with.
	Cloud      string `json:"cloud"`
	ServerName string `json:"server_name,omitempty"`
}

// Identity is the agent's enrolled identity.
type Identity struct {
	dir  string
	meta meta

	mu sync.RWMutex // guards the field below
	// cert is the current key pair, Leaf set.
	cert *tls.Certificate
}

// Load reads the identity in dir. It refuses a key file others could read.
func Load(dir string) (*Identity, error) {
	m, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w; run hrsync-agent register with a bootstrap token", dir, ErrNotEnrolled)
	}
	if err != nil {
		return nil, fmt.Errorf("read enrollment: %w", err)
	}
	id := &Identity{dir: dir}
	if err := json.Unmarshal(m, &id.meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, metaFile), err)
	}
	path := filepath.Join(dir, keyPairFile)
	if err := credstore.CheckPrivate(path); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read agent certificate: %w", err)
	}
	cert, err := tls.X509KeyPair(data, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	id.cert = &cert
	return id, nil
}

// AgentID is the agent's name, the certificate's subject.
func (id *Identity) AgentID() string { return id.meta.AgentID }

// Domains are the AD domains the enrollment allows.
func (id *Identity) Domains() []string { return id.meta.Domains }

// Cloud is the gateway address the agent registered with.
func (id *Identity) Cloud() string { return id.meta.Cloud }

// ServerName is the name checked in the gateway's certificate, if set.
func (id *Identity) ServerName() string { return id.meta.ServerName }

// CloudCA is the path of the CA saved at registration, "" when the cloud
// was verified with the system roots.
func (id *Identity) CloudCA() string {
	p := filepath.Join(id.dir, CloudCAFile)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Certificate returns the current client certificate.
func (id *Identity) Certificate() *x509.Certificate {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.cert.Leaf
}

// GetClientCertificate serves tls.Config.GetClientCertificate: every new
// connection presents the current certificate.
func (id *Identity) GetClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.cert, nil
}

// replace stores a new key and certificate and makes them current.
func (id *Identity) replace(key *ecdsa.PrivateKey, certPEM, caPEM []byte) error {
	pair, err := keyPair(key, certPEM)
	if err != nil {
		return err
	}
	if err := writePair(id.dir, key, certPEM, caPEM); err != nil {
		return err
	}
	id.mu.Lock()
	id.cert = pair
	id.mu.Unlock()
	return nil
}

// keyPair checks that certPEM is a client certificate for key and returns
// the pair with Leaf set.
func keyPair(key *ecdsa.PrivateKey, certPEM []byte) (*tls.Certificate, error) {
	certs, err := tlsutil.ParseCerts(certPEM)
	if err != nil {
		return nil, fmt.Errorf("certificate from the cloud: %w", err)
	}
	if !key.PublicKey.Equal(certs[0].PublicKey) {
		return nil, errors.New("the certificate from the cloud is not for this agent's key")
	}
	if _, err := tlsutil.AgentIdentityFromCert(certs[0]); err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{certs[0].Raw}, PrivateKey: key, Leaf: certs[0]}, nil
}

func writePair(dir string, key *ecdsa.PrivateKey, certPEM, caPEM []byte) error {
	keyPEM, err := tlsutil.EncodeKey(key)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, keyPairFile), append(append([]byte{}, certPEM...), keyPEM...), 0o600); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, agentCAFile), caPEM, 0o644)
}

// Install writes an identity the way Register does, from a key and a
// certificate obtained another way (tests, or a certificate an admin
// issued by hand), and loads it.
func Install(dir, agentID string, domains []string, cloud string, key *ecdsa.PrivateKey, certPEM, caPEM []byte) (*Identity, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if err := writePair(dir, key, certPEM, caPEM); err != nil {
		return nil, err
	}
	m, err := json.Marshal(meta{AgentID: agentID, Domains: domains, Cloud: cloud})
	if err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, metaFile), m, 0o644); err != nil {
		return nil, err
	}
	return Load(dir)
}

// RegisterConfig configures Register.
type RegisterConfig struct {
	// Addr is the gateway's host:port.
	Addr string
	// TLS verifies the cloud (no client certificate yet).
	TLS *tls.Config
	// CloudCAPEM, when set, is saved for later connections (the CA TLS
	// trusts).
	CloudCAPEM []byte
	Token      string
	AgentID    string
	Hostname   string
	// Dir is the identity directory (Dir(stateDir)).
	Dir         string
	DialOptions []grpc.DialOption
}

// Register enrolls the agent: a new key, a CSR, the token; it stores the
// identity in cfg.Dir. A directory that holds an identity is refused.
func Register(ctx context.Context, cfg RegisterConfig) (*Identity, error) {
	if _, err := os.Stat(filepath.Join(cfg.Dir, metaFile)); err == nil {
		return nil, fmt.Errorf("this agent is enrolled already (%s); to enroll it again, revoke it in the cloud and remove that directory", cfg.Dir)
	}
	if cfg.Token == "" {
		return nil, errors.New("a bootstrap token is required (hrsyncctl agent token create)")
	}
	key, csr, err := tlsutil.NewKeyAndCSR(cfg.AgentID)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(cfg.Addr, append([]grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(cfg.TLS))}, cfg.DialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", cfg.Addr, err)
	}
	defer conn.Close()
	resp, err := agentv1.NewAgentEnrollmentClient(conn).Register(ctx, &agentv1.RegisterRequest{
		Token: cfg.Token, AgentId: cfg.AgentID, Csr: csr, Hostname: cfg.Hostname})
	if err != nil {
		return nil, fmt.Errorf("register with %s: %w", cfg.Addr, err)
	}
	pair, err := keyPair(key, resp.GetCertificate())
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("identity dir: %w", err)
	}
	if err := writePair(cfg.Dir, key, resp.GetCertificate(), resp.GetCaCertificates()); err != nil {
		return nil, err
	}
	if len(cfg.CloudCAPEM) > 0 {
		if err := writeFile(filepath.Join(cfg.Dir, CloudCAFile), cfg.CloudCAPEM, 0o644); err != nil {
			return nil, err
		}
	}
	m := meta{AgentID: resp.GetAgentId(), Domains: resp.GetDomains(), Cloud: cfg.Addr, ServerName: cfg.TLS.ServerName}
	b, _ := json.MarshalIndent(m, "", "  ")
	// Written last: its presence means the enrollment is complete.
	if err := writeFile(filepath.Join(cfg.Dir, metaFile), b, 0o644); err != nil {
		return nil, err
	}
	return &Identity{dir: cfg.Dir, meta: m, cert: pair}, nil
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if mode == 0o600 {
		if err := credstore.Restrict(tmp); err != nil {
			return fmt.Errorf("restrict %s: %w", tmp, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}
