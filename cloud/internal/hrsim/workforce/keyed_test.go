package workforce

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyed(t *testing.T) {
	wf := generate(t, 7, 300)
	wf.Advance(60)
	now := wf.Now()
	hires := map[string]Event{}
	for _, e := range wf.Events() {
		switch e.Kind {
		case Hire, RehireNewID, Conversion:
			hires[e.WID] = e
		}
	}
	require.NotEmpty(t, hires, "sixty days of a 300-worker workforce key some hires")
	n := 0
	for r := range wf.Records(now, now) {
		at, ok := wf.Keyed(r.WID)
		require.True(t, ok, r.WID)
		// A persona is known exactly from the instant it was keyed.
		_, known := wf.Record(r.WID, now, at)
		require.True(t, known, "known when keyed: %s", r.WID)
		_, known = wf.Record(r.WID, now, at.Add(-1))
		require.False(t, known, "unknown before keyed: %s", r.WID)
		if e, ok := hires[r.WID]; ok {
			require.Equal(t, e.Entered, at, "a logged hire is keyed when its event was entered")
			n++
		} else {
			require.True(t, at.Before(wf.Config().Start), "initial workers and alumni are keyed before Start")
		}
	}
	require.Equal(t, len(hires), n)
	_, ok := wf.Keyed("no-such-wid")
	require.False(t, ok)
}
