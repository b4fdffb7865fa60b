package workforce

import (
	"math/rand/v2"
	"strconv"
)

// First identifiers: Worker_ID 21001 for employees and C-70001 for
// contingent workers, as in the reference examples (hr-data-shapes.md §4).
const (
	firstEmployeeID   = 21001
	firstContingentID = 70001
)

// ids hands out identifiers. WIDs and person UUIDs are 128 bits: 64 random
// bits and a bijective mix of a counter, so they look random but can never
// repeat within one workforce.
type ids struct {
	salt       uint64
	n          uint64
	employee   int
	contingent int
}

func newIDs(r *rand.Rand) ids {
	return ids{salt: r.Uint64(), employee: firstEmployeeID, contingent: firstContingentID}
}

// hex32 returns 32 hex digits, lower or upper case.
func (g *ids) hex32(r *rand.Rand, upper bool) string {
	g.n++
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	var b [32]byte
	hi, lo := r.Uint64(), mix(g.n^g.salt)
	for i := 15; i >= 0; i-- {
		b[i] = digits[hi&15]
		b[16+i] = digits[lo&15]
		hi >>= 4
		lo >>= 4
	}
	return string(b[:])
}

// wid returns a Workday WID: 32 lowercase hex digits.
func (g *ids) wid(r *rand.Rand) string { return g.hex32(r, false) }

// uuid returns a SuccessFactors perPersonUuid: 32 uppercase hex digits.
func (g *ids) uuid(r *rand.Rand) string { return g.hex32(r, true) }

// workerID returns the next Worker_ID for a worker of type t.
func (g *ids) workerID(t WorkerType) string {
	if t == Contingent {
		g.contingent++
		return "C-" + strconv.Itoa(g.contingent-1)
	}
	g.employee++
	return strconv.Itoa(g.employee - 1)
}

// mix is SplitMix64's finaliser, a bijection on uint64.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
