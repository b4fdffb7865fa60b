package weighted

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPickFollowsWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tbl := NewTable([]float64{1, 0, 3})
	counts := make([]int, 3)
	for range 40000 {
		counts[tbl.Pick(r)]++
	}
	require.Zero(t, counts[1], "a zero weight is never drawn")
	require.InDelta(t, 0.25, float64(counts[0])/40000, 0.01)
	require.InDelta(t, 0.75, float64(counts[2])/40000, 0.01)
	require.Equal(t, []float64{1, 0, 3}, []float64{tbl.Weight(0), tbl.Weight(1), tbl.Weight(2)})
}

func TestZipfAndChance(t *testing.T) {
	w := Zipf(3, 1)
	require.InDeltaSlice(t, []float64{1, 0.5, 1.0 / 3}, w, 1e-12)
	r := rand.New(rand.NewPCG(3, 4))
	hits := 0
	for range 10000 {
		if Chance(r, 0.2) {
			hits++
		}
	}
	require.InDelta(t, 0.2, float64(hits)/10000, 0.02)
	require.False(t, Chance(r, 0))
}
