package names

import (
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/weighted"
)

// culture is a naming culture: given names per gender, surnames in
// frequency order and its habits (middle names, two surnames, native
// script, nicknames).
type culture struct {
	code         string
	male, female []string
	last         []string  // "male|female" when the surname has a feminine form
	lastW        []float64 // measured shares, when known; else Zipf
	middleM      []string
	middleF      []string
	middleP      float64           // share with a middle name
	secondLast   bool              // Spanish/Portuguese second surname
	local        map[string]string // romanised → native script
	localP       float64           // share keyed with a native-script local name
	macronsP     float64           // Japanese: share keyed with macrons (Satō rather than Sato)
	nick         map[string]string // legal given name → preferred name
	adopts       bool              // people often go by an adopted English name
	adoptRare    bool              // …but less often
	mononymP     float64           // share with a single name
	prefixes     bool              // Dr., Jr., III occur
	syllables    *syllables        // given names built from syllables instead of male/female
}

// syllables builds two-syllable given names: a first syllable and a
// gendered second one, joined by sep ("Min-jun", "Wei Ming"), with their
// native-script forms.
type syllables struct {
	sep                 string
	first, male, female []syl
}

type syl struct{ latin, native string }

// Drawer draws names of one culture.
type Drawer struct {
	*culture
	male, female    []string
	local           map[string]string
	maleT, femaleT  weighted.Table
	lastT           weighted.Table
	middleT, middFT weighted.Table
}

// drawers holds a Drawer per culture code, built once; it is never
// modified afterwards.
var drawers = sync.OnceValue(func() map[string]*Drawer {
	m := make(map[string]*Drawer, len(cultures))
	for code, c := range cultures {
		d := &Drawer{culture: c, male: c.male, female: c.female, local: c.local}
		if sy := c.syllables; sy != nil {
			d.local = make(map[string]string, len(c.local)+len(sy.first)*(len(sy.male)+len(sy.female)))
			for k, v := range c.local {
				d.local[k] = v
			}
			for _, f := range sy.first {
				for _, g := range [...]struct {
					to   *[]string
					from []syl
				}{{&d.male, sy.male}, {&d.female, sy.female}} {
					for _, s := range g.from {
						if strings.EqualFold(f.latin, s.latin) {
							continue // not "Jun-jun"
						}
						name := f.latin + sy.sep + s.latin
						*g.to = append(*g.to, name)
						d.local[name] = f.native + s.native
					}
				}
			}
		}
		// Given names are flatter than surnames.
		d.maleT, d.femaleT = weighted.NewTable(weighted.Zipf(len(d.male), 0.6)), weighted.NewTable(weighted.Zipf(len(d.female), 0.6))
		if c.lastW != nil {
			d.lastT = weighted.NewTable(c.lastW)
		} else {
			d.lastT = weighted.NewTable(weighted.Zipf(len(c.last), 0.9))
		}
		if len(c.middleM) > 0 {
			d.middleT = weighted.NewTable(weighted.Zipf(len(c.middleM), 0.5))
			d.middFT = weighted.NewTable(weighted.Zipf(len(c.middleF), 0.5))
		}
		m[code] = d
	}
	return m
})

// Surname returns a surname in the form for gender g (F, M or U).
func (c *Drawer) Surname(r *rand.Rand, g string) string {
	s := c.last[c.lastT.Pick(r)]
	m, f, ok := strings.Cut(s, "|")
	if ok && g == "F" {
		return f
	}
	return m
}

// Draw returns a fresh legal name for someone of gender g (F, M or U).
func (c *Drawer) Draw(r *rand.Rand, g string) Name {
	var n Name
	female := g == "F" || (g == "U" && weighted.Chance(r, 0.5))
	if female {
		n.First = c.female[c.femaleT.Pick(r)]
	} else {
		n.First = c.male[c.maleT.Pick(r)]
	}
	n.Last = c.Surname(r, g)
	if c.mononymP > 0 && weighted.Chance(r, c.mononymP) {
		return Name{Last: n.Last}
	}
	if len(c.middleM) > 0 && weighted.Chance(r, c.middleP) {
		if m := c.Middle(r, female); m != n.First {
			n.Middle = m
		}
	}
	if c.secondLast && weighted.Chance(r, 0.85) {
		if s := c.Surname(r, g); s != n.Last {
			n.SecondaryLast = s
		}
	}
	// Hyphenated double surnames (hr-data-shapes.md §1.1: 3-6 % with an
	// apostrophe or hyphen, counting the tables' own O'Brien and
	// Müller-Lüdenscheidt).
	if !c.secondLast && c.mononymP == 0 && weighted.Chance(r, 0.02) {
		if s := c.Surname(r, g); s != n.Last {
			n.Last += "-" + s
		}
	}
	if c.prefixes {
		switch x := r.Float64(); {
		case x < 0.01:
			n.Prefix = "Dr."
		case x < 0.02:
			n.Suffix = "Jr."
		case x < 0.023:
			n.Suffix = "III"
		case x < 0.026:
			n.Suffix = "Sr."
		case x < 0.029 && IsASCII(n.Last):
			n.Last = strings.ToUpper(n.Last) // legacy all-caps record, §1.1
		}
	}
	if c.local != nil && weighted.Chance(r, c.localP) {
		lf, okf := c.local[n.First]
		ll, okl := c.local[n.Last]
		if okf && okl {
			n.LocalFirst, n.LocalLast = lf, ll
		}
	}
	if c.macronsP > 0 && !weighted.Chance(r, c.macronsP) {
		n.First, n.Last = stripMacrons(n.First), stripMacrons(n.Last)
	}
	return n
}

// Middle draws a middle name; cultures without them get an initial.
func (c *Drawer) Middle(r *rand.Rand, female bool) string {
	switch {
	case len(c.middleM) == 0:
		return string(rune('A'+r.IntN(26))) + "."
	case female:
		return c.middleF[c.middFT.Pick(r)]
	}
	return c.middleM[c.middleT.Pick(r)]
}

// Preferred returns a preferred given name for someone whose legal given
// name is first: a nickname (Robert → Bob, Łukasz → Luke, Siobhán → Shiv),
// an ASCII spelling people use (Søren → Soren) or, in East Asian cultures,
// an adopted English name. It returns "" when there is none.
func (c *Drawer) Preferred(r *rand.Rand, first, g string) string {
	if p, ok := c.nick[first]; ok {
		return p
	}
	if !c.adopts || (c.adoptRare && !weighted.Chance(r, 0.3)) {
		return ""
	}
	if g == "F" {
		return adoptedFemale[r.IntN(len(adoptedFemale))]
	}
	return adoptedMale[r.IntN(len(adoptedMale))]
}

// LongSurname returns one of a few real surnames over 30 characters
// (hr-data-shapes.md §1.2 asks for ~0.5 % of them).
func LongSurname(r *rand.Rand) string { return longSurnames[r.IntN(len(longSurnames))] }

var longSurnames = []string{
	"Keihanaikukauakahihuliheekahaunaele",
	"Fernández de Córdoba y Figueroa",
	"Venkatanarasimharajuvaripeta",
	"Wolfeschlegelsteinhausenbergerdorff",
	"Ó Súilleabháin-Mac Giolla Phádraig",
}

func stripMacrons(s string) string {
	if IsASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ō':
			return 'o'
		case 'ū':
			return 'u'
		case 'Ō':
			return 'O'
		case 'Ū':
			return 'U'
		}
		return r
	}, s)
}

func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Key hashes n.Full() (FNV-1a) without building the string.
func Key(n *Name) uint64 {
	h, first := uint64(14695981039346656037), true
	for _, p := range [...]string{n.First, n.Middle, n.Last, n.SecondaryLast} {
		if p == "" {
			continue
		}
		if !first {
			h ^= ' '
			h *= 1099511628211
		}
		first = false
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= 1099511628211
		}
	}
	return h
}

// For returns the Drawer of the culture with the given code, or nil.
func For(code string) *Drawer { return drawers()[code] }

// Code returns the culture's code, e.g. "pl" or "nordic".
func (c *Drawer) Code() string { return c.code }

// HasMiddleNames reports whether people of the culture have middle names
// (or patronymics) to tell two namesakes apart.
func (c *Drawer) HasMiddleNames() bool { return len(c.middleM) > 0 }
