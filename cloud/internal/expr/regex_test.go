package expr

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTranslateRegex(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: `\d+`, want: `[\p{Nd}]+`},
		{in: `[\d.]`, want: `[\p{Nd}.]`},
		{in: `\D\W\S`, want: `\P{Nd}[^\p{L}\p{Mn}\p{Nd}\p{Pc}][^\f\n\r\t\v\x{85}\p{Z}]`},
		{in: `[^\w-]`, want: `[^\p{L}\p{Mn}\p{Nd}\p{Pc}-]`},
		{in: `(?<first>a)(?'second'b)`, want: `(?P<first>a)(?P<second>b)`},
		{in: `(?:a)(?i)b(?s:.)`, want: `(?:a)(?i)b(?s:.)`},
		{in: `a(?#note)b`, want: `ab`},
		{in: `[[:alpha:]]`, want: `[\[:alpha:]]`},
		{in: `\u00e9\x41\e\cA`, want: `\x{E9}\x{41}\x{1B}\x{1}`},
		{in: `\p{Lu}\P{L}`, want: `\p{Lu}\P{L}`},
		{in: `[\b]`, want: `[\x08]`},
		{in: `a\Z`, want: `a\z`},
		{in: `\ \#`, want: `\x{20}\x{23}`},
		{in: `[]a]`, want: `[]a]`},
		{in: `a(?=b)`, err: "lookaround (?=…) is not supported"},
		{in: `(?<!a)b`, err: "lookaround (?<!…) is not supported"},
		{in: `(?>a)`, err: "atomic groups"},
		{in: `(?(a)b|c)`, err: "conditionals"},
		{in: `(a)\1`, err: "backreferences"},
		{in: `\k<x>`, err: `\k is not supported`},
		{in: `\bword`, err: "word boundaries"},
		{in: `(?x) a`, err: "option (?x) is not supported"},
		{in: `(?<a-b>x)`, err: `group name "a-b"`},
		{in: `(?<1>x)`, err: `group name "1"`},
		{in: `[a-z-[aeiou]]`, err: "subtraction"},
		{in: `[\W]`, err: `\W inside [...]`},
		{in: `\q`, err: `unknown escape \q`},
		{in: `a\`, err: "ends with a backslash"},
		{in: `[abc`, err: "missing ]"},
	}
	for _, tc := range tests {
		got, err := translateRegex(tc.in)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
		_, err = compileDotnetRegex(tc.in)
		require.NoError(t, err, tc.in)
	}
}

func TestDotnetGroupNumbers(t *testing.T) {
	re, err := compileDotnetRegex(`(?<year>\d{4})-(\d\d)-(?<day>\d\d)(x)?`)
	require.NoError(t, err)
	// .NET: 1 = (\d\d), 2 = (x), 3 = year, 4 = day. Go: 1 year, 2, 3 day, 4.
	require.Equal(t, []int{0, 2, 4, 1, 3}, re.groups)
	for ref, want := range map[string]int{"0": 0, "1": 2, "3": 1, "year": 1, "day": 3} {
		g, ok := re.group(ref)
		require.True(t, ok, ref)
		require.Equal(t, want, g, ref)
	}
	for _, ref := range []string{"5", "Year", "", "-1", "01x"} {
		_, ok := re.group(ref)
		require.False(t, ok, ref)
	}
}

func TestReplaceAllMatchesLikeDotnet(t *testing.T) {
	tests := []struct{ pattern, in, repl, want string }{
		{`a*`, "baaac", "-", "-b--c-"},
		{`x*`, "abc", "-", "-a-b-c-"},
		{`^a`, "aaa", "b", "baa"},
		{`\Aa|c`, "aac", "#", "#a#"},
		{`$`, "ab", "!", "ab!"},
		{`é?`, "éa", "-", "--a-"},
		{`(?<n>\d)`, "a1b2", "<${n}>", "a<1>b<2>"},
		{`(\w+)@(\w+)`, "jo@contoso", "$2\\$1", `contoso\jo`},
		{`b`, "abc", "$+|$0|${0}", "ab|b|bc"},
		{`(a)|(b)`, "b", "[$1]", "[]"},
		{`(a)`, "a", "${1", "${1"},
		{`(a)`, "a", "$x$", "$x$"},
	}
	for _, tc := range tests {
		re, err := compileDotnetRegex(tc.pattern)
		require.NoError(t, err, tc.pattern)
		sub := re.parseSubstitution(tc.repl)
		last := re.groups[len(re.groups)-1]
		got, err := re.replaceAll(tc.in, func(b *strings.Builder, m []int) { sub.expand(b, tc.in, m, last) })
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%s on %q with %q", tc.pattern, tc.in, tc.repl)
	}
}
