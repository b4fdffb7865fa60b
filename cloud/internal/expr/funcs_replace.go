package expr

import (
	"errors"
	"fmt"
	"strings"
)

// The argument slots of Replace, with Graph's parameter names.
const (
	rSource      = iota // source
	rFind               // Find (oldValue)
	rRegex              // RegularExpression
	rGroup              // RegularExpressionGroupName
	rReplacement        // Replacement (replacementValue)
	rProperty           // ReplacementPropertyName (replacementAttributeName)
	rTemplate           // Template
)

// replaceMode is which of Replace's documented behaviours a call asks for,
// decided by which slots are written (not by their run-time values).
type replaceMode uint8

const (
	modeFind     replaceMode = iota + 1 // oldValue + replacementValue
	modeTemplate                        // oldValue + template
	modeRegex                           // regexPattern + replacementValue
	modeGroup                           // regexPattern + regexGroupName + replacementValue
	modeFallback                        // regexPattern + regexGroupName + replacementAttributeName
)

// replacePlan is what prepReplace works out at compile time.
type replacePlan struct {
	mode  replaceMode
	regex *dotnetRegex // set when the pattern is a constant
}

func replaceModeOf(given func(int) bool) (replaceMode, error) {
	find, re, group, repl, prop, tmpl := given(rFind), given(rRegex), given(rGroup), given(rReplacement), given(rProperty), given(rTemplate)
	switch {
	case find && re:
		return 0, errors.New("give either oldValue (2nd) or regexPattern (3rd), not both")
	case re && tmpl:
		return 0, errors.New("template (7th) works with oldValue (2nd), not with regexPattern")
	case re && prop && !group:
		return 0, errors.New("replacementAttributeName (6th) needs regexGroupName (4th)")
	case re && prop && repl:
		return 0, errors.New("give either replacementValue (5th) or replacementAttributeName (6th), not both")
	case re && prop:
		return modeFallback, nil
	case re && repl && group:
		return modeGroup, nil
	case re && repl:
		return modeRegex, nil
	case re:
		return 0, errors.New("regexPattern (3rd) needs replacementValue (5th), or regexGroupName (4th) and replacementAttributeName (6th)")
	case find && (group || prop):
		return 0, errors.New("regexGroupName and replacementAttributeName work with regexPattern (3rd), not with oldValue")
	case find && tmpl && repl:
		return 0, errors.New("give either replacementValue (5th) or template (7th), not both")
	case find && tmpl:
		return modeTemplate, nil
	case find && repl:
		return modeFind, nil
	case find:
		return 0, errors.New("oldValue (2nd) needs replacementValue (5th) or template (7th)")
	}
	return 0, errors.New("give oldValue (2nd argument) or regexPattern (3rd argument)")
}

// prepReplace decides the mode and compiles a constant pattern once.
func prepReplace(args []Node) (any, error) {
	given := func(i int) bool { _, empty := args[i].(*Empty); return !empty }
	mode, err := replaceModeOf(given)
	if err != nil {
		return nil, err
	}
	plan := &replacePlan{mode: mode}
	if lit, ok := args[rFind].(*StringLit); ok && lit.Value == "" {
		return nil, errors.New("oldValue must not be empty")
	}
	if lit, ok := args[rRegex].(*StringLit); ok {
		if plan.regex, err = compileDotnetRegex(lit.Value); err != nil {
			return nil, err
		}
		if g, ok := args[rGroup].(*StringLit); ok {
			if _, ok := plan.regex.group(g.Value); !ok {
				return nil, fmt.Errorf("regexGroupName %q: the regular expression has no such group", g.Value)
			}
		}
	}
	return plan, nil
}

// fnReplace: Replace(source, oldValue, regexPattern, regexGroupName,
// replacementValue, replacementAttributeName, template), case-sensitive.
// Which slots are written selects the behaviour:
//
//   - oldValue, replacementValue: every oldValue in source is replaced.
//   - oldValue, template: every oldValue in template is replaced by source.
//   - regexPattern, replacementValue: .NET Regex.Replace, with $1, ${name},
//     $$, $&, $`, $', $+ and $_ in replacementValue.
//   - regexPattern, regexGroupName, replacementValue: in every match, the
//     text the group captured is replaced by replacementValue (literally).
//   - regexPattern, regexGroupName, replacementAttributeName: source if it
//     has a value; otherwise the group's capture in the first match of the
//     pattern in replacementAttributeName's value (null if none).
//
// A null source gives null; a multi-valued source is replaced value by
// value (except with a template or a fallback, which need one value).
func fnReplace(c *callCtx, args []Value) (Value, error) {
	plan := c.static.(*replacePlan)
	re := plan.regex
	if re == nil && plan.mode >= modeRegex {
		pattern, err := scalar(args[rRegex])
		if err != nil {
			return Null(), err
		}
		if args[rRegex].IsNull() {
			return Null(), argErr("regexPattern is null")
		}
		if re, err = compileDotnetRegex(pattern); err != nil {
			return Null(), argErr("%v", err)
		}
	}
	switch plan.mode {
	case modeTemplate:
		return replaceTemplate(args)
	case modeFallback:
		return replaceFallback(re, args)
	}
	repl, err := scalar(args[rReplacement])
	if err != nil {
		return Null(), err
	}
	var each func(string) (string, error)
	switch plan.mode {
	case modeFind:
		old, err := scalar(args[rFind])
		if err != nil {
			return Null(), err
		}
		if old == "" {
			return Null(), argErr("oldValue is empty")
		}
		each = func(s string) (string, error) { return replaceLimited(s, old, repl) }
	case modeRegex:
		sub := re.parseSubstitution(repl)
		lastGroup := re.groups[len(re.groups)-1]
		each = func(s string) (string, error) {
			return re.replaceAll(s, func(b *strings.Builder, m []int) { sub.expand(b, s, m, lastGroup) })
		}
	case modeGroup:
		g, err := groupArg(re, args[rGroup])
		if err != nil {
			return Null(), err
		}
		each = func(s string) (string, error) {
			return re.replaceAll(s, func(b *strings.Builder, m []int) {
				if m[2*g] < 0 {
					b.WriteString(s[m[0]:m[1]])
					return
				}
				b.WriteString(s[m[0]:m[2*g]])
				b.WriteString(repl)
				b.WriteString(s[m[2*g+1]:m[1]])
			})
		}
	}
	return mapEachErr(args[rSource], each)
}

// replaceLimited is strings.ReplaceAll that refuses to build a value past
// the size limit.
func replaceLimited(s, old, repl string) (string, error) {
	if n := strings.Count(s, old); len(repl) > len(old) && len(s)+n*(len(repl)-len(old)) > MaxValueBytes {
		return "", fmt.Errorf("%w: replacement result longer than %d bytes", ErrValueTooLarge, MaxValueBytes)
	}
	return strings.ReplaceAll(s, old, repl), nil
}

func replaceTemplate(args []Value) (Value, error) {
	if args[rSource].IsNull() || args[rTemplate].IsNull() {
		return Null(), nil
	}
	src, err := scalar(args[rSource])
	if err != nil {
		return Null(), err
	}
	old, err := scalar(args[rFind])
	if err != nil {
		return Null(), err
	}
	tmpl, err := scalar(args[rTemplate])
	if err != nil {
		return Null(), err
	}
	if old == "" {
		return Null(), argErr("oldValue is empty")
	}
	out, err := replaceLimited(tmpl, old, src)
	if err != nil {
		return Null(), err
	}
	return String(out), nil
}

func replaceFallback(re *dotnetRegex, args []Value) (Value, error) {
	if !args[rSource].IsNullOrEmpty() {
		return args[rSource], nil
	}
	g, err := groupArg(re, args[rGroup])
	if err != nil {
		return Null(), err
	}
	if args[rProperty].IsNull() {
		return Null(), nil
	}
	s, err := scalar(args[rProperty])
	if err != nil {
		return Null(), err
	}
	m := re.re.FindStringSubmatchIndex(s)
	if m == nil || m[2*g] < 0 {
		return Null(), nil
	}
	return String(s[m[2*g]:m[2*g+1]]), nil
}

func groupArg(re *dotnetRegex, v Value) (int, error) {
	name, err := scalar(v)
	if err != nil {
		return 0, err
	}
	g, ok := re.group(name)
	if !ok {
		return 0, argErr("regexGroupName %q: the regular expression has no such group", name)
	}
	return g, nil
}

// mapEachErr applies f to every value of v; null stays null.
func mapEachErr(v Value, f func(string) (string, error)) (Value, error) {
	var err error
	out := mapEach(v, func(s string) string {
		if err != nil {
			return ""
		}
		r, e := f(s)
		err = e
		return r
	})
	if err != nil {
		return Null(), err
	}
	return out, nil
}
