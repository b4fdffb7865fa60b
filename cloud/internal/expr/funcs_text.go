package expr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// fnPrepend: Prepend(prefix, source) is Append(source, prefix) reversed:
// prefix + source. Null parts read as ""; both null gives null.
func fnPrepend(args []Value) (Value, error) { return fnAppend([]Value{args[0], args[1]}) }

// fnWord: Word(string, number, delimiters) splits string on any of the
// delimiter characters and returns the number-th word (1-based). Runs of
// delimiters count as one, so words are never empty. A null string, a number
// below 1 or past the last word gives "".
func fnWord(args []Value) (Value, error) {
	s, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	n, err := integer(args[1], "wordNumber")
	if err != nil {
		return Null(), err
	}
	delims, err := scalar(args[2])
	if err != nil {
		return Null(), err
	}
	if n < 1 {
		return String(""), nil
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	if n > len(words) {
		return String(""), nil
	}
	return String(words[n-1]), nil
}

// fnInStr: InStr(value1, value2, start, compareType) is the 1-based
// character position of value2 in value1 at or after start (default 1), or
// 0. compareType vbTextCompare (1) ignores case; vbBinaryCompare (0, the
// default) does not. As in VB: an empty value1 or a start more than one past
// its end gives 0, and otherwise an empty value2 gives start.
func fnInStr(args []Value) (Value, error) {
	hay, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	needle, err := scalar(args[1])
	if err != nil {
		return Null(), err
	}
	start := 1
	if len(args) > 2 && !args[2].IsNull() {
		if start, err = integer(args[2], "start"); err != nil {
			return Null(), err
		}
		if start < 1 {
			return Null(), argErr("start must be 1 or more, got %d", start)
		}
	}
	text := false
	if len(args) > 3 && !args[3].IsNull() {
		ct, err := scalar(args[3])
		if err != nil {
			return Null(), err
		}
		switch strings.TrimSpace(ct) {
		case "0", "vbBinaryCompare":
		case "1", "vbTextCompare":
			text = true
		default:
			return Null(), argErr("compareType must be vbBinaryCompare or vbTextCompare, got %q", ct)
		}
	}
	h := []rune(hay)
	if len(h) == 0 || start-1 > len(h) {
		return String("0"), nil
	}
	if needle == "" {
		return String(strconv.Itoa(start)), nil
	}
	n := []rune(needle)
	for i := start - 1; i+len(n) <= len(h); i++ {
		if runesEqual(h[i:i+len(n)], n, text) {
			return String(strconv.Itoa(i + 1)), nil
		}
	}
	return String("0"), nil
}

func runesEqual(a, b []rune, foldCase bool) bool {
	for i := range a {
		if a[i] != b[i] && (!foldCase || !equalFold(a[i], b[i])) {
			return false
		}
	}
	return true
}

func equalFold(a, b rune) bool {
	return strings.EqualFold(string(a), string(b))
}

// fnCStr converts a value to its text: booleans become "True"/"False",
// dates render M/d/yyyy h:mm:ss tt. Null stays null, so a default value or
// IgnoreFlowIfNullOrEmpty still applies.
func fnCStr(args []Value) (Value, error) {
	if args[0].IsNull() {
		return Null(), nil
	}
	s, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	return String(s), nil
}

// fnIsString: True when CStr would give a string: any single value, the
// empty string included. Null and several values give False.
func fnIsString(args []Value) (Value, error) {
	return Bool(args[0].Len() == 1), nil
}

// fnDNComponent: DNComponent(dn, n) is the value of the n-th RDN of a
// distinguished name counting from the left, unescaped
// (DNComponent("CN=Smith\, John,OU=Sales,DC=contoso,DC=com", 1) is
// "Smith, John"). n past the last RDN gives null.
func fnDNComponent(args []Value) (Value, error) {
	s, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	n, err := integer(args[1], "component number")
	if err != nil {
		return Null(), err
	}
	if n < 1 {
		return Null(), argErr("component number must be 1 or more, got %d", n)
	}
	if args[0].IsNull() || s == "" {
		return Null(), nil
	}
	dn, err := ldap.ParseDN(s)
	if err != nil {
		return Null(), argErr("invalid distinguished name %q: %v", s, err)
	}
	if n > len(dn.RDNs) {
		return Null(), nil
	}
	var vals []string
	for _, a := range dn.RDNs[n-1].Attributes {
		vals = append(vals, a.Value)
	}
	return String(strings.Join(vals, "+")), nil
}

// fnCRef is Cloud Sync's "treat as a reference" marker: here every value is
// already text, so it returns its argument.
func fnCRef(args []Value) (Value, error) { return args[0], nil }

// fnPCase: PCase(source, wordSeparators). Without separators it is .NET's
// TextInfo.ToTitleCase of the lower-cased text (see titleCase); with them,
// only those characters separate words, and each word gets an upper-case
// first letter and lower-case rest.
func fnPCase(args []Value) (Value, error) {
	seps := ""
	custom := len(args) > 1 && !args[1].IsNull()
	if custom {
		var err error
		if seps, err = scalar(args[1]); err != nil {
			return Null(), err
		}
		if seps == "" {
			custom = false
		}
	}
	if custom {
		return mapEach(args[0], func(s string) string { return properCase(s, seps) }), nil
	}
	return mapEach(args[0], titleCase), nil
}

// properCase upper-cases the first character of each word and lower-cases
// the rest; words are separated by the characters of seps.
func properCase(s, seps string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		switch {
		case strings.ContainsRune(seps, r):
			b.WriteRune(r)
			start = true
		case start:
			b.WriteRune(unicode.ToTitle(r))
			start = false
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// titleCase is .NET's TextInfo.ToTitleCase applied to the lower-cased
// string, which is what Entra's PCase does (PCase("PABLO GONSALVES (SECOND)")
// is "Pablo Gonsalves (Second)"). A word starts at a letter that follows a
// word separator: a space, control or format character, or any punctuation
// or symbol. Digits and combining marks do not separate words but do not
// start them either, so "1st" becomes "1St" as in .NET. The apostrophe is
// special in .NET: it does not break a word, so "o'neil" is "O'neil".
func titleCase(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		switch {
		case inWord && (r == '\'' || !isWordSeparator(r)):
			b.WriteRune(r)
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToTitle(r))
			inWord = true
		default:
			b.WriteRune(r)
			inWord = false
		}
	}
	return b.String()
}

// isWordSeparator follows .NET's TextInfo word separators: space, line and
// paragraph separators, control and format characters, and every
// punctuation and symbol category.
func isWordSeparator(r rune) bool {
	return unicode.In(r, unicode.Z, unicode.Cc, unicode.Cf, unicode.P, unicode.S) || r == utf8.RuneError
}
