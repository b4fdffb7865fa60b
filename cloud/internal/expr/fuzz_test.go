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
		checkEval(t, p, Env{Attrs: attrs("a", "x,y", "b", "")})
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
		checkEval(t, p, Env{Attrs: map[string]Value{
			"a": String(a),
			"b": String(multi),
			"p": Multi(strings.Split(multi, ",")),
		}})
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
