package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	`Switch([active], , "False", "True", "True", "False")`,
	`Left(Item(Split([userName], "@"), 1), 20)`,
	`IIF([a]="x", IgnoreFlowIfNullOrEmpty([b]), Join(",", [p], "z"))`,
	`Coalesce([displayName], Join(" ", [name.givenName], [name.familyName]))`,
	`NormalizeDiacritics(ToLower(StripSpaces(Trim([a])), "tr-TR"))`,
	`[emails[type eq "work"].value]`,
	`Mid([a], "2", &H3)`,
	`"unterminated`,
	`Join(",", [a]`,
	`F(,,,)`,
	strings.Repeat("Trim(", MaxDepth+5) + "[a]" + strings.Repeat(")", MaxDepth+5),
	strings.Repeat("[", 5000),
	strings.Repeat("Join([a],", 150) + "[a]" + strings.Repeat(",Split([a],\"x\"))", 150),
	`Replace([a], , "(?<g>\\w+)@(.)*", "g", "x", , )`,
	`Replace([a], , [b], , "$1${g}$$$&", , )`,
	`Replace([a], "x", , , , , "<x>@<x>")`,
	`Replace([a], , "(?<g>\\d+)", "g", , [b], )`,
	`FormatDateTime([a], , "yyyy-MM-ddzzz", "dddd, MMMM d, yyyy h:mm:ss.FFFFFFF tt K")`,
	`FormatDateTime([a], [b], "M/d/yyyy hh:mm:ss tt", "o")`,
	`FormatDateTime(Now(), , [b], "yyyyMMddHHmmss.fZ")`,
	`NumFromDate(DateAdd("ww", -3, CDate([a])))`,
	`DateDiff("ww", Now(), DateFromNum([a]))`,
	`SelectUniqueValue(ToLower([a]), Join(".", [a], [b]), Redact([b]))`,
	`RandomString(256, 64, 64, 64, 64, [a])`,
	`RandomString([a], 1, 1, 1, 1)`,
	`PCase(Word([a], 2, [b]), [b])`,
	`InStr([a], [b], 3, vbTextCompare)`,
	`ConvertFromBase64(ConvertToBase64([a]), "UTF8")`,
	`BitAnd([a], &HFFFF)`,
	`DNComponent([a], 2)`,
	`StringFromSid([a])`,
	`RemoveDuplicates(Split([a], ","))`,
	`IIF(CBool([a]), IgnoreAttributeFlow, CStr(IsString([b])))`,
}

// FuzzCompile: no input panics the compiler, errors are *SyntaxError with a
// position inside the source, and accepted programs evaluate without panic.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		defer checkFast(t, time.Now(), src)
		p, err := Compile(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q): error %T is not *SyntaxError", src, err)
			}
			if se.Pos.Offset < 0 || se.Pos.Offset > len(src) || se.Pos.Line < 1 || se.Pos.Col < 1 {
				t.Fatalf("Compile(%q): position %+v outside the source", src, se.Pos)
			}
			return
		}
		checkEval(t, p, fuzzEnv(attrs("a", "x,y", "b", "")))
	})
}

// FuzzEval: hostile attribute values never panic an evaluation nor make it
// produce a value beyond the budget.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "Søren Kjær", "a,b,,c")
	}
	f.Add(`Join([a], [p], [p], [p])`, strings.Repeat("x", 1<<16), strings.Repeat(",", 9000))
	f.Add(`Item(Split([a], [b]), Count([p]))`, "a\x00b", "")
	f.Fuzz(func(t *testing.T, src, a, multi string) {
		defer checkFast(t, time.Now(), src)
		p, err := Compile(src)
		if err != nil {
			return
		}
		checkEval(t, p, fuzzEnv(map[string]Value{
			"a": String(a),
			"b": String(multi),
			"p": Multi(strings.Split(multi, ",")),
		}))
	})
}

// fuzzEnv is an environment with every optional part set.
func fuzzEnv(attrs map[string]Value) Env {
	return Env{
		Attrs:         attrs,
		Now:           func() time.Time { return time.Date(2024, 9, 2, 8, 30, 0, 0, time.UTC) },
		Unique:        &recordingOracle{answer: 0},
		Target:        "userPrincipalName",
		DefaultDomain: "contoso.com",
	}
}

// FuzzRegex: any pattern either fails to translate with an error or runs a
// bounded .NET-style replacement; nothing panics or runs long.
func FuzzRegex(f *testing.F) {
	for _, s := range []string{`\d+`, `(?<n>\w+)@(.)*`, `a*`, `^(\s*)$`, `[^\W]`, `(?i)é?`, `[a-z-[aeiou]]`, `(a|b)*c{2,5}?`, `\p{Lu}\P{L}`, `(((a*)*)*)*b`} {
		f.Add(s, "Søren-Kjær 42 aaaa", "$1-${n}$$$&")
	}
	f.Fuzz(func(t *testing.T, pattern, in, repl string) {
		defer checkFast(t, time.Now(), pattern)
		re, err := compileDotnetRegex(pattern)
		if err != nil {
			return
		}
		sub := re.parseSubstitution(repl)
		last := re.groups[len(re.groups)-1]
		out, err := re.replaceAll(in, func(b *strings.Builder, m []int) { sub.expand(b, in, m, last) })
		if err == nil && len(out) > MaxValueBytes+len(in)+len(repl) {
			t.Fatalf("%q on %q: %d bytes escaped the limit", pattern, in, len(out))
		}
	})
}

// FuzzDateFormat: .NET format strings of any shape parse and format without
// panicking, and output stays proportional to the format.
func FuzzDateFormat(f *testing.F) {
	for _, s := range [][3]string{
		{"20150123105347.1Z", "yyyyMMddHHmmss.fZ", "yyyy-MM-dd"},
		{"2020-12-31-08:00", "yyyy-MM-ddzzz", "dddd, MMMM d, yyyy"},
		{"12/31/2025 12:00:00 AM", "M/d/yyyy hh:mm:ss tt", "o"},
		{"Fri, 23 Jan 2015 10:53:47 GMT", "R", "%d 'of' MMMM \\ K"},
		{"23 JANUARY 15", "d MMMM yy", "FFFFFFF fffffff gg"},
		{"", "%", "\\"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, text, in, out string) {
		defer checkFast(t, time.Now(), in+"|"+out)
		inFmt, err := compileFormat(in)
		if err != nil {
			return
		}
		tm, kind, err := inFmt.parse(text, defaultStyles, time.Date(2024, 9, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			tm, kind = time.Date(2015, 1, 23, 10, 53, 47, 123456700, time.UTC), kindUTC
		}
		if !inRange(tm) {
			t.Fatalf("%q with %q gave %v outside the DateTime range", text, in, tm)
		}
		outFmt, err := compileFormat(out)
		if err != nil {
			return
		}
		if s := outFmt.format(tm, kind); len(s) > 40*len(out)+64 {
			t.Fatalf("format %q gave %d bytes", out, len(s))
		}
	})
}

// FuzzParseDate: CDate never panics, and a date it reads reads back the
// same from its own rendering (to the second).
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2020-03-16-07:00", "2009-06-15T01:45:30.1234567-07:00", "12/31/2025 12:00:00 AM",
		"Mon, 15 Jun 2009 20:45:30 GMT", "June 15, 2009", "15-Jun-2009 3:04 PM", "0001-01-01", "9999-12-31T23:59:59Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer checkFast(t, time.Now(), s)
		tm, err := parseDate(s)
		if err != nil {
			return
		}
		back, err := parseDate(renderDate(tm))
		if err != nil || !back.Equal(tm.Truncate(time.Second)) {
			t.Fatalf("%q → %s → %v, %v", s, renderDate(tm), back, err)
		}
	})
}

func checkEval(t *testing.T, p *Program, env Env) {
	t.Helper()
	v, err := p.Eval(env)
	if err != nil {
		var ee *EvalError
		if !errors.Is(err, ErrIgnoreFlow) && !errors.As(err, &ee) {
			t.Fatalf("Eval(%q): error %T is neither ErrIgnoreFlow nor *EvalError: %v", p.Source(), err, err)
		}
		return
	}
	if v.size() > 2*MaxValueBytes || v.Len() > MaxValues {
		t.Fatalf("Eval(%q): value of %d bytes, %d values escaped the budget", p.Source(), v.size(), v.Len())
	}
}

// checkFast fails inputs that take far longer than any legitimate
// expression (microseconds to a few milliseconds): work must stay bounded.
func checkFast(t *testing.T, start time.Time, src string) {
	t.Helper()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("%q took %v", src, d)
	}
}
