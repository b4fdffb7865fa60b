package expr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// dateArg reads a date argument: a date value, or text parseDate reads.
// Null and "" are "no date" (ok false).
func dateArg(v Value) (t time.Time, ok bool, err error) {
	if d, isDate := v.Time(); isDate {
		return d, true, nil
	}
	s, err := scalar(v)
	if err != nil || strings.TrimSpace(s) == "" {
		return time.Time{}, false, err
	}
	t, err = parseDate(s)
	return t, err == nil, err
}

// fnCDate parses text as a date (see parseDate) and returns a UTC date
// value. Null or "" gives null.
func fnCDate(args []Value) (Value, error) {
	t, ok, err := dateArg(args[0])
	if !ok {
		return Null(), err
	}
	return Date(t), nil
}

// fnNow is the evaluation clock (Env.Now) as a UTC date value.
func fnNow(c *callCtx, _ []Value) (Value, error) {
	t := c.now()
	if !inRange(t) {
		return Null(), errDateRange
	}
	return Date(t), nil
}

// interval is a VB DateInterval code.
type interval string

// intervalArg reads an interval code: yyyy, q, m, y, d, w, ww, h, n, s, in
// any case (VB's DateAdd and DateDiff take these strings).
func intervalArg(v Value) (interval, error) {
	s, err := scalar(v)
	if err != nil {
		return "", err
	}
	iv := interval(strings.ToLower(strings.TrimSpace(s)))
	switch iv {
	case "yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s":
		return iv, nil
	}
	return "", argErr("interval must be one of yyyy, q, m, y, d, w, ww, h, n, s; got %q", s)
}

// fnDateAdd: DateAdd(interval, number, date) as VB's DateAdd: number is
// truncated toward zero; months and years are calendar arithmetic with the
// day clamped to the month's end; y, d and w are days, ww weeks.
func fnDateAdd(args []Value) (Value, error) {
	iv, err := intervalArg(args[0])
	if err != nil {
		return Null(), err
	}
	s, err := scalar(args[1])
	if err != nil {
		return Null(), err
	}
	f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if args[1].IsNull() || perr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return Null(), argErr("number must be a number, got %q", s)
	}
	n := int64(math.Trunc(math.Max(math.Min(f, 1e15), -1e15)))
	t, ok, err := dateArg(args[2])
	if !ok {
		return Null(), err
	}
	var r time.Time
	switch iv {
	case "yyyy":
		r, err = addMonths(t, clampMul(n, 12))
	case "q":
		r, err = addMonths(t, clampMul(n, 3))
	case "m":
		r, err = addMonths(t, n)
	case "y", "d", "w":
		r, err = addTicks(t, n, ticksPerDay)
	case "ww":
		r, err = addTicks(t, n, 7*ticksPerDay)
	case "h":
		r, err = addTicks(t, n, 3600*ticksPerSec)
	case "n":
		r, err = addTicks(t, n, 60*ticksPerSec)
	case "s":
		r, err = addTicks(t, n, ticksPerSec)
	}
	if err != nil {
		return Null(), argErr("%s %s from %s: %v", s, iv, renderDate(t), err)
	}
	return Date(r), nil
}

func clampMul(n, k int64) int64 {
	if n > math.MaxInt64/k || n < math.MinInt64/k {
		return math.MaxInt64
	}
	return n * k
}

// fnDateDiff: DateDiff(interval, date1, date2) as VB's DateDiff, positive
// when date2 is later. d, y, h, n and s count elapsed units truncated toward
// zero; w counts elapsed weeks; ww counts Sundays crossed (each date moved
// back to its Sunday first); m, q and yyyy compare calendar fields only.
func fnDateDiff(args []Value) (Value, error) {
	iv, err := intervalArg(args[0])
	if err != nil {
		return Null(), err
	}
	d1, ok1, err := dateArg(args[1])
	if err != nil {
		return Null(), err
	}
	d2, ok2, err := dateArg(args[2])
	if err != nil {
		return Null(), err
	}
	if !ok1 || !ok2 {
		return Null(), nil
	}
	elapsed := ticksOf(d2) - ticksOf(d1)
	var n int64
	switch iv {
	case "yyyy":
		n = int64(d2.Year() - d1.Year())
	case "q":
		n = int64((d2.Year()-d1.Year())*4 + (int(d2.Month())-1)/3 - (int(d1.Month())-1)/3)
	case "m":
		n = int64((d2.Year()-d1.Year())*12 + int(d2.Month()) - int(d1.Month()))
	case "y", "d":
		n = elapsed / ticksPerDay
	case "w":
		n = elapsed / (7 * ticksPerDay)
	case "ww":
		s1 := ticksOf(d1) - int64(d1.Weekday())*ticksPerDay
		s2 := ticksOf(d2) - int64(d2.Weekday())*ticksPerDay
		n = (s2 - s1) / (7 * ticksPerDay)
	case "h":
		n = elapsed / (3600 * ticksPerSec)
	case "n":
		n = elapsed / (60 * ticksPerSec)
	case "s":
		n = elapsed / ticksPerSec
	}
	return String(strconv.FormatInt(n, 10)), nil
}

// fnDateFromNum reads an Active Directory integer date (a Windows FILETIME:
// 100 ns ticks since 1601-01-01 UTC, as in accountExpires) as a date value.
// Null or "" gives null; 0 is 1/1/1601. Negative values and values past
// 9999 (AD's "never", 9223372036854775807) are errors: they are not dates.
func fnDateFromNum(args []Value) (Value, error) {
	if args[0].IsNullOrEmpty() {
		return Null(), nil
	}
	n, err := int64Arg(args[0], "value")
	if err != nil {
		return Null(), err
	}
	if n < 0 || n > maxFileTime {
		return Null(), argErr("%d is not a date (FILETIME 0 to %d)", n, int64(maxFileTime))
	}
	t, err := fromTicks(n + fileTimeStart)
	if err != nil {
		return Null(), err
	}
	return Date(t), nil
}

// fnNumFromDate is the inverse: a date (value or text) as a FILETIME in
// decimal, for accountExpires. Null or "" gives null.
func fnNumFromDate(args []Value) (Value, error) {
	t, ok, err := dateArg(args[0])
	if !ok {
		return Null(), err
	}
	n := ticksOf(t) - fileTimeStart
	if n < 0 {
		return Null(), argErr("%s is before 1601, the start of Windows dates", renderDate(t))
	}
	return String(strconv.FormatInt(n, 10)), nil
}

// fnFormatDateTime: FormatDateTime(source, [dateTimeStyles,] inputFormat,
// outputFormat). With three arguments the styles are the default
// (RoundtripKind, AllowLeadingWhite, AllowTrailingWhite). The source is read
// with .NET's ParseExact(source, inputFormat) and written with
// ToString(outputFormat). A date value source is first rendered
// M/d/yyyy h:mm:ss tt, as in Entra; if inputFormat does not read that
// rendering, the date itself is formatted. Null or "" gives null.
func fnFormatDateTime(c *callCtx, args []Value) (Value, error) {
	plan, _ := c.static.(*formatPlan)
	if plan == nil {
		plan = &formatPlan{}
	}
	styleArg, in, out := Null(), args[1], args[2]
	if len(args) == 4 {
		styleArg, in, out = args[1], args[2], args[3]
	}
	styles, err := plan.stylesOr(styleArg)
	if err != nil {
		return Null(), err
	}
	inFmt, err := plan.formatOr(plan.in, in, "inputFormat")
	if err != nil {
		return Null(), err
	}
	outFmt, err := plan.formatOr(plan.out, out, "outputFormat")
	if err != nil {
		return Null(), err
	}
	src := args[0]
	if src.IsNullOrEmpty() {
		return Null(), nil
	}
	text, err := scalar(src)
	if err != nil {
		return Null(), err
	}
	t, kind, err := inFmt.parse(text, styles, c.now())
	if err != nil {
		d, isDate := src.Time()
		if !isDate {
			return Null(), argErr("inputFormat: %v", err)
		}
		t, kind = d, kindUTC
	}
	return String(outFmt.format(t, kind)), nil
}

// formatPlan holds FormatDateTime's constant arguments, compiled once.
type formatPlan struct {
	styles  *dtStyles
	in, out *dotnetFormat
}

// prepFormatDateTime compiles constant styles and formats, so a bad format
// is reported when the expression is saved.
func prepFormatDateTime(args []Node) (any, error) {
	plan := &formatPlan{}
	styleNode, in, out := Node(nil), args[1], args[2]
	if len(args) == 4 {
		styleNode, in, out = args[1], args[2], args[3]
	}
	switch n := styleNode.(type) {
	case nil, *Empty:
		st := defaultStyles
		plan.styles = &st
	case *StringLit:
		st, err := parseStyles(n.Value)
		if err != nil {
			return nil, argErr("dateTimeStyles: %v", err)
		}
		plan.styles = &st
	}
	for _, f := range []struct {
		node Node
		dst  **dotnetFormat
		what string
	}{{in, &plan.in, "inputFormat"}, {out, &plan.out, "outputFormat"}} {
		if lit, ok := f.node.(*StringLit); ok {
			df, err := formatArg(String(lit.Value), f.what)
			if err != nil {
				return nil, err
			}
			*f.dst = &df
		}
	}
	return plan, nil
}

func (p *formatPlan) stylesOr(v Value) (dtStyles, error) {
	if p.styles != nil {
		return *p.styles, nil
	}
	text, err := scalar(v)
	if err != nil {
		return 0, err
	}
	st, err := parseStyles(text)
	if err != nil {
		return 0, argErr("dateTimeStyles: %v", err)
	}
	return st, nil
}

func (p *formatPlan) formatOr(f *dotnetFormat, v Value, what string) (dotnetFormat, error) {
	if f != nil {
		return *f, nil
	}
	return formatArg(v, what)
}

// prepInterval checks a constant interval of DateAdd or DateDiff.
func prepInterval(args []Node) (any, error) {
	if lit, ok := args[0].(*StringLit); ok {
		if _, err := intervalArg(String(lit.Value)); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func formatArg(v Value, what string) (dotnetFormat, error) {
	s, err := scalar(v)
	if err != nil {
		return dotnetFormat{}, err
	}
	f, err := compileFormat(s)
	if err != nil {
		return dotnetFormat{}, argErr("%s %q: %v", what, s, err)
	}
	return f, nil
}
