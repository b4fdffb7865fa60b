// Package weighted draws from fixed weights for the HR simulator: a table
// of cumulative weights searched by bisection, Zipf weights for name
// frequencies (a few common names and a long tail, as in the census tables
// of hr-data-shapes.md §1.3), and a biased coin. Draws take the caller's
// seeded *rand.Rand, so a simulation stays deterministic.
package weighted

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Table draws one of its entries with fixed weights.
type Table struct {
	cum []float64 // cumulative weights
}

// NewTable makes a table over weights w.
func NewTable(w []float64) Table {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		cum[i] = s
	}
	return Table{cum}
}

// Zipf returns weights 1/(k+1)^s for n entries in frequency order.
func Zipf(n int, s float64) []float64 {
	w := make([]float64, n)
	for k := range w {
		w[k] = 1 / math.Pow(float64(k+1), s)
	}
	return w
}

// Pick returns the index of a weighted draw.
func (t Table) Pick(r *rand.Rand) int {
	x := r.Float64() * t.cum[len(t.cum)-1]
	i, _ := slices.BinarySearch(t.cum, x)
	return min(i, len(t.cum)-1)
}

// Chance reports true with probability p.
func Chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// Weight returns entry i's own weight.
func (t Table) Weight(i int) float64 {
	if i == 0 {
		return t.cum[0]
	}
	return t.cum[i] - t.cum[i-1]
}
