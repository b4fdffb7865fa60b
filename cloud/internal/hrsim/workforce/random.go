package workforce

import (
	"math"
	"math/rand/v2"
	"slices"
)

// table draws one of its entries with fixed weights.
type table struct {
	cum []float64 // cumulative weights
}

// newTable makes a table over weights w.
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

// pick returns the index of a weighted draw.
func (t table) pick(r *rand.Rand) int {
	x := r.Float64() * t.cum[len(t.cum)-1]
	i, _ := slices.BinarySearch(t.cum, x)
	return min(i, len(t.cum)-1)
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a uniform integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// poisson draws a Poisson-distributed count with mean lambda: Knuth's
// method for small means, a rounded normal approximation above 30.
func poisson(r *rand.Rand, lambda float64) int {
	switch {
	case lambda <= 0:
		return 0
	case lambda > 30:
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// logNormalDays draws a log-normal duration in days with the given median
// and shape sigma.
func logNormalDays(r *rand.Rand, median, sigma float64) int {
	return max(1, int(math.Round(median*math.Exp(sigma*r.NormFloat64()))))
}

// weight returns entry i's own weight.
func (t table) weight(i int) float64 {
	if i == 0 {
		return t.cum[0]
	}
	return t.cum[i] - t.cum[i-1]
}
