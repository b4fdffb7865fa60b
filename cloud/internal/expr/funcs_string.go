package expr

import (
	"strings"
	"unicode/utf8"
)

// fnAppend: Append(source, suffix). Null parts read as ""; both null gives
// null.
func fnAppend(args []Value) (Value, error) {
	if args[0].IsNull() && args[1].IsNull() {
		return Null(), nil
	}
	a, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	b, err := scalar(args[1])
	if err != nil {
		return Null(), err
	}
	return String(a + b), nil
}

// fnJoin: Join(separator, source...). Null and empty sources are skipped;
// every value of a multi-valued source is joined.
func fnJoin(args []Value) (Value, error) {
	sep, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	var parts []string
	size := 0
	for _, a := range args[1:] {
		for _, s := range a.Values() {
			if s == "" {
				continue
			}
			parts = append(parts, s)
			size += len(s) + len(sep)
			if size > MaxValueBytes {
				return Null(), argErr("result longer than %d bytes", MaxValueBytes)
			}
		}
	}
	return String(strings.Join(parts, sep)), nil
}

// fnLeft: Left(string, numChars). numChars 0 gives "", negative gives the
// whole string, a null string gives "". Characters are runes.
func fnLeft(args []Value) (Value, error) {
	s, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	n, err := integer(args[1], "numChars")
	if err != nil {
		return Null(), err
	}
	if n < 0 {
		return String(s), nil
	}
	return String(runePrefix(s, n)), nil
}

// fnMid: Mid(source, start, length), start 1-based; a length running past
// the end stops at the end; a start past the end or a null source gives "".
func fnMid(args []Value) (Value, error) {
	s, err := scalar(args[0])
	if err != nil {
		return Null(), err
	}
	start, err := integer(args[1], "start")
	if err != nil {
		return Null(), err
	}
	length, err := integer(args[2], "length")
	if err != nil {
		return Null(), err
	}
	if start < 1 {
		return Null(), argErr("start must be 1 or more, got %d", start)
	}
	if length < 0 {
		return Null(), argErr("length must not be negative, got %d", length)
	}
	skip := len(runePrefix(s, start-1))
	return String(runePrefix(s[skip:], length)), nil
}

// runePrefix returns the first n runes of s (all of s if shorter).
func runePrefix(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

func fnToLower(args []Value) (Value, error) {
	return applyCase(args, func(c caseMapper) func(string) string { return c.lower })
}

func fnToUpper(args []Value) (Value, error) {
	return applyCase(args, func(c caseMapper) func(string) string { return c.upper })
}

func applyCase(args []Value, pick func(caseMapper) func(string) string) (Value, error) {
	culture := ""
	if len(args) > 1 {
		var err error
		if culture, err = scalar(args[1]); err != nil {
			return Null(), err
		}
	}
	cm, err := caseFor(culture)
	if err != nil {
		return Null(), err
	}
	return mapEach(args[0], pick(cm)), nil
}

// fnStripSpaces removes every U+0020 space.
func fnStripSpaces(args []Value) (Value, error) {
	return mapEach(args[0], func(s string) string { return strings.ReplaceAll(s, " ", "") }), nil
}

// fnTrim removes leading and trailing white space (from each value).
func fnTrim(args []Value) (Value, error) { return mapEach(args[0], strings.TrimSpace), nil }

func fnNormalizeDiacritics(args []Value) (Value, error) {
	return mapEach(args[0], normalizeDiacritics), nil
}

// mapEach applies f to every value; null stays null and booleans become
// strings.
func mapEach(v Value, f func(string) string) Value {
	switch v.kind {
	case KindNull:
		return v
	case KindMulti:
		out := make([]string, len(v.ss))
		for i, s := range v.ss {
			out[i] = f(s)
		}
		return Value{kind: KindMulti, ss: out}
	}
	return String(f(v.AsString()))
}
