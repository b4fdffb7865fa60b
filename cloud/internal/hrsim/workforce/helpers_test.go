package workforce

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testStart is a Monday morning in UTC.
var testStart = time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)

// generate makes a workforce of n workers with seed and default shape.
func generate(t testing.TB, seed int64, n int) *Workforce {
	t.Helper()
	wf, err := Generate(Config{Seed: seed, Workers: n, Start: testStart})
	require.NoError(t, err)
	return wf
}

// snapshot returns every record as of at, known at known, by WID.
func snapshot(wf *Workforce, at, known time.Time) map[string]Worker {
	m := map[string]Worker{}
	for r := range wf.Records(at, known) {
		m[r.WID] = r
	}
	return m
}

// checkManagers fails unless, in snap, every active worker but the top has
// an active manager and every management chain reaches the top without a
// cycle. It returns the top's WID.
func checkManagers(t *testing.T, snap map[string]Worker, label string) string {
	t.Helper()
	top := ""
	for wid, r := range snap {
		if r.Status != Active {
			continue
		}
		if r.ManagerWID == "" {
			require.Empty(t, top, "%s: two workers without a manager: %s and %s", label, top, wid)
			top = wid
			continue
		}
		m, ok := snap[r.ManagerWID]
		require.True(t, ok, "%s: %s's manager %s is unknown", label, r.WorkerID, r.ManagerWID)
		require.Equal(t, Active, m.Status, "%s: %s's manager %s is %s", label, r.WorkerID, m.WorkerID, m.Status)
		require.NotEqual(t, wid, r.ManagerWID, "%s: %s manages themself", label, r.WorkerID)
	}
	require.NotEmpty(t, top, "%s: nobody at the top", label)
	for wid, r := range snap {
		if r.Status != Active {
			continue
		}
		seen := map[string]bool{}
		for cur := wid; cur != top; cur = snap[cur].ManagerWID {
			require.False(t, seen[cur], "%s: management chain of %s has a cycle", label, r.WorkerID)
			seen[cur] = true
		}
	}
	return top
}
