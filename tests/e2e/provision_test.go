package e2e

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// env is one running stack for a test.
type env struct {
	dc    *sambatest.DC
	ou    string
	cloud *stack.Cloud
	agent *stack.Agent
	job   stack.Job
}

func newEnv(t *testing.T, ctx context.Context) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dc: sambatest.New(t)}
	var err error
	e.ou, err = e.dc.CreateOU(ctx, "e2e-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	require.NoError(t, err)
	e.startCloud(t, ctx, stack.CloudOptions{DataDir: filepath.Join(dir, "cloud"), Heartbeat: time.Second, OpTimeout: 20 * time.Second})
	e.agent, err = stack.StartAgent(ctx, bins, stack.AgentOptions{ID: "agent-e2e", Dir: filepath.Join(dir, "agent"), Cloud: e.cloud, DC: e.dc})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.agent.Stop(40 * time.Second) })
	e.job, err = e.cloud.CreateJob(ctx, "e2e", e.dc.Domain, e.ou)
	require.NoError(t, err)
	return e
}

// startCloud starts the built cloud for the test and stops it at the end,
// showing the tails of the cloud's and the agent's logs when the test
// failed.
func (e *env) startCloud(t *testing.T, ctx context.Context, opts stack.CloudOptions) {
	t.Helper()
	var err error
	e.cloud, err = stack.StartCloud(ctx, bins, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cloud log tail:\n%s", e.cloud.LogTail(60))
			if e.agent != nil {
				t.Logf("agent log tail:\n%s", e.agent.LogTail(80))
			}
		}
		_ = e.cloud.Stop(10 * time.Second)
	})
}

func (e *env) upload(t *testing.T, ctx context.Context, body []byte) string {
	t.Helper()
	status, hdr, resp, err := e.cloud.Upload(ctx, e.job, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, status, "body: %s", resp)
	require.Contains(t, hdr.Get("Location"), "/auditLogs/provisioning/?")
	require.NotEmpty(t, hdr.Get("X-Hrsync-Upload-Id"))
	return hdr.Get("X-Hrsync-Upload-Id")
}

// waitCycle waits until the upload's n records are all in the logs (its
// cycle) and returns their entries.
func (e *env) waitCycle(t *testing.T, ctx context.Context, uploadID string, n int) []stack.LogEntry {
	t.Helper()
	var mine []stack.LogEntry
	require.Eventually(t, func() bool {
		logs, err := e.cloud.Logs(ctx, e.job)
		if err != nil {
			return false
		}
		mine = mine[:0]
		for _, l := range logs {
			if l.CycleID == uploadID {
				mine = append(mine, l)
			}
		}
		return len(mine) >= n
	}, 90*time.Second, 50*time.Millisecond, "waiting for %d entries of upload %s", n, uploadID)
	return mine
}

// waitLogs waits until the job has at least n log entries.
func (e *env) waitLogs(t *testing.T, ctx context.Context, n int) []stack.LogEntry {
	t.Helper()
	var logs []stack.LogEntry
	require.Eventually(t, func() bool {
		var err error
		logs, err = e.cloud.Logs(ctx, e.job)
		return err == nil && len(logs) >= n
	}, 90*time.Second, 100*time.Millisecond, "waiting for %d log entries, have %d", n, len(logs))
	return logs
}

// users reads every user of the test's domain that has an employeeID
// (each test has its own DC), keyed by employeeID.
func (e *env) users(t *testing.T, ctx context.Context) map[string]*ldap.Entry {
	t.Helper()
	conn, err := e.dc.Dial(ctx)
	require.NoError(t, err)
	defer conn.Close()
	res, err := conn.Search(ldap.NewSearchRequest(e.dc.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectCategory=person)(objectClass=user)(employeeID=*))",
		[]string{"cn", "givenName", "sn", "displayName", "title", "department", "employeeID", "mail", "userPrincipalName", "sAMAccountName", "userAccountControl", "pwdLastSet", "manager", "directReports"}, nil))
	require.NoError(t, err)
	out := map[string]*ldap.Entry{}
	for _, en := range res.Entries {
		id := en.GetAttributeValue("employeeID")
		require.NotContains(t, out, id, "two directory users have employeeID %s", id)
		out[id] = en
	}
	return out
}

func disabled(en *ldap.Entry) bool {
	uac, _ := strconv.Atoi(en.GetAttributeValue("userAccountControl"))
	return uac&2 != 0
}

func TestJoinerMoverLeaver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)

	hard := []worker{
		{ID: "21001", Given: "Søren", Family: "Kjær", Display: "Søren Kjær", Title: "SRE", Dept: "Platform", Active: true},
		{ID: "70033", Given: "Siobhán", Family: "O'Brien-Smyth", Display: "O'Brien-Smyth, Siobhán", Title: "Consultant", Active: true},
		{ID: "80044", Given: "Zoë", Family: `Núñez *()\`, Display: `Zoë Núñez (R&D) *\`, Title: "Scientist", Active: true},
		{ID: "90055", Given: "Jean-Luc", Family: "Picard+Riker", Display: `#Jean-Luc "JL" Picard+Riker <Cpt>;`, Title: "Captain", Active: false},
	}
	e.upload(t, ctx, bulk(hard...))
	logs := e.waitLogs(t, ctx, len(hard))
	for _, l := range logs {
		require.Equal(t, "create", l.Action, "%+v", l)
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
		require.NotEmpty(t, l.Target.ID, "objectGUID in targetIdentity")
	}

	users := e.users(t, ctx)
	require.Len(t, users, len(hard))
	for _, w := range hard {
		en := users[w.ID]
		require.NotNil(t, en, "user %s missing", w.ID)
		require.Equal(t, w.Display, en.GetAttributeValue("cn"))
		require.Equal(t, w.Display, en.GetAttributeValue("displayName"))
		require.Equal(t, w.Given, en.GetAttributeValue("givenName"))
		require.Equal(t, w.Family, en.GetAttributeValue("sn"))
		require.Equal(t, w.Title, en.GetAttributeValue("title"))
		require.Equal(t, w.Dept, en.GetAttributeValue("department"))
		require.Equal(t, "u"+w.ID+"@hrsync.test", en.GetAttributeValue("userPrincipalName"))
		require.Equal(t, "u"+w.ID+"@hrsync.test", en.GetAttributeValue("mail"))
		require.Equal(t, "u"+w.ID, en.GetAttributeValue("sAMAccountName"))
		require.NotEqual(t, "0", en.GetAttributeValue("pwdLastSet"), "a random password was set for %s", w.ID)
		require.Equal(t, !w.Active, disabled(en), "account state of %s", w.ID)
		parent, err := ldap.ParseDN(en.DN)
		require.NoError(t, err)
		ou, _ := ldap.ParseDN(e.ou)
		require.True(t, ou.AncestorOfFold(parent), "%s is under the job's container", en.DN)
	}

	// Second upload: a title change, a termination, a re-enable, nothing new.
	changed := []worker{hard[0], hard[1], hard[3]}
	changed[0].Title = "Principal SRE"
	changed[1].Active = false
	changed[2].Active = true
	e.upload(t, ctx, bulk(changed...))
	logs = e.waitLogs(t, ctx, len(hard)+len(changed))
	byAction := map[string]string{}
	for _, l := range logs[len(hard):] {
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
		byAction[l.Source.ID] = l.Action
	}
	require.Equal(t, map[string]string{"21001": "update", "70033": "disable", "90055": "update"}, byAction)

	users = e.users(t, ctx)
	require.Len(t, users, len(hard), "no account was created by the update")
	require.Equal(t, "Principal SRE", users["21001"].GetAttributeValue("title"))
	require.True(t, disabled(users["70033"]), "terminated worker is disabled")
	require.False(t, disabled(users["90055"]), "re-activated worker is enabled")
	require.False(t, disabled(users["21001"]))

	// The same upload again changes nothing and says so.
	e.upload(t, ctx, bulk(changed...))
	logs = e.waitLogs(t, ctx, len(hard)+2*len(changed))
	for _, l := range logs[len(hard)+len(changed):] {
		require.Equal(t, "skipped", l.Status.Status, "%s: %+v", l.Source.ID, l)
		require.Empty(t, l.Modified)
	}
	require.NoError(t, e.agent.Stop(40*time.Second), "the agent drains and exits 0 on SIGTERM")
}

func TestBadUploadsStoreNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	good := bulk(worker{ID: "1", Given: "A", Family: "B", Display: "A B", Title: "T", Active: true})

	tests := []struct {
		name       string
		token, ct  string
		body       []byte
		status     int
		wantInBody string
	}{
		{"no token", "", "application/scim+json", good, http.StatusUnauthorized, "InvalidAuthenticationToken"},
		{"wrong token", "nope", "application/scim+json", good, http.StatusUnauthorized, "InvalidAuthenticationToken"},
		{"wrong content type", e.job.UploadToken, "application/json", good, http.StatusBadRequest, "application/scim+json"},
		{"broken json", e.job.UploadToken, "application/scim+json", []byte(`{"schemas":[`), http.StatusBadRequest, "invalidSyntax"},
		{"one bad operation rejects all", e.job.UploadToken, "application/scim+json",
			[]byte(strings.Replace(string(bulk(worker{ID: "2", Display: "x", Active: true}, worker{ID: "3", Display: "y", Active: true})), `"active":true`, `"active":"yes"`, 1)),
			http.StatusBadRequest, "Operations[0].data.active"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.job.BulkUploadURL, strings.NewReader(string(tc.body)))
			require.NoError(t, err)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			req.Header.Set("Content-Type", tc.ct)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode, string(body))
			require.Contains(t, string(body), tc.wantInBody)
		})
	}
	// Nothing was staged: a good upload afterwards yields exactly one entry.
	e.upload(t, ctx, good)
	e.waitLogs(t, ctx, 1)
	logs, err := e.cloud.Logs(ctx, e.job)
	require.NoError(t, err)
	require.Len(t, logs, 1)
	require.Len(t, e.users(t, ctx), 1)
}

func TestCloudCrashMidRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	ws := many("k", 50)
	e.upload(t, ctx, bulk(ws...))

	// Kill the cloud as soon as processing has started.
	var atKill int
	require.Eventually(t, func() bool {
		logs, err := e.cloud.Logs(ctx, e.job)
		atKill = len(logs)
		return err == nil && len(logs) >= 1
	}, time.Minute, 10*time.Millisecond)
	require.NoError(t, e.cloud.Kill())
	require.Less(t, atKill, len(ws), "the kill must land in the middle of the run")
	t.Logf("killed the cloud with %d of %d records processed", atKill, len(ws))
	before := e.agent.Reconnects()
	require.NoError(t, e.cloud.Restart(ctx))
	// The agent finds the cloud again on its own.
	require.Eventually(t, func() bool { return e.agent.Reconnects() > before }, time.Minute, 100*time.Millisecond)
	require.NoError(t, e.agent.WaitConnected(ctx))

	logs := e.waitLogs(t, ctx, len(ws))
	require.Len(t, logs, len(ws), "one log entry per record, none lost, none twice")
	seen := map[string]bool{}
	for _, l := range logs {
		require.False(t, seen[l.Source.ID], "record %s processed twice", l.Source.ID)
		seen[l.Source.ID] = true
		require.Equal(t, "success", l.Status.Status, "%s: %+v", l.Source.ID, l.Status.Error)
	}
	users := e.users(t, ctx)
	require.Len(t, users, len(ws), "every worker exactly once in AD")
	for _, w := range ws {
		require.Contains(t, users, w.ID)
		require.False(t, disabled(users[w.ID]))
	}
}
