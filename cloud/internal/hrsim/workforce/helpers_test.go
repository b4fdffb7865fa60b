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
// cycle. It returns the top's WID. (Plain ifs: it runs on every record of
// hundreds of snapshots.)
func checkManagers(t *testing.T, snap map[string]Worker, label string) string {
	t.Helper()
	top := ""
	for wid, r := range snap {
		if r.Status != Active {
			continue
		}
		if r.ManagerWID == "" {
			if top != "" {
				t.Fatalf("%s: two workers without a manager: %s and %s", label, snap[top].WorkerID, r.WorkerID)
			}
			top = wid
			continue
		}
		m, ok := snap[r.ManagerWID]
		switch {
		case !ok:
			t.Fatalf("%s: %s's manager %s is unknown", label, r.WorkerID, r.ManagerWID)
		case m.Status != Active:
			t.Fatalf("%s: %s's manager %s is %s", label, r.WorkerID, m.WorkerID, m.Status)
		case r.ManagerWID == wid:
			t.Fatalf("%s: %s manages themself", label, r.WorkerID)
		}
	}
	if top == "" {
		t.Fatalf("%s: nobody at the top", label)
	}
	reaches := map[string]bool{top: true}
	for wid, r := range snap {
		if r.Status != Active {
			continue
		}
		var chain []string
		for cur := wid; !reaches[cur]; cur = snap[cur].ManagerWID {
			if len(chain) > len(snap) {
				t.Fatalf("%s: management chain of %s has a cycle", label, r.WorkerID)
			}
			chain = append(chain, cur)
		}
		for _, c := range chain {
			reaches[c] = true
		}
	}
	return top
}
