package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s and spells it in ASCII letters, digits and hyphens, the
// way an HR system derives e-mail addresses: explicit transliterations for
// letters that have no decomposition (ø, æ, ł, đ, þ, ð, ß, œ, ı; see
// hr-data-shapes.md §1.1), combining marks dropped for the rest, and
// spaces, apostrophes and other punctuation removed.
func Fold(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
				b = append(b, c)
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if t := translit(unicode.ToLower(r)); t != "" {
			b = append(b, t...)
		} else {
			for _, d := range norm.NFD.PropertiesString(s[i:]).Decomposition() {
				switch {
				case 'a' <= d && d <= 'z':
					b = append(b, d)
				case 'A' <= d && d <= 'Z':
					b = append(b, d+'a'-'A')
				}
			}
		}
		i += size
	}
	return string(b)
}

func translit(r rune) string {
	switch r {
	case 'ø':
		return "o"
	case 'æ':
		return "ae"
	case 'ł':
		return "l"
	case 'đ':
		return "d"
	case 'þ':
		return "th"
	case 'ð':
		return "d"
	case 'ß':
		return "ss"
	case 'œ':
		return "oe"
	case 'ı':
		return "i"
	case '\u2011': // non-breaking hyphen
		return "-"
	}
	return ""
}

// NearVariant returns n spelt the way it is when diacritics or apostrophes
// get lost: José Núñez → Jose Nunez, Søren Kjær → Soren Kjaer, O'Brien →
// OBrien. ok is false when n has neither.
func NearVariant(n Name) (Name, bool) {
	m := n
	m.First, m.Middle, m.Last, m.SecondaryLast = ASCIISpelling(n.First), ASCIISpelling(n.Middle), ASCIISpelling(n.Last), ASCIISpelling(n.SecondaryLast)
	if m.Full() == n.Full() {
		m.Last = strings.NewReplacer("'", "", "’", "").Replace(m.Last)
	}
	m.LocalFirst, m.LocalLast = "", ""
	return m, m.Full() != n.Full()
}

// ASCIISpelling spells s in ASCII letters keeping case and punctuation.
func ASCIISpelling(s string) string {
	if IsASCII(s) {
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

// Junk returns n with one of the blemishes real HR data has (§1.1):
// trailing or leading blanks, a doubled space, a no-break space, or a
// curly or modifier-letter apostrophe.
func Junk(n Name, kind int) Name {
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
