package workforce

import (
	"math"
	"math/rand/v2"
)

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
