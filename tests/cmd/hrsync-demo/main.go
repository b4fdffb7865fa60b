// Command hrsync-demo is what `make demo` runs: a throwaway Samba AD domain
// on loopback, hrsync-cloud and hrsync-agent as separate processes with TLS
// between them, an API-driven job writing into OU=hrsync-demo, and a Workday
// job fed by the Workday emulator (hrsyncctl hrsim serve, 200 generated
// workers) writing into OU=hrsync-demo-workday. It writes .hrsync/demo.env,
// prints a curl command that uploads a sample BulkRequest and the commands
// that move the emulator's HR time on, and runs until interrupted.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "hrsync-demo: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := stack.RepoRoot()
	if err != nil {
		return err
	}
	state := filepath.Join(root, ".hrsync")
	_ = os.RemoveAll(filepath.Join(state, "cloud"))
	_ = os.RemoveAll(filepath.Join(state, "agent"))
	if err := os.MkdirAll(state, 0o700); err != nil {
		return err
	}

	step("building hrsync-cloud, hrsync-agent and hrsyncctl")
	bins, err := stack.Build(ctx, filepath.Join(state, "bin"))
	if err != nil {
		return err
	}
	step("starting a Samba AD domain controller for hrsync.test on loopback (first run provisions it, ~5 s)")
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	dc, err := sambatest.Start(startCtx, sambatest.Options{})
	if err != nil {
		return err
	}
	defer dc.Stop()
	ou, err := dc.CreateOU(startCtx, "hrsync-demo")
	if err != nil {
		return err
	}

	step("starting hrsync-cloud")
	cloud, err := stack.StartCloud(startCtx, bins, stack.CloudOptions{
		DataDir: filepath.Join(state, "cloud"), HTTPAddr: preferred("127.0.0.1:8080"), GRPCAddr: preferred("127.0.0.1:8443"), LogLevel: "info",
	})
	if err != nil {
		return err
	}
	defer cloud.Stop(10 * time.Second)
	step("enrolling hrsync-agent with a single-use bootstrap token, then starting it (it dials out to the cloud over mutual TLS)")
	agent, err := stack.StartAgent(startCtx, bins, stack.AgentOptions{ID: "demo-agent", Dir: filepath.Join(state, "agent"), Cloud: cloud, DC: dc})
	if err != nil {
		return err
	}
	defer agent.Stop(10 * time.Second)
	job, err := cloud.CreateJob(startCtx, "Demo: API-driven to AD", dc.Domain, ou)
	if err != nil {
		return err
	}

	step("starting the Workday emulator (200 generated workers) and a Workday job reading it")
	hrsimURL, wdJob, err := workdayDemo(ctx, startCtx, bins, cloud, dc, state)
	if err != nil {
		return err
	}

	env := fmt.Sprintf(`HRSIM_URL=%s
HRSYNC_WORKDAY_JOB_ID=%s
HRSYNC_URL=%s
HRSYNC_TOKEN=%s
HRSYNC_ADMIN_TOKEN=%s
HRSYNC_SP_ID=%s
HRSYNC_JOB_ID=%s
LDAP_URL=%s
LDAP_BIND_DN='%s'
LDAP_PASSWORD='%s'
LDAP_BASE_DN='%s'
LDAPTLS_CACERT=%s
`, hrsimURL, wdJob, cloud.URL, job.UploadToken, cloud.AdminToken, job.ServicePrincipalID, job.ID, dc.URL, dc.BindDN, dc.Password, dc.BaseDN, dc.CAFile)
	envFile := filepath.Join(state, "demo.env")
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		return err
	}
	sample := filepath.Join(root, "docs", "examples", "bulk-request.json")
	fmt.Printf(`
hrsync is running. Settings are in %s.

Upload three sample workers (names with diacritics, an apostrophe, a comma and *()\):

  source .hrsync/demo.env
  curl -sS -i -X POST "$HRSYNC_URL/v1.0/servicePrincipals/$HRSYNC_SP_ID/synchronization/jobs/$HRSYNC_JOB_ID/bulkUpload" \
    -H "Authorization: Bearer $HRSYNC_TOKEN" -H "Content-Type: application/scim+json" \
    --data-binary @%s

Then look at the provisioning logs and at the directory:

  .hrsync/bin/hrsyncctl --url "$HRSYNC_URL" --token "$HRSYNC_TOKEN" logs --job "$HRSYNC_JOB_ID"
  LDAPTLS_CACERT="$LDAPTLS_CACERT" ldapsearch -H "$LDAP_URL" -x -D "$LDAP_BIND_DN" -w "$LDAP_PASSWORD" -b "%s" '(objectClass=user)' cn title employeeID userAccountControl

The Workday job has provisioned the emulator's workforce into
OU=hrsync-demo-workday. Move HR time on a week and run a cycle:

  curl -sS -X POST "$HRSIM_URL/hrsim/advance?days=7"
  .hrsync/bin/hrsyncctl --url "$HRSYNC_URL" --token "$HRSYNC_ADMIN_TOKEN" job cycle "$HRSYNC_WORKDAY_JOB_ID"
  .hrsync/bin/hrsyncctl --url "$HRSYNC_URL" --token "$HRSYNC_ADMIN_TOKEN" job source "$HRSYNC_WORKDAY_JOB_ID"

Logs: %s/cloud/cloud.log and %s/agent/agent.log. Press Ctrl-C to stop.
`, envFile, sample, ou, state, state)

	<-ctx.Done()
	step("stopping")
	return nil
}

func step(msg string) { fmt.Printf("==> %s\n", msg) }

// preferred returns addr when it is free, else a free loopback port.
func preferred(addr string) string {
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		return addr
	}
	free, err := stack.FreeAddr()
	if err != nil {
		return addr
	}
	return free
}

// workdayDemo starts the Workday emulator and a job reading it on the
// emulator's clock; it returns the emulator's URL and the job's ID.
func workdayDemo(ctx, startCtx context.Context, bins stack.Binaries, cloud *stack.Cloud, dc *sambatest.DC, state string) (string, string, error) {
	cmd := exec.CommandContext(ctx, bins.Ctl, "hrsim", "serve", "--kind", "workday", "--workers", "200", "--seed", "7", "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	logf, err := os.Create(filepath.Join(state, "hrsim.log"))
	if err != nil {
		return "", "", err
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return "", "", fmt.Errorf("hrsim: %w", err)
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		return "", "", fmt.Errorf("hrsim: %w (see %s/hrsim.log)", err, state)
	}
	var info map[string]string
	if err := json.Unmarshal(line, &info); err != nil {
		return "", "", fmt.Errorf("hrsim: %w", err)
	}
	var zones map[string]string
	_ = json.Unmarshal([]byte(info["zones"]), &zones)
	ou, err := dc.CreateOU(startCtx, "hrsync-demo-workday")
	if err != nil {
		return "", "", err
	}
	mapping, _ := json.Marshal(map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "WorkerID", "matchingPriority": 1},
		{"target": "cn", "type": "expression", "apply": "onCreate", "expression": `Join(" ", Mid([PreferredNameData], 1, 40), [WorkerID])`},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Join("", "wd", [WorkerID])`},
		{"target": "userPrincipalName", "type": "expression", "apply": "onCreate", "expression": fmt.Sprintf(`Join("@", [WorkerID], %q)`, dc.Domain)},
		{"target": "displayName", "type": "direct", "source": "PreferredNameData"},
		{"target": "givenName", "type": "direct", "source": "FirstName"},
		{"target": "sn", "type": "direct", "source": "LastName"},
		{"target": "title", "type": "direct", "source": "BusinessTitle"},
		{"target": "department", "type": "direct", "source": "SupervisoryOrganization"},
		{"target": "manager", "type": "direct", "source": "ManagerReference"},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([Active], , "0", "True", "1", "False")`},
	}})
	job, err := cloud.CreateJobWithMapping(startCtx, "Demo: Workday to AD", dc.Domain, ou, mapping)
	if err != nil {
		return "", "", err
	}
	src, _ := json.Marshal(map[string]any{"kind": "workday", "interval": "5m", "config": map[string]any{
		"url": info["url"] + info["path"], "username": info["username"], "password": info["password"], "zones": zones, "rehearsal": true}})
	if err := cloud.Do(startCtx, "PUT", "/api/v1/jobs/"+job.ID+"/source", cloud.AdminToken, "application/json", src, 200, nil); err != nil {
		return "", "", err
	}
	return info["url"], job.ID, nil
}
