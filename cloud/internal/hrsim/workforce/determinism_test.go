package workforce

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// dumpHash generates a workforce, advances it in the given steps and
// hashes a JSON dump of everything it exposes.
func dumpHash(t *testing.T, seed int64, steps ...int) string {
	t.Helper()
	wf := generate(t, seed, 2000)
	h := sha256.New()
	enc := json.NewEncoder(h)
	put := func(v any) { require.NoError(t, enc.Encode(v)) }
	put(wf.Config())
	put(wf.Companies())
	put(wf.Locations())
	put(wf.Orgs())
	for r := range wf.Records(wf.Now(), wf.Now()) {
		put(r)
	}
	for _, days := range steps {
		wf.Advance(days)
	}
	put(wf.Events())
	for r := range wf.Records(wf.Now(), wf.Now()) {
		put(r)
	}
	for r := range wf.Records(farFuture, wf.Now()) {
		put(r)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDeterminism(t *testing.T) {
	a := dumpHash(t, 42, 120)
	for _, tc := range []struct {
		name  string
		seed  int64
		steps []int
		same  bool
	}{
		{"same seed, same calls", 42, []int{120}, true},
		{"same days in three calls", 42, []int{50, 0, 70}, true},
		{"another seed", 43, []int{120}, false},
		{"fewer days", 42, []int{119}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := dumpHash(t, tc.seed, tc.steps...)
			if tc.same {
				require.Equal(t, a, b)
			} else {
				require.NotEqual(t, a, b)
			}
		})
	}
}
