package names

import (
	"math"
	"math/rand/v2"
	"slices"
)

// table draws one of its entries with fixed weights.
type table struct {
	cum []float64 // cumulative weights
}

func newTable(w []float64) table {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		cum[i] = s
	}
	return table{cum}
}

// zipf returns weights 1/(k+1)^s for n entries in frequency order: a few
// common names and a long tail, as in the census tables of
// hr-data-shapes.md §1.3.
func zipf(n int, s float64) []float64 {
	w := make([]float64, n)
	for k := range w {
		w[k] = 1 / math.Pow(float64(k+1), s)
	}
	return w
}

func (t table) pick(r *rand.Rand) int {
	x := r.Float64() * t.cum[len(t.cum)-1]
	i, _ := slices.BinarySearch(t.cum, x)
	return min(i, len(t.cum)-1)
}

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
