package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/enroll"
	"github.com/hrsync/hrsync/agent/internal/link/fakecloud"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// syncBuffer is a bytes.Buffer safe for the agent's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// installIdentity enrolls an agent in stateDir with a certificate from a
// throwaway CA, as registration would leave it.
func installIdentity(t *testing.T, stateDir, agentID, domain, cloud string) {
	t.Helper()
	caCert, caKey, caPEM, err := tlsutil.NewCA("test agent CA")
	require.NoError(t, err)
	key, _, err := tlsutil.NewKeyAndCSR(agentID)
	require.NoError(t, err)
	uris, err := tlsutil.AgentIdentity{AgentID: agentID, Domains: []string{domain}}.URIs()
	require.NoError(t, err)
	now := time.Now()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: agentID},
		URIs: uris, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
		caCert, &key.PublicKey, caKey)
	require.NoError(t, err)
	_, err = enroll.Install(enroll.Dir(stateDir), agentID, []string{domain}, cloud, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), caPEM)
	require.NoError(t, err)
}

// TestRunWritesJSONLogFiles runs the agent command against a fake cloud and
// reads back the log file it wrote under state_dir/logs.
func TestRunWritesJSONLogFiles(t *testing.T) {
	fc := fakecloud.Start(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pw"), []byte("Secr3t!"), 0o600))
	installIdentity(t, filepath.Join(dir, "state"), "agent-logs", "corp.example.com", fc.Addr)
	conf := filepath.Join(dir, "agent.yaml")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`agent_id: agent-logs
state_dir: %s
cloud: {addr: %s, ca_file: %s, proxy: direct}
domains:
  - {name: corp.example.com, urls: ["ldaps://127.0.0.1:1"], bind_dn: "CN=svc,DC=corp", password_file: %s}
log: {level: debug}
`, filepath.Join(dir, "state"), fc.Addr, fc.CAFile(), filepath.Join(dir, "pw"))), 0o600))

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	code := make(chan int, 1)
	go func() { code <- Run(ctx, []string{"run", "--config", conf}, &stderr, &stderr) }()
	require.Eventually(t, func() bool { return len(fc.Hellos()) == 1 }, 10*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case c := <-code:
		require.Equal(t, 0, c, stderr.String())
	case <-time.After(40 * time.Second):
		t.Fatal("agent did not stop")
	}
	require.Contains(t, stderr.String(), "connected to cloud", "stderr keeps the text log")

	logs := filepath.Join(dir, "state", "logs")
	st, err := os.Stat(logs)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	files, err := filepath.Glob(filepath.Join(logs, "hrsync-agent-*.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var msgs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var rec map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "every line is JSON: %s", sc.Text())
			require.Equal(t, "agent-logs", rec["agent_id"])
			msgs = append(msgs, rec["msg"].(string))
		}
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"agent started", "connected to cloud", "agent stopped"} {
		require.Contains(t, joined, want)
	}
}
