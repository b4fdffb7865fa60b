package expr

import (
	"strings"
	"unicode"
)

// caseMapper converts case for one culture.
type caseMapper struct {
	lower, upper func(string) string
}

// invariant is .NET's invariant culture: simple Unicode case mapping, no
// length-changing rules (ß stays ß when upper-cased).
var invariant = caseMapper{lower: strings.ToLower, upper: strings.ToUpper}

// cultureCases holds the cultures whose casing differs from the invariant
// one, by language subtag. This is the hook for culture-aware casing: add an
// entry when a culture needs special rules.
var cultureCases = map[string]caseMapper{
	"tr": turkish,
	"az": turkish,
}

var turkish = caseMapper{
	lower: func(s string) string { return strings.ToLowerSpecial(unicode.TurkishCase, s) },
	upper: func(s string) string { return strings.ToUpperSpecial(unicode.TurkishCase, s) },
}

// caseFor returns the case mapping for an RFC 4646 culture name such as
// "en-US"; "" is the invariant culture. Well-formed names without special
// rules use the invariant mapping.
func caseFor(culture string) (caseMapper, error) {
	culture = strings.TrimSpace(culture)
	if culture == "" {
		return invariant, nil
	}
	lang, _, _ := strings.Cut(culture, "-")
	if len(lang) < 2 || len(lang) > 8 || !isASCIILetters(lang) || !validSubtags(culture) {
		return caseMapper{}, argErr("invalid culture name %q", culture)
	}
	if cm, ok := cultureCases[strings.ToLower(lang)]; ok {
		return cm, nil
	}
	return invariant, nil
}

func validSubtags(culture string) bool {
	for _, tag := range strings.Split(culture, "-") {
		if tag == "" || len(tag) > 8 {
			return false
		}
		for _, r := range tag {
			if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
				return false
			}
		}
	}
	return true
}

func isASCIILetters(s string) bool {
	for _, r := range s {
		if r >= 128 || !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
