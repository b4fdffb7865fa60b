package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// .NET DateTime facts: 100 ns ticks from 0001-01-01 to 9999-12-31
// 23:59:59.9999999, all in UTC here (the service runs in UTC).
const (
	tick          = 100 * time.Nanosecond
	ticksPerSec   = int64(time.Second / tick)
	ticksPerDay   = 86400 * ticksPerSec
	unixToTicks   = 62135596800 * ticksPerSec // 0001-01-01 → 1970-01-01
	fileTimeStart = 50491123200 * ticksPerSec // 0001-01-01 → 1601-01-01
	maxTicks      = 3155378975999999999       // 9999-12-31 23:59:59.9999999
	maxFileTime   = maxTicks - fileTimeStart  // the largest valid FILETIME
	dateLayout    = "1/2/2006 3:04:05 PM"     // M/d/yyyy h:mm:ss tt
)

var errDateRange = errors.New("date outside 1/1/0001 to 12/31/9999")

// renderDate is how every date value reads as text: M/d/yyyy h:mm:ss tt in
// UTC, as Entra renders DateTime values (3/16/2020 7:00:00 AM).
func renderDate(t time.Time) string { return t.UTC().Format(dateLayout) }

// ticksOf is t in .NET ticks (t must be in range).
func ticksOf(t time.Time) int64 {
	t = t.UTC()
	return t.Unix()*ticksPerSec + int64(t.Nanosecond())/int64(tick) + unixToTicks
}

// fromTicks is the instant of a .NET tick count.
func fromTicks(n int64) (time.Time, error) {
	if n < 0 || n > maxTicks {
		return time.Time{}, errDateRange
	}
	n -= unixToTicks
	sec, rem := n/ticksPerSec, n%ticksPerSec
	if rem < 0 {
		sec, rem = sec-1, rem+ticksPerSec
	}
	return time.Unix(sec, rem*int64(tick)).UTC(), nil
}

// inRange reports whether t is a valid .NET DateTime.
func inRange(t time.Time) bool {
	return t.Year() >= 1 && t.Year() <= 9999
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addMonths is .NET's AddMonths: calendar months, the day clamped to the
// end of the target month (1/31 + 1 month = 2/28 or 2/29).
func addMonths(t time.Time, n int64) (time.Time, error) {
	const maxMonths = 12 * 10000
	if n > maxMonths || n < -maxMonths {
		return time.Time{}, errDateRange
	}
	m := int64(t.Year())*12 + int64(t.Month()-1) + n
	y, mo := int(m/12), time.Month(m%12+1)
	if m < 0 || y < 1 || y > 9999 {
		return time.Time{}, errDateRange
	}
	d := min(t.Day(), daysIn(y, mo))
	return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
}

// addTicks adds n units of unit ticks, failing outside the DateTime range.
func addTicks(t time.Time, n, unit int64) (time.Time, error) {
	lim := maxTicks / unit
	if n > lim || n < -lim {
		return time.Time{}, errDateRange
	}
	return fromTicks(ticksOf(t) + n*unit)
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// lookupName matches word against full names and their three-letter
// abbreviations, ignoring case; it returns the index or -1.
func lookupName(word string, names []string) int {
	for i, n := range names {
		if strings.EqualFold(word, n) || strings.EqualFold(word, n[:3]) {
			return i
		}
	}
	return -1
}

// dtok is a token of a free-form date: a run of digits, a run of letters,
// white space, or one punctuation character.
type dtok struct {
	kind byte // 'n' number, 'w' word, ' ' space, else the character
	text string
}

func tokenizeDate(s string) []dtok {
	var toks []dtok
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		switch r := rs[i]; {
		case r >= '0' && r <= '9':
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			toks = append(toks, dtok{'n', string(rs[i:j])})
		case unicode.IsLetter(r):
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
			toks = append(toks, dtok{'w', string(rs[i:j])})
		case unicode.IsSpace(r):
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
			toks = append(toks, dtok{' ', " "})
		default:
			toks = append(toks, dtok{byte(min(r, 0x7f)), string(r)})
			if r > 0x7f {
				toks[len(toks)-1].kind = '?'
			}
		}
		i = j
	}
	return toks
}

// dateScan walks the tokens of a free-form date.
type dateScan struct {
	toks []dtok
	i    int
}

func (d *dateScan) peek(k int) dtok {
	if d.i+k < len(d.toks) {
		return d.toks[d.i+k]
	}
	return dtok{}
}

func (d *dateScan) is(k int, kind byte) bool { return d.peek(k).kind == kind }

func (d *dateScan) skipSpace() {
	for d.is(0, ' ') {
		d.i++
	}
}

// num consumes a number of minDigits to maxDigits digits.
func (d *dateScan) num(minDigits, maxDigits int) (int, bool) {
	t := d.peek(0)
	if t.kind != 'n' || len(t.text) < minDigits || len(t.text) > maxDigits {
		return 0, false
	}
	d.i++
	n, _ := strconv.Atoi(t.text)
	return n, true
}

// parsedDate is what parseDateText found.
type parsedDate struct {
	year, day, hour, min, sec int
	month                     time.Month
	frac                      int64 // ticks
	offset                    *int  // seconds east of UTC
}

// parseDate reads a date the way .NET's DateTime.Parse does for the en-US
// culture (month before day), for the shapes HR systems send:
//
//	2020-03-16, 2020/03/16, 2020-03-16T07:45:30[.fffffff][Z|±hh:mm],
//	2020-03-16 07:45[:30], 2020-03-16-07:00 (date with offset: midnight there),
//	3/16/2020, 3-16-2020, 3/16/2020 7:45:30 AM, 12/31/2025 12:00:00 AM,
//	16 March 2020, 16-Mar-2020, March 16, 2020, Mon, 16 Mar 2020 07:45:30 GMT
//
// An offset (±hh, ±hhmm, ±hh:mm, Z, GMT, UTC) converts the time to UTC; a
// time without one is taken as UTC. Two-digit years are rejected rather than
// guessed. The result is UTC.
func parseDate(s string) (time.Time, error) {
	p, err := parseDateText(s)
	if err != nil {
		return time.Time{}, argErr("cannot read %q as a date: %v", s, err)
	}
	if p.month < 1 || p.month > 12 {
		return time.Time{}, argErr("cannot read %q as a date: month %d", s, p.month)
	}
	if p.year < 1 || p.year > 9999 || p.day < 1 || p.day > daysIn(p.year, p.month) {
		return time.Time{}, argErr("cannot read %q as a date: no day %d in %s %d", s, p.day, p.month, p.year)
	}
	if p.hour > 23 || p.min > 59 || p.sec > 59 {
		return time.Time{}, argErr("cannot read %q as a date: invalid time of day", s)
	}
	t := time.Date(p.year, p.month, p.day, p.hour, p.min, p.sec, 0, time.UTC)
	t = t.Add(time.Duration(p.frac) * tick)
	if p.offset != nil {
		t = t.Add(-time.Duration(*p.offset) * time.Second)
	}
	if !inRange(t) {
		return time.Time{}, argErr("cannot read %q as a date: %v", s, errDateRange)
	}
	return t, nil
}

var (
	errTwoDigitYear = errors.New("two-digit years are ambiguous: write the year in full")
	errDateShape    = errors.New("not a recognised date format")
)

func parseDateText(s string) (parsedDate, error) {
	var p parsedDate
	d := &dateScan{toks: tokenizeDate(strings.TrimSpace(s))}
	if d.is(0, 'w') && lookupName(d.peek(0).text, dayNames[:]) >= 0 { // Mon, …
		d.i++
		if d.is(0, ',') {
			d.i++
		}
		d.skipSpace()
	}
	if err := d.date(&p); err != nil {
		return p, err
	}
	if err := d.timeOfDay(&p); err != nil {
		return p, err
	}
	if err := d.zone(&p); err != nil {
		return p, err
	}
	d.skipSpace()
	if d.i != len(d.toks) {
		return p, fmt.Errorf("unexpected %q", d.peek(0).text)
	}
	return p, nil
}

func (d *dateScan) date(p *parsedDate) error {
	t0, t1 := d.peek(0), d.peek(1)
	switch {
	case t0.kind == 'n' && len(t0.text) == 4 && strings.ContainsRune("-/.", rune(t1.kind)): // y-M-d
		p.year, _ = d.num(4, 4)
		sep := d.peek(0).kind
		d.i++
		m, ok := d.num(1, 2)
		if !ok || !d.is(0, sep) {
			return errDateShape
		}
		d.i++
		if p.day, ok = d.num(1, 2); !ok {
			return errDateShape
		}
		p.month = time.Month(m)
	case t0.kind == 'n' && len(t0.text) <= 2 && strings.ContainsRune("-/.", rune(t1.kind)) && d.peek(2).kind == 'n': // M/d/y
		m, _ := d.num(1, 2)
		sep := d.peek(0).kind
		d.i++
		var ok bool
		if p.day, ok = d.num(1, 2); !ok || !d.is(0, sep) {
			return errDateShape
		}
		d.i++
		if err := d.year(p); err != nil {
			return err
		}
		p.month = time.Month(m)
	case t0.kind == 'n' && len(t0.text) <= 2: // d MMM y
		p.day, _ = d.num(1, 2)
		if d.is(0, '-') {
			d.i++
		} else {
			d.skipSpace()
		}
		if err := d.monthName(p); err != nil {
			return err
		}
		if d.is(0, '-') || d.is(0, ',') {
			d.i++
		}
		d.skipSpace()
		return d.year(p)
	case t0.kind == 'w': // MMM d, y
		if err := d.monthName(p); err != nil {
			return err
		}
		d.skipSpace()
		var ok bool
		if p.day, ok = d.num(1, 2); !ok {
			return errDateShape
		}
		if d.is(0, ',') {
			d.i++
		}
		d.skipSpace()
		return d.year(p)
	default:
		return errDateShape
	}
	return nil
}

func (d *dateScan) year(p *parsedDate) error {
	t := d.peek(0)
	if t.kind == 'n' && len(t.text) <= 2 {
		return errTwoDigitYear
	}
	y, ok := d.num(4, 4)
	if !ok {
		return errDateShape
	}
	p.year = y
	return nil
}

func (d *dateScan) monthName(p *parsedDate) error {
	t := d.peek(0)
	m := -1
	if t.kind == 'w' {
		m = lookupName(t.text, monthNames[:])
	}
	if m < 0 {
		return errDateShape
	}
	d.i++
	p.month = time.Month(m + 1)
	return nil
}

// timeOfDay reads [T| |, ]h:mm[:ss[.fffffff]][ AM|PM] if present.
func (d *dateScan) timeOfDay(p *parsedDate) error {
	start := d.i
	switch {
	case d.is(0, 'w') && strings.EqualFold(d.peek(0).text, "T"):
		d.i++
	case d.is(0, ','):
		d.i++
		d.skipSpace()
	case d.is(0, ' '):
		d.skipSpace()
	}
	if !(d.is(0, 'n') && d.is(1, ':')) {
		d.i = start
		return nil
	}
	var ok bool
	p.hour, _ = d.num(1, 2)
	d.i++ // :
	if p.min, ok = d.num(2, 2); !ok {
		return errDateShape
	}
	if d.is(0, ':') {
		d.i++
		if p.sec, ok = d.num(2, 2); !ok {
			return errDateShape
		}
		if d.is(0, '.') || d.is(0, ',') {
			d.i++
			f := d.peek(0)
			if f.kind != 'n' {
				return errDateShape
			}
			d.i++
			p.frac = fractionTicks(f.text)
		}
	}
	save := d.i
	d.skipSpace()
	if d.is(0, 'w') {
		switch strings.ToUpper(d.peek(0).text) {
		case "AM", "A":
			d.i++
			return adjustHour(&p.hour, 'A')
		case "PM", "P":
			d.i++
			return adjustHour(&p.hour, 'P')
		}
	}
	d.i = save
	return nil
}

// adjustHour applies AM/PM as .NET does: AM takes 0–12 (12 is midnight),
// PM takes 0–23 and adds 12 below noon.
func adjustHour(h *int, mark byte) error {
	switch {
	case mark == 'A' && *h <= 12:
		if *h == 12 {
			*h = 0
		}
	case mark == 'P' && *h <= 23:
		if *h < 12 {
			*h += 12
		}
	default:
		return errors.New("hour does not fit AM/PM")
	}
	return nil
}

// fractionTicks turns fractional-second digits into ticks, rounding half to
// even beyond seven digits as .NET does.
func fractionTicks(digits string) int64 {
	if len(digits) <= 7 {
		n, _ := strconv.ParseInt(digits+strings.Repeat("0", 7-len(digits)), 10, 64)
		return n
	}
	f, _ := strconv.ParseFloat("0."+digits, 64)
	return int64(math.RoundToEven(f * float64(ticksPerSec)))
}

// zone reads Z, GMT, UTC or ±hh[[:]mm] if present.
func (d *dateScan) zone(p *parsedDate) error {
	save := d.i
	d.skipSpace()
	t := d.peek(0)
	switch {
	case t.kind == 'w' && (t.text == "Z" || t.text == "z" || strings.EqualFold(t.text, "GMT") || strings.EqualFold(t.text, "UTC")):
		d.i++
		zero := 0
		p.offset = &zero
		return nil
	case t.kind == '+' || t.kind == '-':
		d.i++
		sign := 1
		if t.kind == '-' {
			sign = -1
		}
		n := d.peek(0)
		if n.kind != 'n' {
			return errDateShape
		}
		var h, m int
		switch len(n.text) {
		case 1, 2:
			h, _ = d.num(1, 2)
			if d.is(0, ':') {
				d.i++
				var ok bool
				if m, ok = d.num(2, 2); !ok {
					return errDateShape
				}
			}
		case 4:
			d.i++
			h, _ = strconv.Atoi(n.text[:2])
			m, _ = strconv.Atoi(n.text[2:])
		default:
			return errDateShape
		}
		if h > 14 || m > 59 || h*60+m > 14*60 {
			return errors.New("time zone offset beyond ±14:00")
		}
		off := sign * (h*3600 + m*60)
		p.offset = &off
		return nil
	}
	d.i = save
	return nil
}
