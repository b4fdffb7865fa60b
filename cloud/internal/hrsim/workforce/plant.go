package workforce

import (
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/workforce/names"
)

// plantNames plants the hard cases among the workers employed at Start, in
// exact numbers: pairs of identical full names, over-long surnames,
// near-duplicates and junk. A worker gets at most one of them, so the
// duplicate share is exactly what Shape says.
func (w *Workforce) plantNames() {
	n, sh := w.cfg.Workers, w.cfg.Shape
	planted := make([]bool, n)
	count := func(share float64) int { return int(share*float64(n) + 0.5) }
	pairs := count(sh.DuplicateNameShare / 2)
	picks := w.sample(n, 2*pairs)
	for i := 0; i+1 < len(picks); i += 2 {
		a, b := w.ps[picks[i]].base, w.ps[picks[i+1]].base
		w.rename(b, a.Legal)
		b.Gender, b.Culture = a.Gender, a.Culture
		planted[picks[i]], planted[picks[i+1]] = true, true
	}
	// The other passes try a bounded number of random workers each.
	pass := func(k int, plant func(p int32) bool) {
		for tries := 0; k > 0 && tries < 20*k+20; tries++ {
			p := w.r.IntN(n)
			if !planted[p] && plant(int32(p)) {
				planted[p] = true
				k--
			}
		}
	}
	pass(count(sh.LongNameShare), func(p int32) bool {
		m := w.ps[p].base.Legal
		m.Last, m.SecondaryLast = names.LongSurname(w.r), ""
		return w.renameIfFree(w.ps[p].base, m)
	})
	pass(count(sh.NearDuplicateShare), func(p int32) bool {
		src := w.r.IntN(n)
		if planted[src] || int32(src) == p {
			return false
		}
		s := w.ps[src].base
		m, ok := names.NearVariant(s.Legal)
		if !ok || !w.renameIfFree(w.ps[p].base, m) {
			return false
		}
		w.ps[p].base.Gender, w.ps[p].base.Culture = s.Gender, s.Culture
		planted[src] = true
		return true
	})
	pass(count(sh.JunkNameShare), func(p int32) bool {
		return w.renameIfFree(w.ps[p].base, names.Junk(w.ps[p].base.Legal, w.r.IntN(5)))
	})
}

// rename gives rec the legal name n, keeping the registry's counts.
func (w *Workforce) rename(rec *Worker, n Name) {
	w.names[names.Key(&rec.Legal)]--
	rec.Legal = n
	w.names[names.Key(&n)]++
}

// renameIfFree renames rec to n if nobody has that full name.
func (w *Workforce) renameIfFree(rec *Worker, n Name) bool {
	if w.names[names.Key(&n)] > 0 {
		return false
	}
	w.rename(rec, n)
	return true
}

// setPreferred gives persona p a preferred name if its culture has one for
// its given name, and reports whether it did.
func (w *Workforce) setPreferred(p int32) bool {
	rec := w.ps[p].base
	d := names.For(rec.Culture)
	if d == nil || rec.Legal.First == "" {
		return false
	}
	first := d.Preferred(w.r, strings.TrimSpace(rec.Legal.First), rec.Gender)
	if first == "" || first == rec.Legal.First {
		return false
	}
	pref := Name{First: first, Last: rec.Legal.Last, SecondaryLast: rec.Legal.SecondaryLast}
	rec.Preferred = &pref
	return true
}
