package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/cloudtest"
	"github.com/hrsync/hrsync/shared/sambatest"
	"github.com/hrsync/hrsync/tests/stack"
)

// shiftClock is the real clock moved forward by an offset the test sets:
// tickers tick in real time, Now jumps. The cloud's engine and cycles run
// on it, so a date can pass without waiting for it.
type shiftClock struct {
	clockwork.Clock
	off atomic.Int64
}

func (c *shiftClock) Now() time.Time                  { return c.Clock.Now().Add(time.Duration(c.off.Load())) }
func (c *shiftClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *shiftClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// moveTo shifts the clock so that it reads at now.
func (c *shiftClock) moveTo(at time.Time) { c.off.Store(int64(at.Sub(c.Clock.Now()))) }

// TestConversionOnTheEffectiveDate is the go-live plan's employee →
// contractor conversion with the lifecycle policy, against Samba: HR sends
// the employee persona with its last day of work and the contractor
// persona with its first day, the next one. The contractor's account is
// prepared disabled, the employee's stays enabled through the last day,
// and at midnight in the worker's zone the old account is disabled and
// the new one enabled, by the cloud's own wake, with no new upload.
func TestConversionOnTheEffectiveDate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	clk := &shiftClock{Clock: clockwork.NewRealClock()}
	srv := cloudtest.NewServer(t, func(c *cloudtest.Config) {
		c.Clock = clk
		c.Heartbeat, c.OpTimeout = time.Second, 20*time.Second
	})
	cloud := stack.AttachCloud(srv.URL, srv.GRPCAddr, srv.CAFile, srv.AdminToken)
	dc := sambatest.New(t)
	ou, err := dc.CreateOU(ctx, "e2e-conversion")
	require.NoError(t, err)
	agent, err := stack.StartAgent(ctx, bins, stack.AgentOptions{ID: "agent-conversion", Dir: filepath.Join(t.TempDir(), "agent"), Cloud: cloud, DC: dc})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log tail:\n%s", agent.LogTail(40))
		}
		_ = agent.Stop(40 * time.Second)
	})

	const ext = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User"
	zone, err := time.LoadLocation("Pacific/Auckland")
	require.NoError(t, err)
	today := clk.Now().In(zone)
	lastDay := today.Format("2006-01-02")
	firstDay := today.AddDate(0, 0, 1).Format("2006-01-02")
	midnight := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, zone)

	m := map[string]any{"rules": []map[string]any{
		{"target": "employeeID", "type": "direct", "source": "externalId", "matchingPriority": 1},
		{"target": "cn", "type": "direct", "source": "displayName", "apply": "onCreate"},
		{"target": "displayName", "type": "direct", "source": "displayName"},
		{"target": "sAMAccountName", "type": "expression", "apply": "onCreate", "expression": `Left(Item(Split([userName], "@"), 1), 20)`},
		{"target": "accountDisabled", "type": "expression", "expression": `Switch([active], , "False", "True", "True", "False")`},
	}}
	policy := map[string]any{
		"conversions": "newAccount",
		"lifecycle": map[string]any{"hireDate": ext + ":HireDate", "lastDayOfWork": ext + ":LastDayOfWork",
			"timeZone": ext + ":TimeZone", "prepareDays": 7},
	}
	job, err := cloud.CreateJobWith(ctx, map[string]any{"name": "conversion", "domain": dc.Domain, "defaultContainer": ou, "mapping": m, "policy": policy})
	require.NoError(t, err)

	persona := func(id, display, hire, last string) map[string]any {
		u := map[string]any{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User", ext},
			"externalId":  id,
			"userName":    strings.ToLower(id) + "@hrsync.test",
			"displayName": display,
			"active":      true,
		}
		x := map[string]any{"TimeZone": "Pacific/Auckland", "HireDate": hire}
		if last != "" {
			x["LastDayOfWork"] = last
		}
		u[ext] = x
		return map[string]any{"method": "POST", "bulkId": id, "path": "/Users", "data": u}
	}
	body, err := json.Marshal(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"},
		"Operations": []map[string]any{
			persona("E500", "Mia Tane", "2019-04-01", lastDay),
			persona("C500", "Mia Tane (Contractor)", firstDay, ""),
		},
	})
	require.NoError(t, err)
	status, _, resp, err := cloud.Upload(ctx, job, body)
	require.NoError(t, err)
	require.Equal(t, 202, status, "%s", resp)

	e := &env{dc: dc, cloud: cloud, job: job}
	logs := e.waitLogs(t, ctx, 2)
	for _, l := range logs {
		require.Equal(t, "create", l.Action, "%s: %+v", l.Source.ID, l.Status.Error)
	}
	u := e.users(t, ctx)
	require.False(t, disabled(u["E500"]), "the employee works through the last day")
	require.True(t, disabled(u["C500"]), "the contractor's account is prepared, disabled until the first day")

	// Five seconds before midnight in Auckland, nothing has changed yet.
	clk.moveTo(midnight.Add(-5 * time.Second))
	time.Sleep(2 * time.Second) // a wake due at midnight must not fire early
	u = e.users(t, ctx)
	require.False(t, disabled(u["E500"]), "disabled before the end of the last day")
	require.True(t, disabled(u["C500"]), "enabled before the first day")

	// Midnight passes: the cloud's wakes disable the old persona's account
	// and enable the new one's, with no upload.
	require.Eventually(t, func() bool {
		u := e.users(t, ctx)
		return disabled(u["E500"]) && !disabled(u["C500"])
	}, time.Minute, 200*time.Millisecond, "the accounts did not switch at midnight in the worker's zone")
	require.GreaterOrEqual(t, clk.Now().Sub(midnight), time.Duration(0))
	u = e.users(t, ctx)
	require.Len(t, u, 2, "one account per persona")
	require.NotEqual(t, u["E500"].DN, u["C500"].DN)
	logs = e.waitLogs(t, ctx, 4)
	var why []string
	for _, l := range logs {
		for _, s := range l.Steps {
			why = append(why, s.Description)
		}
	}
	require.Contains(t, strings.Join(why, "\n"), "Last day of work "+lastDay, "the disable says why")
}
