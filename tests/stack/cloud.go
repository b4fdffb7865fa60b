package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CloudOptions configures StartCloud.
type CloudOptions struct {
	DataDir string
	// HTTPAddr and GRPCAddr default to free loopback ports. Restart keeps them.
	HTTPAddr, GRPCAddr string
	// Heartbeat and OpTimeout are passed through when set.
	Heartbeat, OpTimeout time.Duration
	LogLevel             string
	// PostgresDSN, when set, runs the cloud on that PostgreSQL database
	// instead of SQLite in DataDir; replicas of one cloud share it. It is
	// passed in the environment, not on the command line.
	PostgresDSN string
	// ReplicaID and ReplicaLease are passed through when set.
	ReplicaID    string
	ReplicaLease time.Duration
	// AdminToken, when set, is the admin API's token (passed in the
	// environment). Empty: the cloud generates one into DataDir.
	AdminToken string
	// ShareWith makes this cloud a replica of another: it takes that
	// one's admin token, agent CA, bootstrap-token key and gateway
	// certificate (passed in the environment, as an operator would), so
	// an agent enrolled through either is known to both.
	ShareWith *Cloud
}

// Cloud is a running hrsync-cloud process.
type Cloud struct {
	*process
	opts CloudOptions
	bins Binaries
	// URL is the HTTP API's base URL.
	URL string
	// AdminToken and CAFile (the gateway's CA) are read from the data
	// directory.
	AdminToken, CAFile string
	client             *http.Client
}

// AttachCloud is a Cloud for a server this package did not start (an
// in-process cloud from cloudtest, with an injected clock): agents enroll
// with and connect to it the same way. It has no process to stop or kill.
func AttachCloud(url, grpcAddr, caFile, adminToken string) *Cloud {
	return &Cloud{opts: CloudOptions{GRPCAddr: grpcAddr}, URL: url, AdminToken: adminToken, CAFile: caFile,
		client: &http.Client{Timeout: 30 * time.Second}}
}

// StartCloud starts hrsync-cloud and waits until it is ready.
func StartCloud(ctx context.Context, bins Binaries, opts CloudOptions) (*Cloud, error) {
	var err error
	if opts.HTTPAddr == "" {
		if opts.HTTPAddr, err = FreeAddr(); err != nil {
			return nil, err
		}
	}
	if opts.GRPCAddr == "" {
		if opts.GRPCAddr, err = FreeAddr(); err != nil {
			return nil, err
		}
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "debug"
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	c := &Cloud{opts: opts, bins: bins, URL: "http://" + opts.HTTPAddr, client: &http.Client{Timeout: 30 * time.Second}}
	return c, c.start(ctx)
}

func (c *Cloud) start(ctx context.Context) error {
	args := []string{"serve", "--data-dir", c.opts.DataDir, "--http-addr", c.opts.HTTPAddr, "--grpc-addr", c.opts.GRPCAddr, "--log-level", c.opts.LogLevel}
	if c.opts.Heartbeat > 0 {
		args = append(args, "--heartbeat", c.opts.Heartbeat.String())
	}
	if c.opts.OpTimeout > 0 {
		args = append(args, "--op-timeout", c.opts.OpTimeout.String())
	}
	var env []string
	if c.opts.PostgresDSN != "" {
		env = append(env, "HRSYNC_STORE_DRIVER=postgres", "HRSYNC_POSTGRES_DSN="+c.opts.PostgresDSN)
	}
	if c.opts.ReplicaID != "" {
		args = append(args, "--replica-id", c.opts.ReplicaID)
	}
	if c.opts.ReplicaLease > 0 {
		args = append(args, "--replica-lease", c.opts.ReplicaLease.String())
	}
	if c.opts.AdminToken != "" {
		env = append(env, "HRSYNC_ADMIN_TOKEN="+c.opts.AdminToken)
	}
	if o := c.opts.ShareWith; o != nil {
		key, err := os.ReadFile(filepath.Join(o.opts.DataDir, "enroll-token-key"))
		if err != nil {
			return fmt.Errorf("share secrets: %w", err)
		}
		env = append(env, "HRSYNC_ADMIN_TOKEN="+o.AdminToken, "HRSYNC_ENROLL_TOKEN_KEY="+strings.TrimSpace(string(key)),
			"HRSYNC_ENROLL_CA_CERT_FILE="+filepath.Join(o.opts.DataDir, "agent-ca", "ca.pem"),
			"HRSYNC_ENROLL_CA_KEY_FILE="+filepath.Join(o.opts.DataDir, "agent-ca", "ca-key.pem"),
			"HRSYNC_TLS_CERT_FILE="+filepath.Join(o.opts.DataDir, "tls", "server.pem"),
			"HRSYNC_TLS_KEY_FILE="+filepath.Join(o.opts.DataDir, "tls", "server-key.pem"))
	}
	p, err := startProcess("hrsync-cloud", filepath.Join(c.opts.DataDir, "cloud.log"), env, c.bins.Cloud, args...)
	if err != nil {
		return err
	}
	c.process = p
	err = waitFor(ctx, p, "hrsync-cloud /readyz", func() bool {
		resp, err := c.client.Get(c.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if err != nil {
		_ = p.Kill()
		return err
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(c.opts.DataDir, name))
		return strings.TrimSpace(string(b))
	}
	c.AdminToken, c.CAFile = read("admin-token"), filepath.Join(c.opts.DataDir, "tls", "ca.pem")
	if c.opts.AdminToken != "" {
		c.AdminToken = c.opts.AdminToken
	}
	if o := c.opts.ShareWith; o != nil {
		c.AdminToken, c.CAFile = o.AdminToken, o.CAFile
	}
	return nil
}

// Restart starts the process again on the same addresses and data.
func (c *Cloud) Restart(ctx context.Context) error {
	if c.Running() {
		return fmt.Errorf("hrsync-cloud is still running")
	}
	return c.start(ctx)
}

// GRPCAddr is the agent gateway address.
func (c *Cloud) GRPCAddr() string { return c.opts.GRPCAddr }

// Job is what the admin API returns for a job.
type Job struct {
	ID                 string `json:"id"`
	ServicePrincipalID string `json:"servicePrincipalId"`
	BulkUploadURL      string `json:"bulkUploadUrl"`
	UploadToken        string `json:"uploadToken"`
	LinkedUsers        int    `json:"linkedUsers"`
}

// CreateJob creates an API-driven job into container with the default
// mapping.
func (c *Cloud) CreateJob(ctx context.Context, name, domain, container string) (Job, error) {
	return c.CreateJobWithMapping(ctx, name, domain, container, nil)
}

// CreateJobWithMapping creates a job with the given mapping JSON (nil for
// the default).
func (c *Cloud) CreateJobWithMapping(ctx context.Context, name, domain, container string, mapping json.RawMessage) (Job, error) {
	req := map[string]any{"name": name, "domain": domain, "defaultContainer": container}
	if mapping != nil {
		req["mapping"] = mapping
	}
	return c.CreateJobWith(ctx, req)
}

// CreateJobWith posts a job request as is (name, domain, defaultContainer,
// mapping, policy).
func (c *Cloud) CreateJobWith(ctx context.Context, req map[string]any) (Job, error) {
	var j Job
	body, _ := json.Marshal(req)
	err := c.Do(ctx, http.MethodPost, "/api/v1/jobs", c.AdminToken, "application/json", body, http.StatusCreated, &j)
	return j, err
}

// AgentInfo is the part of the admin API's agent list tests look at.
type AgentInfo struct {
	AgentID           string   `json:"agentId"`
	Domains           []string `json:"domains"`
	Connected         bool     `json:"connected"`
	Revoked           bool     `json:"revoked"`
	CloneSuspected    bool     `json:"cloneSuspected"`
	CloneFrom         string   `json:"cloneFrom"`
	CertificateSerial string   `json:"certificateSerial"`
}

// AgentList returns every enrolled agent.
func (c *Cloud) AgentList(ctx context.Context) ([]AgentInfo, error) {
	var out struct {
		Value []AgentInfo `json:"value"`
	}
	if err := c.Do(ctx, http.MethodGet, "/api/v1/agents", c.AdminToken, "", nil, http.StatusOK, &out); err != nil {
		return nil, err
	}
	return out.Value, nil
}

// Agents lists the IDs of connected agents.
func (c *Cloud) Agents(ctx context.Context) ([]string, error) {
	all, err := c.AgentList(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, a := range all {
		if a.Connected {
			ids = append(ids, a.AgentID)
		}
	}
	return ids, nil
}

// InFlight returns, per connected agent, the IDs of the operations
// dispatched to it and not answered yet.
func (c *Cloud) InFlight(ctx context.Context) (map[string][]string, error) {
	var out struct {
		Value []struct {
			AgentID    string   `json:"agentId"`
			Operations []string `json:"operations"`
		} `json:"value"`
	}
	if err := c.Do(ctx, http.MethodGet, "/api/v1/agents", c.AdminToken, "", nil, http.StatusOK, &out); err != nil {
		return nil, err
	}
	m := make(map[string][]string, len(out.Value))
	for _, a := range out.Value {
		m[a.AgentID] = a.Operations
	}
	return m, nil
}

// LinkedUsers returns how many users the job has linked so far.
func (c *Cloud) LinkedUsers(ctx context.Context, j Job) (int, error) {
	var out struct {
		LinkedUsers int `json:"linkedUsers"`
	}
	err := c.Do(ctx, http.MethodGet, "/api/v1/jobs/"+j.ID, c.AdminToken, "", nil, http.StatusOK, &out)
	return out.LinkedUsers, err
}

// CreateAgentToken creates a single-use bootstrap token for domains
// through the admin API.
func (c *Cloud) CreateAgentToken(ctx context.Context, domains ...string) (string, error) {
	body, _ := json.Marshal(map[string]any{"domains": domains, "description": "tests/stack"})
	var tok struct {
		Token string `json:"token"`
	}
	err := c.Do(ctx, http.MethodPost, "/api/v1/agentTokens", c.AdminToken, "application/json", body, http.StatusCreated, &tok)
	return tok.Token, err
}

// Upload posts a BulkRequest with the job's upload token and returns the
// response status and body.
func (c *Cloud) Upload(ctx context.Context, j Job, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.BulkUploadURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+j.UploadToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, nil
}

// LogEntry is the part of a provisioningObjectSummary tests look at.
type LogEntry struct {
	ID           string    `json:"id"`
	ActivityTime time.Time `json:"activityDateTime"`
	CycleID      string    `json:"cycleId"`
	Action       string    `json:"provisioningAction"`
	Status       struct {
		Status string `json:"status"`
		Error  *struct {
			Code           string `json:"errorCode"`
			Reason         string `json:"reason"`
			Recommendation string `json:"recommendedAction"`
		} `json:"errorInformation"`
	} `json:"provisioningStatusInfo"`
	Source struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"sourceIdentity"`
	Target struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"targetIdentity"`
	Modified []struct {
		DisplayName string `json:"displayName"`
		OldValue    string `json:"oldValue"`
		NewValue    string `json:"newValue"`
	} `json:"modifiedProperties"`
	Steps []struct {
		Name        string            `json:"name"`
		Type        string            `json:"provisioningStepType"`
		Status      string            `json:"status"`
		Description string            `json:"description"`
		Details     map[string]string `json:"details"`
	} `json:"provisioningSteps"`
}

// Logs returns every provisioning log entry of a job, following nextLink.
func (c *Cloud) Logs(ctx context.Context, j Job) ([]LogEntry, error) {
	path := "/v1.0/auditLogs/provisioning?%24top=200&%24filter=" + strings.ReplaceAll(fmt.Sprintf("jobId+eq+%%27%s%%27", j.ID), " ", "+")
	var all []LogEntry
	for path != "" {
		var page struct {
			Value    []LogEntry `json:"value"`
			NextLink string     `json:"@odata.nextLink"`
		}
		if err := c.Do(ctx, http.MethodGet, path, j.UploadToken, "", nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		path = strings.TrimPrefix(page.NextLink, c.URL)
	}
	return all, nil
}

// Do sends a request and decodes a JSON answer with the wanted status.
func (c *Cloud) Do(ctx context.Context, method, path, token, contentType string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
