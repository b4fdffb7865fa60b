package workforce

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
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
		m.Last, m.SecondaryLast = longSurnames[w.r.IntN(len(longSurnames))], ""
		return w.renameIfFree(w.ps[p].base, m)
	})
	pass(count(sh.NearDuplicateShare), func(p int32) bool {
		src := w.r.IntN(n)
		if planted[src] || int32(src) == p {
			return false
		}
		s := w.ps[src].base
		m, ok := nearVariant(s.Legal)
		if !ok || !w.renameIfFree(w.ps[p].base, m) {
			return false
		}
		w.ps[p].base.Gender, w.ps[p].base.Culture = s.Gender, s.Culture
		planted[src] = true
		return true
	})
	pass(count(sh.JunkNameShare), func(p int32) bool {
		return w.renameIfFree(w.ps[p].base, junk(w.ps[p].base.Legal, w.r.IntN(5)))
	})
}

// rename gives rec the legal name n, keeping the registry's counts.
func (w *Workforce) rename(rec *Worker, n Name) {
	w.names[nameKey(&rec.Legal)]--
	rec.Legal = n
	w.names[nameKey(&n)]++
}

// renameIfFree renames rec to n if nobody has that full name.
func (w *Workforce) renameIfFree(rec *Worker, n Name) bool {
	if w.names[nameKey(&n)] > 0 {
		return false
	}
	w.rename(rec, n)
	return true
}

// nearVariant returns n spelt the way it is when diacritics or apostrophes
// get lost: José Núñez → Jose Nunez, Søren Kjær → Soren Kjaer, O'Brien →
// OBrien. ok is false when n has neither.
func nearVariant(n Name) (Name, bool) {
	m := n
	m.First, m.Middle, m.Last, m.SecondaryLast = asciiSpelling(n.First), asciiSpelling(n.Middle), asciiSpelling(n.Last), asciiSpelling(n.SecondaryLast)
	if m.Full() == n.Full() {
		m.Last = strings.NewReplacer("'", "", "’", "").Replace(m.Last)
	}
	m.LocalFirst, m.LocalLast = "", ""
	return m, m.Full() != n.Full()
}

// asciiSpelling spells s in ASCII letters keeping case and punctuation.
func asciiSpelling(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		lower := unicode.ToLower(r)
		if t := translit(lower); t != "" {
			if lower != r {
				t = strings.ToUpper(t[:1]) + t[1:]
			}
			b.WriteString(t)
			continue
		}
		if r == 'İ' {
			b.WriteByte('I')
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			if d < 0x80 {
				b.WriteRune(d)
			}
		}
	}
	return b.String()
}

// junk returns n with one of the blemishes real HR data has (§1.1):
// trailing or leading blanks, a doubled space, a no-break space, or a
// curly or modifier-letter apostrophe.
func junk(n Name, kind int) Name {
	switch kind {
	case 0:
		n.Last += " "
	case 1:
		n.First = " " + n.First
	case 2:
		if strings.Contains(n.Last, " ") {
			n.Last = strings.Replace(n.Last, " ", "  ", 1)
		} else {
			n.First += "  "
		}
	case 3:
		if strings.Contains(n.Last, " ") {
			n.Last = strings.Replace(n.Last, " ", "\u00a0", 1)
		} else {
			n.Last += "\u00a0"
		}
	default:
		switch {
		case strings.Contains(n.Last, "'"):
			n.Last = strings.Replace(n.Last, "'", "\u02bc", 1)
		default:
			n.Last += "\t"
		}
	}
	return n
}

// setPreferred gives persona p a preferred name if its culture has one for
// its given name, and reports whether it did.
func (w *Workforce) setPreferred(p int32) bool {
	rec := w.ps[p].base
	d := drawers()[rec.Culture]
	if d == nil || rec.Legal.First == "" {
		return false
	}
	first := d.preferred(w.r, strings.TrimSpace(rec.Legal.First), rec.Gender)
	if first == "" || first == rec.Legal.First {
		return false
	}
	pref := Name{First: first, Last: rec.Legal.Last, SecondaryLast: rec.Legal.SecondaryLast}
	rec.Preferred = &pref
	return true
}
