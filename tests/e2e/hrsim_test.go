package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/tests/stack"
)

// hrsim is a running `hrsyncctl hrsim serve`.
type hrsim struct {
	info map[string]string
}

func startHrsim(t *testing.T, ctx context.Context, kind string, workers int, seed int64, start string) *hrsim {
	t.Helper()
	cmd := exec.CommandContext(ctx, bins.Ctl, "hrsim", "serve", "--kind", kind, "--workers", strconv.Itoa(workers),
		"--seed", strconv.FormatInt(seed, 10), "--addr", "127.0.0.1:0", "--start", start)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("hrsim stderr:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(out).ReadBytes('\n')
	require.NoError(t, err, stderr.String())
	h := &hrsim{}
	require.NoError(t, json.Unmarshal(line, &h.info))
	return h
}

func (h *hrsim) advance(t *testing.T, days int) {
	t.Helper()
	resp, err := http.Post(fmt.Sprintf("%s/hrsim/advance?days=%d", h.info["url"], days), "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct{ Events int }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	t.Logf("hrsim: %d days, %d HR transactions", days, body.Events)
}

type persona struct {
	WID              string `json:"wid"`
	WorkerID         string `json:"workerId"`
	PersonIDExternal string `json:"personIdExternal"`
	Status           string `json:"status"`
	ManagerWID       string `json:"managerWid"`
}

func (h *hrsim) workers(t *testing.T) []persona {
	t.Helper()
	resp, err := http.Get(h.info["url"] + "/hrsim/workers")
	require.NoError(t, err)
	defer resp.Body.Close()
	var out []persona
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// sourceState is the part of GET .../source the tests read.
type sourceState struct {
	LastCycle *struct {
		ID, Kind, Error string
		Read, Staged    int
	} `json:"lastCycle"`
}

// waitSteady waits for a cycle after prev to finish and the engine to
// process everything it staged; it returns the cycle's ID.
func waitSteady(t *testing.T, ctx context.Context, c *stack.Cloud, job stack.Job, prev string) string {
	t.Helper()
	var st sourceState
	require.Eventually(t, func() bool {
		st = sourceState{}
		if err := c.Do(ctx, http.MethodGet, "/api/v1/jobs/"+job.ID+"/source", c.AdminToken, "", nil, http.StatusOK, &st); err != nil {
			return false
		}
		return st.LastCycle != nil && st.LastCycle.ID != prev
	}, 3*time.Minute, 200*time.Millisecond, "waiting for a cycle after %q", prev)
	require.Empty(t, st.LastCycle.Error, "cycle %s", st.LastCycle.ID)
	t.Logf("cycle %s: %s, read %d, staged %d", st.LastCycle.ID, st.LastCycle.Kind, st.LastCycle.Read, st.LastCycle.Staged)
	require.Eventually(t, func() bool {
		var j struct {
			PendingRecords int `json:"pendingRecords"`
		}
		return c.Do(ctx, http.MethodGet, "/api/v1/jobs/"+job.ID, c.AdminToken, "", nil, http.StatusOK, &j) == nil && j.PendingRecords == 0
	}, 5*time.Minute, 200*time.Millisecond, "waiting for the engine to drain")
	return st.LastCycle.ID
}

// TestSuccessFactorsMonth provisions a generated workforce from the
// SuccessFactors emulator into Samba AD through the real binaries, lives
// through a simulated month of HR transactions in weekly incremental
// cycles, and then requires the directory to say what HR says: every
// employed person one enabled account with their manager, nobody else
// enabled, no duplicates.
func TestSuccessFactorsMonth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	sim := startHrsim(t, ctx, "successfactors", 1000, 11, "2026-10-05")
	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "personIdExternal", "matchingPriority": 1},
		// CN and sAMAccountName from the person's ID: names repeat (1 % on purpose).
		{"target": "cn", "type": "expression", "apply": "onCreate", "expression": `Join(" ", Mid([displayName], 1, 40), [personIdExternal])`},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Join("", "sf", [personIdExternal])`},
		{"target": "userPrincipalName", "type": "expression", "apply": "onCreate", "expression": fmt.Sprintf(`Join("@", [personIdExternal], %q)`, e.dc.Domain)},
		{"target": "displayName", "type": "direct", "source": "displayName"},
		{"target": "givenName", "type": "direct", "source": "firstName"},
		{"target": "sn", "type": "direct", "source": "lastName"},
		{"target": "title", "type": "direct", "source": "jobTitle"},
		{"target": "department", "type": "direct", "source": "department"},
		{"target": "manager", "type": "direct", "source": "manager"},
		// emplStatus, not activeEmploymentsCount, which drops a day early.
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([emplStatus], "True", "A", "False", "U", "False", "P", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	source := map[string]any{"kind": "successfactors", "interval": "10m", "config": map[string]any{
		"baseUrl": sim.info["url"], "companyId": sim.info["companyId"], "username": sim.info["username"], "password": sim.info["password"], "rehearsal": true}}
	liveAMonth(t, ctx, e, sim, "successfactors", raw, source, byPerson)
}

// liveAMonth creates a job with the mapping and the pull source, provisions
// the emulator's workforce, requires the directory to match HR, lives
// through four weeks of HR transactions with an incremental cycle each
// week, reads everything again, and requires the directory to match HR
// again with no failed record.
func liveAMonth(t *testing.T, ctx context.Context, e *env, sim *hrsim, name string, mapping []byte, source map[string]any, key func(persona) string) {
	t.Helper()
	job, err := e.cloud.CreateJobWithMapping(ctx, name, e.dc.Domain, e.ou, mapping)
	require.NoError(t, err)
	src, err := json.Marshal(source)
	require.NoError(t, err)
	require.NoError(t, e.cloud.Do(ctx, http.MethodPut, "/api/v1/jobs/"+job.ID+"/source", e.cloud.AdminToken, "application/json", src, http.StatusOK, nil))

	cycle := waitSteady(t, ctx, e.cloud, job, "")
	requireDirectoryMatchesHR(t, ctx, e, sim.workers(t), key)

	for week := 1; week <= 4; week++ {
		sim.advance(t, 7)
		require.NoError(t, e.cloud.Do(ctx, http.MethodPost, "/api/v1/jobs/"+job.ID+"/cycle", e.cloud.AdminToken, "", nil, http.StatusAccepted, nil))
		cycle = waitSteady(t, ctx, e.cloud, job, cycle)
	}
	// Effective-dated changes that took effect without being modified in
	// the month (a start date passing) are read by a full cycle, as Entra
	// advises; the incremental cycles carried the rest.
	restart := []byte(`{"criteria":{"resetScope":"Watermark"}}`)
	require.NoError(t, e.cloud.Do(ctx, http.MethodPost, fmt.Sprintf("/v1.0/servicePrincipals/%s/synchronization/jobs/%s/restart", job.ServicePrincipalID, job.ID),
		e.cloud.AdminToken, "application/json", restart, http.StatusNoContent, nil))
	waitSteady(t, ctx, e.cloud, job, cycle)
	requireDirectoryMatchesHR(t, ctx, e, sim.workers(t), key)

	logs, err := e.cloud.Logs(ctx, job)
	require.NoError(t, err)
	for _, l := range logs {
		require.NotEqual(t, "failure", l.Status.Status, "%s %s: %+v", l.Action, l.Source.ID, l.Status.Error)
	}
}

// byPerson and byWorkerID are the keys SuccessFactors and Workday jobs
// match on (employeeID).
func byPerson(p persona) string   { return p.PersonIDExternal }
func byWorkerID(p persona) string { return p.WorkerID }

// requireDirectoryMatchesHR compares the accounts under the job's OU with
// the personas HR holds now. Manager references are set just after the
// records they belong to, so it retries for a while before failing.
func requireDirectoryMatchesHR(t *testing.T, ctx context.Context, e *env, personas []persona, key func(persona) string) {
	t.Helper()
	var err error
	deadline := time.Now().Add(60 * time.Second)
	for {
		var summary string
		summary, err = directoryMatchesHR(ctx, e, personas, key)
		if err == nil {
			t.Log(summary)
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	require.NoError(t, err)
}

func directoryMatchesHR(ctx context.Context, e *env, personas []persona, key func(persona) string) (string, error) {
	conn, err := e.dc.Dial(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	res, err := conn.Search(ldap.NewSearchRequest(e.ou, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=user)(employeeID=*))", []string{"employeeID", "userAccountControl", "manager"}, nil))
	if err != nil {
		return "", err
	}
	type account struct {
		dn, manager string
		enabled     bool
	}
	accounts := map[string]account{}
	for _, en := range res.Entries {
		id := en.GetAttributeValue("employeeID")
		if _, dup := accounts[id]; dup {
			return "", fmt.Errorf("two accounts with employeeID %s", id)
		}
		uac, _ := strconv.Atoi(en.GetAttributeValue("userAccountControl"))
		accounts[id] = account{dn: en.DN, manager: en.GetAttributeValue("manager"), enabled: uac&2 == 0}
	}
	byWID := map[string]persona{}
	active := map[string]persona{} // by the key the job matches on
	for _, p := range personas {
		byWID[p.WID] = p
		if p.Status == "Active" {
			active[key(p)] = p
		}
	}
	if len(active) == 0 {
		return "", fmt.Errorf("HR has nobody employed")
	}
	managers := 0
	for pie, p := range active {
		a, ok := accounts[pie]
		if !ok {
			return "", fmt.Errorf("employed person %s has no account", pie)
		}
		if !a.enabled {
			return "", fmt.Errorf("employed person %s has a disabled account", pie)
		}
		mgr, ok := byWID[p.ManagerWID]
		if !ok || key(mgr) == pie {
			continue
		}
		if _, employed := active[key(mgr)]; !employed {
			continue
		}
		if want := accounts[key(mgr)].dn; !strings.EqualFold(want, a.manager) {
			return "", fmt.Errorf("person %s: manager %q, want the account of %s (%s)", pie, a.manager, key(mgr), want)
		}
		managers++
	}
	if managers == 0 {
		return "", fmt.Errorf("no manager was checked")
	}
	for id, a := range accounts {
		if _, ok := active[id]; !ok && a.enabled {
			return "", fmt.Errorf("%s is not employed but has an enabled account", id)
		}
	}
	return fmt.Sprintf("directory matches HR: %d employed with accounts, %d managers set, %d accounts in all", len(active), managers, len(accounts)), nil
}

// TestPullCycleSurvivesCloudCrash kills hrsync-cloud with SIGKILL while
// the records of an initial cycle from the SuccessFactors emulator are
// being provisioned, starts it again, and requires the directory to
// converge on what HR says, with no duplicate account. (A crash while the
// source is still being read is covered by the cycle package's tests: the
// watermark is not stored and the next replica repeats the read.)
func TestPullCycleSurvivesCloudCrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	sim := startHrsim(t, ctx, "successfactors", 120, 23, "2026-10-05")
	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "personIdExternal", "matchingPriority": 1},
		{"target": "cn", "type": "expression", "apply": "onCreate", "expression": `Join(" ", Mid([displayName], 1, 40), [personIdExternal])`},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Join("", "sf", [personIdExternal])`},
		{"target": "displayName", "type": "direct", "source": "displayName"},
		{"target": "manager", "type": "direct", "source": "manager"},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([emplStatus], "True", "A", "False", "U", "False", "P", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	job, err := e.cloud.CreateJobWithMapping(ctx, "sf-crash", e.dc.Domain, e.ou, raw)
	require.NoError(t, err)
	src, err := json.Marshal(map[string]any{"kind": "successfactors", "interval": "10m", "config": map[string]any{
		"baseUrl": sim.info["url"], "companyId": sim.info["companyId"], "username": sim.info["username"], "password": sim.info["password"], "rehearsal": true}})
	require.NoError(t, err)
	require.NoError(t, e.cloud.Do(ctx, http.MethodPut, "/api/v1/jobs/"+job.ID+"/source", e.cloud.AdminToken, "application/json", src, http.StatusOK, nil))

	// Kill the cloud once some, not all, accounts exist.
	require.Eventually(t, func() bool {
		var j struct {
			LinkedUsers int `json:"linkedUsers"`
		}
		return e.cloud.Do(ctx, http.MethodGet, "/api/v1/jobs/"+job.ID, e.cloud.AdminToken, "", nil, http.StatusOK, &j) == nil && j.LinkedUsers >= 20
	}, 2*time.Minute, 20*time.Millisecond)
	require.NoError(t, e.cloud.Kill())
	require.NoError(t, e.cloud.Restart(ctx))

	// The records already staged are processed by the new process;
	// nothing is lost or doubled.
	waitSteady(t, ctx, e.cloud, job, "")
	requireDirectoryMatchesHR(t, ctx, e, sim.workers(t), byPerson)
}

// TestWorkdayMonth is TestSuccessFactorsMonth for Workday: Get_Workers over
// SOAP from the emulator, WID anchors, Worker_ID matching, the manager by
// WID, a month of weekly incremental cycles.
func TestWorkdayMonth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)
	sim := startHrsim(t, ctx, "workday", 1000, 12, "2026-10-05")
	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "WorkerID", "matchingPriority": 1},
		{"target": "cn", "type": "expression", "apply": "onCreate", "expression": `Join(" ", Mid([PreferredNameData], 1, 40), [WorkerID])`},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Join("", "wd", [WorkerID])`},
		{"target": "userPrincipalName", "type": "expression", "apply": "onCreate", "expression": fmt.Sprintf(`Join("@", [WorkerID], %q)`, e.dc.Domain)},
		{"target": "displayName", "type": "direct", "source": "PreferredNameData"},
		{"target": "givenName", "type": "direct", "source": "FirstName"},
		{"target": "sn", "type": "direct", "source": "LastName"},
		{"target": "title", "type": "direct", "source": "BusinessTitle"},
		{"target": "department", "type": "direct", "source": "SupervisoryOrganization"},
		{"target": "manager", "type": "direct", "source": "ManagerReference"},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([Active], , "0", "True", "1", "False")`},
	}}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	var zones map[string]string
	require.NoError(t, json.Unmarshal([]byte(sim.info["zones"]), &zones))
	source := map[string]any{"kind": "workday", "interval": "10m", "config": map[string]any{
		"url": sim.info["url"] + sim.info["path"], "username": sim.info["username"], "password": sim.info["password"], "zones": zones, "rehearsal": true}}
	liveAMonth(t, ctx, e, sim, "workday", raw, source, byWorkerID)
}
