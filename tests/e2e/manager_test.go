package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestManagerReferences: the test plan's "manager change → manager DN
// updated", and a manager who arrives after their report (Entra needs a
// restart for that; hrsync resolves it on its own).
func TestManagerReferences(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(t, ctx)

	emp := worker{ID: "r1", Given: "Rae", Family: "Report", Display: "Rae Report", Title: "Analyst", Active: true, Manager: "m1"}
	e.upload(t, ctx, bulk(emp))
	e.waitLogs(t, ctx, 1)
	require.Empty(t, e.users(t, ctx)["r1"].GetAttributeValue("manager"), "the manager is not there yet")

	boss := worker{ID: "m1", Given: "Max", Family: "Manager, Sr.", Display: "Manager, Sr., Max", Title: "Director", Active: true}
	e.upload(t, ctx, bulk(boss))
	require.Eventually(t, func() bool {
		u := e.users(t, ctx)
		return u["r1"] != nil && u["m1"] != nil && sameDN(u["r1"].GetAttributeValue("manager"), u["m1"].DN)
	}, time.Minute, 100*time.Millisecond, "the waiting reference is set once the manager exists")
	u := e.users(t, ctx)
	require.Equal(t, []string{u["r1"].DN}, u["m1"].GetAttributeValues("directReports"), "AD keeps the back link")

	// A new manager: the DN follows.
	boss2 := worker{ID: "m2", Given: "Mia", Family: "Lead", Display: "Mia Lead", Title: "VP", Active: true}
	emp.Manager = "m2"
	e.upload(t, ctx, bulk(boss2))
	e.upload(t, ctx, bulk(emp))
	require.Eventually(t, func() bool {
		u := e.users(t, ctx)
		return u["m2"] != nil && sameDN(u["r1"].GetAttributeValue("manager"), u["m2"].DN)
	}, time.Minute, 100*time.Millisecond)
	logs, err := e.cloud.Logs(ctx, e.job)
	require.NoError(t, err)
	for _, l := range logs {
		// A record processed before its new manager exists changes nothing
		// at once (skipped) and its reference is set right after.
		require.NotEqual(t, "failure", l.Status.Status, "%s %s: %+v", l.Action, l.Source.ID, l.Status.Error)
	}
}
