package expr

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// twoDigitYearMax is .NET's GregorianCalendar.TwoDigitYearMax default:
// "yy" years 00–29 are 2000–2029, 30–99 are 1930–1999.
const twoDigitYearMax = 2029

// exactParse is the state of one ParseExact.
type exactParse struct {
	s       []rune
	i       int
	styles  dtStyles
	year    int
	month   int
	day     int
	hour    int
	min     int
	sec     int
	frac    int64
	weekday int    // -1 unless ddd/dddd was parsed
	mark    byte   // 'A', 'P' or 0
	offset  *int   // seconds east of UTC, when the text had a zone
	utcMark bool   // the text said Z (via K) or the format is r/u
	twoYear bool   // the year was y/yy
	err     string // why parsing failed
}

// parse is DateTime.ParseExact(s, format, en-US, styles) with now as the
// current date for missing date parts. It returns the instant in UTC and
// the DateTimeKind .NET would give the result.
func (f dotnetFormat) parse(s string, styles dtStyles, now time.Time) (time.Time, dtKind, error) {
	if f.std.roundtrip {
		styles |= styleRoundtripKind
	}
	p := &exactParse{s: []rune(s), styles: styles, year: -1, month: -1, day: -1, hour: -1, min: -1, sec: -1, weekday: -1}
	if f.std.utc {
		zero := 0
		p.offset, p.utcMark = &zero, true
	}
	if styles&styleAllowLeadingWhite != 0 {
		p.skipWhite()
	}
	if styles&styleAllowTrailingWhite != 0 {
		p.s = []rune(strings.TrimRightFunc(string(p.s), unicode.IsSpace))
	}
	for _, tk := range f.toks {
		if styles&styleAllowInnerWhite != 0 {
			p.skipWhite()
		}
		if !p.token(tk) {
			return time.Time{}, 0, fmt.Errorf("%q does not match the format at character %d: %s", s, p.i+1, p.err)
		}
	}
	if p.i < len(p.s) {
		return time.Time{}, 0, fmt.Errorf("%q has unexpected text at character %d after the format", s, p.i+1)
	}
	t, kind, err := p.result(now)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("%q: %w", s, err)
	}
	return t, kind, nil
}

func (p *exactParse) skipWhite() {
	for p.i < len(p.s) && unicode.IsSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *exactParse) fail(why string) bool {
	p.err = why
	return false
}

// digits reads lo to hi digits.
func (p *exactParse) digits(lo, hi int, what string) (int, bool) {
	n, v := 0, 0
	for n < hi && p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	if n < lo {
		if lo == hi {
			return 0, p.fail(fmt.Sprintf("%s needs %d digits", what, lo))
		}
		return 0, p.fail(fmt.Sprintf("%s needs %d to %d digits", what, lo, hi))
	}
	return v, true
}

// count is .NET's ParseDigits(tokenLen): one letter reads 1–2 digits, two
// or more read exactly two (or tokenLen for years).
func (p *exactParse) count(n int, what string) (int, bool) {
	if n == 1 {
		return p.digits(1, 2, what)
	}
	return p.digits(2, 2, what)
}

// word matches one of names (or its three-letter abbreviation when abbr)
// case-insensitively, longest first; it returns the index.
func (p *exactParse) word(names []string, abbr bool, what string) (int, bool) {
	best, bestLen := -1, 0
	for i, n := range names {
		if abbr {
			n = n[:3]
		}
		r := []rune(n)
		if len(r) > bestLen && p.i+len(r) <= len(p.s) && strings.EqualFold(string(p.s[p.i:p.i+len(r)]), n) {
			best, bestLen = i, len(r)
		}
	}
	if best < 0 {
		return 0, p.fail("expected " + what)
	}
	p.i += bestLen
	return best, true
}

func (p *exactParse) literal(lit string) bool {
	for _, r := range lit {
		switch {
		case r == ' ' && p.styles&styleAllowInnerWhite != 0:
			p.skipWhite()
		case p.i < len(p.s) && p.s[p.i] == r:
			p.i++
		default:
			return p.fail(fmt.Sprintf("expected %q", string(r)))
		}
	}
	return true
}

func (p *exactParse) token(tk fmtTok) bool {
	var ok bool
	switch tk.spec {
	case 0:
		return p.literal(tk.lit)
	case 'd':
		if tk.n <= 2 {
			p.day, ok = p.count(tk.n, "day")
		} else {
			p.weekday, ok = p.word(dayNames[:], tk.n == 3, "a day name")
		}
	case 'M':
		switch {
		case tk.n <= 2:
			p.month, ok = p.count(tk.n, "month")
		default:
			var m int
			m, ok = p.word(monthNames[:], tk.n == 3, "a month name")
			p.month = m + 1
		}
	case 'y':
		if tk.n <= 2 {
			p.twoYear = true
			p.year, ok = p.count(tk.n, "year")
		} else {
			p.year, ok = p.digits(tk.n, tk.n, "year")
		}
	case 'h', 'H':
		p.hour, ok = p.count(tk.n, "hour")
	case 'm':
		p.min, ok = p.count(tk.n, "minute")
	case 's':
		p.sec, ok = p.count(tk.n, "second")
	case 'f', 'F':
		start := p.i
		_, ok = p.digits(0, tk.n, "fraction")
		got := p.i - start
		if tk.spec == 'f' && got != tk.n {
			return p.fail(fmt.Sprintf("fraction needs %d digits", tk.n))
		}
		if got > 0 {
			p.frac = fractionTicks(string(p.s[start:p.i]))
		}
	case 't':
		ok = p.timeMark(tk.n)
	case 'z':
		ok = p.offsetDigits(tk.n)
	case 'K':
		switch {
		case p.i < len(p.s) && p.s[p.i] == 'Z':
			p.i++
			zero := 0
			p.offset, p.utcMark = &zero, true
		case p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-'):
			return p.offsetDigits(3)
		}
		return true
	case 'g':
		_, ok = p.word([]string{"A.D.", "AD"}, false, "the era A.D.")
	case ':', '/':
		ok = p.literal(string(tk.spec))
	}
	return ok
}

func (p *exactParse) timeMark(n int) bool {
	for _, m := range []string{"AM", "PM"} {
		if n == 1 {
			m = m[:1]
		}
		if p.i+len(m) <= len(p.s) && strings.EqualFold(string(p.s[p.i:p.i+len(m)]), m) {
			p.i += len(m)
			p.mark = m[0]
			return true
		}
	}
	return p.fail("expected AM or PM")
}

// offsetDigits reads ±h[h][[:]mm] as .NET's ParseTimeZoneOffset: z and zz
// take optional minutes, zzz requires them.
func (p *exactParse) offsetDigits(n int) bool {
	if p.i >= len(p.s) || (p.s[p.i] != '+' && p.s[p.i] != '-') {
		return p.fail("expected a time zone offset such as -08:00")
	}
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	var h, m int
	var ok bool
	if n == 2 {
		h, ok = p.digits(2, 2, "offset hours")
	} else {
		h, ok = p.digits(1, 2, "offset hours")
	}
	if !ok {
		return false
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == ':':
		p.i++
		if m, ok = p.digits(2, 2, "offset minutes"); !ok {
			return false
		}
	case n >= 3:
		if m, ok = p.digits(2, 2, "offset minutes"); !ok {
			return false
		}
	default:
		save := p.i
		if m, ok = p.digits(2, 2, ""); !ok {
			p.i, m = save, 0
		}
	}
	if h > 14 || m > 59 || h*60+m > 14*60 {
		return p.fail("time zone offset beyond ±14:00")
	}
	off := sign * (h*3600 + m*60)
	p.offset = &off
	return true
}

var errNoSuchDate = errors.New("no such date")

// result fills the parts the format did not give, validates them and
// applies the time zone rules of DateTimeStyles for a UTC server.
func (p *exactParse) result(now time.Time) (time.Time, dtKind, error) {
	if p.twoYear {
		y := twoDigitYearMax % 100
		century := twoDigitYearMax / 100
		if p.year > y {
			century--
		}
		p.year = century*100 + p.year
	}
	if p.year == -1 || p.month == -1 || p.day == -1 {
		switch {
		case p.year == -1 && p.month == -1 && p.day == -1 && p.styles&styleNoCurrentDateDefault != 0:
			p.year, p.month, p.day = 1, 1, 1
		case p.month == -1 && p.day == -1 && p.year == -1:
			p.year, p.month, p.day = now.Year(), int(now.Month()), now.Day()
		default:
			if p.year == -1 {
				p.year = now.Year()
			}
			p.month, p.day = max(p.month, 1), max(p.day, 1)
		}
	}
	hour := max(p.hour, 0)
	if p.mark != 0 {
		if err := adjustHour(&hour, p.mark); err != nil {
			return time.Time{}, 0, err
		}
	}
	mo := time.Month(p.month)
	switch {
	case p.year < 1 || p.year > 9999 || p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysIn(p.year, mo):
		return time.Time{}, 0, errNoSuchDate
	case hour > 23 || p.min > 59 || p.sec > 59:
		return time.Time{}, 0, errors.New("invalid time of day")
	}
	t := time.Date(p.year, mo, p.day, hour, max(p.min, 0), max(p.sec, 0), 0, time.UTC).Add(time.Duration(p.frac) * tick)
	if p.weekday >= 0 && int(t.Weekday()) != p.weekday {
		return time.Time{}, 0, fmt.Errorf("%s is a %s, not a %s", t.Format("2006-01-02"), t.Weekday(), dayNames[p.weekday])
	}
	kind := kindUnspecified
	switch {
	case p.offset != nil:
		t = t.Add(-time.Duration(*p.offset) * time.Second)
		switch {
		case p.utcMark && p.styles&styleRoundtripKind != 0, p.styles&styleAdjustToUniversal != 0:
			kind = kindUTC
		default:
			kind = kindLocal
		}
	case p.styles&styleAssumeUniversal != 0 && p.styles&styleAdjustToUniversal != 0:
		kind = kindUTC
	case p.styles&(styleAssumeLocal|styleAssumeUniversal) != 0:
		kind = kindLocal
	}
	if !inRange(t) {
		return time.Time{}, 0, errDateRange
	}
	return t, kind, nil
}
