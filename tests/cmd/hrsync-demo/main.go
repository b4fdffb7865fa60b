// Command hrsync-demo is what `make demo` runs: a throwaway Samba AD domain
// on loopback, hrsync-cloud and hrsync-agent as separate processes with TLS
// between them, and an API-driven job writing into OU=hrsync-demo. It writes
// .hrsync/demo.env, prints a curl command that uploads a sample BulkRequest,
// and runs until interrupted.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
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
	step("starting hrsync-agent (it dials out to the cloud over TLS)")
	agent, err := stack.StartAgent(startCtx, bins, stack.AgentOptions{ID: "demo-agent", Dir: filepath.Join(state, "agent"), Cloud: cloud, DC: dc})
	if err != nil {
		return err
	}
	defer agent.Stop(10 * time.Second)
	job, err := cloud.CreateJob(startCtx, "Demo: API-driven to AD", dc.Domain, ou)
	if err != nil {
		return err
	}

	env := fmt.Sprintf(`HRSYNC_URL=%s
HRSYNC_TOKEN=%s
HRSYNC_ADMIN_TOKEN=%s
HRSYNC_SP_ID=%s
HRSYNC_JOB_ID=%s
LDAP_URL=%s
LDAP_BIND_DN='%s'
LDAP_PASSWORD='%s'
LDAP_BASE_DN='%s'
LDAPTLS_CACERT=%s
`, cloud.URL, job.UploadToken, cloud.AdminToken, job.ServicePrincipalID, job.ID, dc.URL, dc.BindDN, dc.Password, dc.BaseDN, dc.CAFile)
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
