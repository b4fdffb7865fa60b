package exprtest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// verify returns "" when v meets every constraint, else what failed.
func (c *Check) verify(v expr.Value) string {
	if v.Kind() == expr.KindNull || v.Len() != 1 {
		return fmt.Sprintf("check needs one value, got %s", render(v))
	}
	s := v.AsString()
	var fails []string
	if c.Regex != "" {
		re, err := regexp.Compile(c.Regex)
		switch {
		case err != nil:
			fails = append(fails, "bad regex: "+err.Error())
		case !re.MatchString(s):
			fails = append(fails, fmt.Sprintf("does not match %q", c.Regex))
		}
	}
	if c.Length != nil && utf8.RuneCountInString(s) != *c.Length {
		fails = append(fails, fmt.Sprintf("length %d, want %d", utf8.RuneCountInString(s), *c.Length))
	}
	var digits, special, upper, lower int
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		default:
			special++
		}
	}
	for _, m := range []struct {
		name      string
		got, want int
	}{{"digits", digits, c.MinDigits}, {"special characters", special, c.MinSpecial}, {"capitals", upper, c.MinUpper}, {"lower-case letters", lower, c.MinLower}} {
		if m.got < m.want {
			fails = append(fails, fmt.Sprintf("%d %s, want at least %d", m.got, m.name, m.want))
		}
	}
	if c.Avoid != "" && strings.ContainsAny(s, c.Avoid) {
		fails = append(fails, fmt.Sprintf("contains one of %q", c.Avoid))
	}
	return strings.Join(fails, "; ")
}
