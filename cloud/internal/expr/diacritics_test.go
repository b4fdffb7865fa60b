package expr

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

func TestNormalizeDiacritics(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Zoë", "Zoe"}, // the reference's example
		{"Søren Kjær", "Soeren Kjaer"},
		{"Siobhán O'Brien-Smyth", "Siobhan O'Brien-Smyth"},
		{"Ingrid Dahl", "Ingrid Dahl"},
		{"Straße", "Strasse"},
		{"ØRSTED Æble", "OERSTED AEble"},
		{"Łukasz Żółć", "Lukasz Zolc"},
		{"İsmail Işık", "Ismail Isik"},
		{"Zoe\u0308", "Zoe"},               // decomposed input
		{"a\u0304\u0301", "a"},             // ā́ written fully decomposed
		{"\u0101\u0301x", "ax"},            // ā́ with precomposed ā
		{"e\u030a\u0304", "e"},             // e̊̄: three runes, longest match
		{"u\u0307\u0304", "u"},             // u̇̄
		{"\u1e17", "e"},                    // ḗ precomposed
		{"ĉ đ ð þ œ Œ ŵ", "ĉ đ ð þ œ Œ ŵ"}, // not in the table
		{"œ\u0304", "oe"},                  // œ̄ is
		{"日本語 🙂", "日本語 🙂"},
		{"", ""},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, normalizeDiacritics(tc.in), "NormalizeDiacritics(%q)", tc.in)
	}
}

// TestDiacriticTable checks the transcription of the reference table: every
// entry is NFC, no longer than diacriticMaxRunes, listed once, and is its
// replacement letter plus combining marks (after the few letters Unicode
// does not decompose).
func TestDiacriticTable(t *testing.T) {
	undecomposed := strings.NewReplacer("æ", "ae", "Æ", "AE", "ø", "oe", "Ø", "OE", "œ", "oe", "Œ", "OE", "ı", "i", "ł", "l", "Ł", "L", "ß", "ss")
	seen := map[string]string{}
	count := 0
	for _, row := range diacriticTable {
		for _, from := range strings.Fields(row.from) {
			count++
			nfc := norm.NFC.String(from)
			require.LessOrEqual(t, utf8.RuneCountInString(nfc), diacriticMaxRunes, "%q", from)
			_, dup := seen[nfc]
			require.False(t, dup, "%q listed twice", from)
			seen[nfc] = row.to
			base := strings.Map(func(r rune) rune {
				if unicode.Is(unicode.Mn, r) {
					return -1
				}
				return r
			}, norm.NFD.String(from))
			require.Equal(t, row.to, undecomposed.Replace(base), "%q (%U)", from, []rune(from))
			require.Equal(t, row.to, normalizeDiacritics(from))
		}
	}
	require.Equal(t, 261, count, "entries in the reference table")
}
