package expr

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// diacriticTable is the NormalizeDiacritics table of Entra's function
// reference, row by row: the replacement, then the characters it replaces.
// Several entries are a letter followed by combining marks. Characters not
// listed (ĉ, đ, ð, þ, plain œ…) are left alone, as in Entra.
var diacriticTable = []struct {
	to   string
	from string
}{
	{"a", "ä à â ã å á ą ă ā ā́ ā̀ ā̂ ā̃ ǟ ā̈ ǡ a̱ å̄"},
	{"A", "Ä À Â Ã Å Á Ą Ă Ā Ā́ Ā̀ Ā̂ Ā̃ Ǟ Ā̈ Ǡ A̱ Å̄"},
	{"ae", "æ ǣ"},
	{"AE", "Æ Ǣ"},
	{"c", "ç č ć c̄ c̱"},
	{"C", "Ç Č Ć C̄ C̱"},
	{"d", "ď d̄ ḏ"},
	{"D", "Ď D̄ Ḏ"},
	{"e", "ë è é ê ę ě ė ē ḗ ḕ ē̂ ē̃ ê̄ e̱ ë̄ e̊̄"},
	{"E", "Ë È É Ê Ę Ě Ė Ē Ḗ Ḕ Ē̂ Ē̃ Ê̄ E̱ Ë̄ E̊̄"},
	{"g", "ğ ḡ g̱"},
	{"G", "Ğ Ḡ G̱"},
	{"i", "ï î ì í ı ī ī́ ī̀ ī̂ ī̃ i̱"},
	{"I", "Ï Î Ì Í İ Ī Ī́ Ī̀ Ī̂ Ī̃ I̱"},
	{"l", "ľ ł l̄ ḹ ḻ"},
	{"L", "Ł Ľ L̄ Ḹ Ḻ"},
	{"n", "ñ ń ň n̄ ṉ"},
	{"N", "Ñ Ń Ň N̄ Ṉ"},
	{"o", "ö ò ő õ ô ó ō ṓ ṑ ō̂ ō̃ ȫ ō̈ ǭ ȭ ȱ o̱"},
	{"O", "Ö Ò Ő Õ Ô Ó Ō Ṓ Ṑ Ō̂ Ō̃ Ȫ Ō̈ Ǭ Ȭ Ȱ O̱"},
	{"oe", "ø ø̄ œ̄"},
	{"OE", "Ø Ø̄ Œ̄"},
	{"r", "ř r̄ ṟ ṝ"},
	{"R", "Ř R̄ Ṟ Ṝ"},
	{"ss", "ß"},
	{"s", "š ś ș ş s̄ s̱"},
	{"S", "Š Ś Ș Ş S̄ S̱"},
	{"t", "ť ț t̄ ṯ"},
	{"T", "Ť Ț T̄ Ṯ"},
	{"u", "ü ù û ú ů ű ū ū́ ū̀ ū̂ ū̃ u̇̄ ǖ ṻ ṳ̄ u̱"},
	{"U", "Ü Ù Û Ú Ů Ű Ū Ū́ Ū̀ Ū̂ Ū̃ U̇̄ Ǖ Ṻ Ṳ̄ U̱"},
	{"y", "ÿ ý ȳ ȳ́ ȳ̀ ȳ̃ y̱"},
	{"Y", "Ÿ Ý Ȳ Ȳ́ Ȳ̀ Ȳ̃ Y̱"},
	{"z", "ź ž ż z̄ ẕ"},
	{"Z", "Ź Ž Ż Z̄ Ẕ"},
}

// diacriticMaxRunes is the longest table entry in runes (u̇̄ is three); a
// test keeps it in step with the table.
const diacriticMaxRunes = 3

// diacritics maps each table entry, in NFC form, to its replacement.
var diacritics = buildDiacritics()

func buildDiacritics() map[string]string {
	m := map[string]string{}
	for _, row := range diacriticTable {
		for _, from := range strings.Fields(row.from) {
			m[norm.NFC.String(from)] = row.to
		}
	}
	return m
}

// normalizeDiacritics brings s to NFC, so decomposed input (e + U+0308)
// matches like precomposed input (ë), then replaces the longest table entry
// at each position.
func normalizeDiacritics(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	var ends [diacriticMaxRunes]int
	for i := 0; i < len(s); {
		n := 0
		for end := i; n < diacriticMaxRunes && end < len(s); n++ {
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
			ends[n] = end
		}
		next := ends[0]
		repl := s[i:next]
		for k := n - 1; k >= 0; k-- {
			if to, ok := diacritics[s[i:ends[k]]]; ok {
				next, repl = ends[k], to
				break
			}
		}
		b.WriteString(repl)
		i = next
	}
	return b.String()
}
