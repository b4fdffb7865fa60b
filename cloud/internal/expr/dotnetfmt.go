package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file implements .NET custom and standard date and time format
// strings for the en-US culture (the culture Entra's provisioning service
// formats with): DateTime.ToString(format) and DateTime.ParseExact(s,
// format, culture, styles). The server's local time zone is UTC, as
// Entra's is.

// MaxFormatLength bounds a date format string.
const MaxFormatLength = 1000

// dtKind is .NET's DateTimeKind: it only changes what K prints.
type dtKind uint8

const (
	kindUnspecified dtKind = iota
	kindUTC
	kindLocal
)

// fmtTok is one element of a format: a specifier repeated n times, or
// literal text (spec 0).
type fmtTok struct {
	spec byte
	n    int
	lit  string
}

// stdFormat is what a one-letter standard format means.
type stdFormat struct {
	pattern   string
	utc       bool // r, u: the text is UTC (and formatting converts to UTC)
	roundtrip bool // o: parse with RoundtripKind
}

var standardFormats = map[byte]stdFormat{
	'd': {pattern: "M/d/yyyy"},
	'D': {pattern: "dddd, MMMM d, yyyy"},
	'f': {pattern: "dddd, MMMM d, yyyy h:mm tt"},
	'F': {pattern: "dddd, MMMM d, yyyy h:mm:ss tt"},
	'g': {pattern: "M/d/yyyy h:mm tt"},
	'G': {pattern: "M/d/yyyy h:mm:ss tt"},
	'm': {pattern: "MMMM d"},
	'M': {pattern: "MMMM d"},
	'o': {pattern: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", roundtrip: true},
	'O': {pattern: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", roundtrip: true},
	'r': {pattern: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", utc: true},
	'R': {pattern: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", utc: true},
	's': {pattern: "yyyy'-'MM'-'dd'T'HH':'mm':'ss"},
	't': {pattern: "h:mm tt"},
	'T': {pattern: "h:mm:ss tt"},
	'u': {pattern: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'", utc: true},
	'U': {pattern: "dddd, MMMM d, yyyy h:mm:ss tt"},
	'y': {pattern: "MMMM yyyy"},
	'Y': {pattern: "MMMM yyyy"},
}

// dotnetFormat is a compiled format string.
type dotnetFormat struct {
	toks []fmtTok
	std  stdFormat
}

// compileFormat reads a .NET format string: one character is a standard
// format (use %d for the custom "d"), longer strings are custom formats.
func compileFormat(f string) (dotnetFormat, error) {
	switch {
	case f == "":
		return dotnetFormat{}, errors.New("format is empty")
	case len(f) > MaxFormatLength:
		return dotnetFormat{}, fmt.Errorf("format longer than %d characters", MaxFormatLength)
	case len(f) == 1:
		std, ok := standardFormats[f[0]]
		if !ok {
			return dotnetFormat{}, fmt.Errorf("%q is not a standard date format (use %%%s for the custom specifier)", f, f)
		}
		toks, err := tokenizeFormat(std.pattern)
		return dotnetFormat{toks: toks, std: std}, err
	}
	toks, err := tokenizeFormat(f)
	return dotnetFormat{toks: toks}, err
}

func isSpec(c rune) bool { return strings.ContainsRune("dfFghHKmMstyz:/", c) }

func tokenizeFormat(f string) ([]fmtTok, error) {
	rs := []rune(f)
	var toks []fmtTok
	lit := func(s string) {
		if n := len(toks); n > 0 && toks[n-1].spec == 0 {
			toks[n-1].lit += s
			return
		}
		toks = append(toks, fmtTok{lit: s})
	}
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(rs) && rs[j] != c; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("no closing %c for the quote at character %d", c, i+1)
			}
			lit(b.String())
			i = j + 1
		case c == '\\':
			if i+1 >= len(rs) {
				return nil, errors.New("format ends with a backslash")
			}
			lit(string(rs[i+1]))
			i += 2
		case c == '%':
			if i+1 >= len(rs) || rs[i+1] == '%' {
				return nil, errors.New("% must be followed by one format specifier")
			}
			if isSpec(rs[i+1]) {
				toks = append(toks, fmtTok{spec: byte(rs[i+1]), n: 1})
			} else {
				lit(string(rs[i+1]))
			}
			i += 2
		case isSpec(c):
			j := i + 1
			for j < len(rs) && rs[j] == c {
				j++
			}
			n := j - i
			if c == 'K' || c == ':' || c == '/' {
				for range n {
					toks = append(toks, fmtTok{spec: byte(c), n: 1})
				}
			} else {
				if (c == 'f' || c == 'F') && n > 7 {
					return nil, fmt.Errorf("%s: at most 7 fraction digits", string(rs[i:j]))
				}
				toks = append(toks, fmtTok{spec: byte(c), n: n})
			}
			i = j
		default:
			lit(string(c))
			i++
		}
	}
	return toks, nil
}

func pad(v, n int) string {
	s := strconv.Itoa(v)
	if len(s) < n {
		s = strings.Repeat("0", n-len(s)) + s
	}
	return s
}

// format renders t (UTC) as DateTime.ToString(format) does.
func (f dotnetFormat) format(t time.Time, kind dtKind) string {
	t = t.UTC()
	var b strings.Builder
	frac := int(ticksOf(t) % ticksPerSec)
	for _, tk := range f.toks {
		n := tk.n
		switch tk.spec {
		case 0:
			b.WriteString(tk.lit)
		case 'd':
			switch {
			case n <= 2:
				b.WriteString(pad(t.Day(), n))
			case n == 3:
				b.WriteString(dayNames[t.Weekday()][:3])
			default:
				b.WriteString(dayNames[t.Weekday()])
			}
		case 'M':
			switch {
			case n <= 2:
				b.WriteString(pad(int(t.Month()), n))
			case n == 3:
				b.WriteString(monthNames[t.Month()-1][:3])
			default:
				b.WriteString(monthNames[t.Month()-1])
			}
		case 'y':
			if n <= 2 {
				b.WriteString(pad(t.Year()%100, n))
			} else {
				b.WriteString(pad(t.Year(), n))
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, min(n, 2)))
		case 'H':
			b.WriteString(pad(t.Hour(), min(n, 2)))
		case 'm':
			b.WriteString(pad(t.Minute(), min(n, 2)))
		case 's':
			b.WriteString(pad(t.Second(), min(n, 2)))
		case 'f', 'F':
			v := frac / pow10(7-n)
			digits := n
			if tk.spec == 'F' {
				for digits > 0 && v%10 == 0 {
					v /= 10
					digits--
				}
				if digits == 0 {
					if s := b.String(); strings.HasSuffix(s, ".") {
						b.Reset()
						b.WriteString(s[:len(s)-1])
					}
					continue
				}
			}
			b.WriteString(pad(v, digits))
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				ampm = ampm[:1]
			}
			b.WriteString(ampm)
		case 'z':
			b.WriteString([]string{"+0", "+00", "+00:00"}[min(n, 3)-1])
		case 'K':
			switch kind {
			case kindUTC:
				b.WriteString("Z")
			case kindLocal:
				b.WriteString("+00:00")
			}
		case 'g':
			b.WriteString("A.D.")
		case ':', '/':
			b.WriteByte(tk.spec)
		}
	}
	return b.String()
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// dtStyles is .NET's DateTimeStyles.
type dtStyles uint16

const (
	styleAllowLeadingWhite    dtStyles = 1
	styleAllowTrailingWhite   dtStyles = 2
	styleAllowInnerWhite      dtStyles = 4
	styleNoCurrentDateDefault dtStyles = 8
	styleAdjustToUniversal    dtStyles = 16
	styleAssumeLocal          dtStyles = 32
	styleAssumeUniversal      dtStyles = 64
	styleRoundtripKind        dtStyles = 128

	// defaultStyles applies when FormatDateTime's dateTimeStyles is empty.
	defaultStyles = styleRoundtripKind | styleAllowLeadingWhite | styleAllowTrailingWhite
)

var styleNames = map[string]dtStyles{
	"none":                 0,
	"allowleadingwhite":    styleAllowLeadingWhite,
	"allowtrailingwhite":   styleAllowTrailingWhite,
	"allowinnerwhite":      styleAllowInnerWhite,
	"allowwhitespaces":     styleAllowLeadingWhite | styleAllowTrailingWhite | styleAllowInnerWhite,
	"nocurrentdatedefault": styleNoCurrentDateDefault,
	"adjusttouniversal":    styleAdjustToUniversal,
	"assumelocal":          styleAssumeLocal,
	"assumeuniversal":      styleAssumeUniversal,
	"roundtripkind":        styleRoundtripKind,
}

// parseStyles reads DateTimeStyles names joined by ",", "|" or "+" (any
// case, as .NET's Enum.Parse with ignoreCase), or their numeric value.
func parseStyles(s string) (dtStyles, error) {
	if strings.TrimSpace(s) == "" {
		return defaultStyles, nil
	}
	var st dtStyles
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' || r == '+' }) {
		part = strings.TrimSpace(part)
		if n, err := strconv.Atoi(part); err == nil && n >= 0 && n <= 255 {
			st |= dtStyles(n)
			continue
		}
		v, ok := styleNames[strings.ToLower(part)]
		if !ok {
			return 0, fmt.Errorf("unknown DateTimeStyles value %q", part)
		}
		st |= v
	}
	switch {
	case st&styleAssumeLocal != 0 && st&styleAssumeUniversal != 0:
		return 0, errors.New("AssumeLocal and AssumeUniversal exclude each other")
	case st&styleRoundtripKind != 0 && st&(styleAssumeLocal|styleAssumeUniversal|styleAdjustToUniversal) != 0:
		return 0, errors.New("RoundtripKind excludes AssumeLocal, AssumeUniversal and AdjustToUniversal")
	}
	return st, nil
}
