package expr

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "2020-03-16", want: "2020-03-16T00:00:00Z"},
		{in: " 2020/3/6 ", want: "2020-03-06T00:00:00Z"},
		{in: "2020.03.16", want: "2020-03-16T00:00:00Z"},
		{in: "2020-03-16-07:00", want: "2020-03-16T07:00:00Z"},
		{in: "2020-03-16+0530", want: "2020-03-15T18:30:00Z"},
		{in: "2020-03-16 -07", want: "2020-03-16T07:00:00Z"},
		{in: "2020-03-16T07:45", want: "2020-03-16T07:45:00Z"},
		{in: "2020-03-16t07:45:30.5Z", want: "2020-03-16T07:45:30.5Z"},
		{in: "2020-03-16T07:45:30.123456789+00:00", want: "2020-03-16T07:45:30.1234568Z"},
		{in: "2020-03-16 7:45:30 PM", want: "2020-03-16T19:45:30Z"},
		{in: "3/16/2020", want: "2020-03-16T00:00:00Z"},
		{in: "3-16-2020 12:00:00 AM", want: "2020-03-16T00:00:00Z"},
		{in: "12/31/2025 12:30 pm", want: "2025-12-31T12:30:00Z"},
		{in: "16 March 2020", want: "2020-03-16T00:00:00Z"},
		{in: "16-mar-2020", want: "2020-03-16T00:00:00Z"},
		{in: "March 16, 2020 08:00 UTC", want: "2020-03-16T08:00:00Z"},
		{in: "Monday, March 16, 2020", want: "2020-03-16T00:00:00Z"},
		{in: "Mon, 16 Mar 2020 07:45:30 GMT", want: "2020-03-16T07:45:30Z"},
		{in: "0001-01-01", want: "0001-01-01T00:00:00Z"},
		{in: "9999-12-31T23:59:59.9999999Z", want: "9999-12-31T23:59:59.9999999Z"},
		{in: "", err: "not a recognised date format"},
		{in: "20200316", err: "not a recognised date format"},
		{in: "3/16/20", err: "two-digit years"},
		{in: "16 Mar 20", err: "two-digit years"},
		{in: "2020-13-01", err: "month 13"},
		{in: "2020-02-30", err: "no day 30"},
		{in: "2020-01-01 25:00", err: "invalid time of day"},
		{in: "2020-01-01 13:00 AM", err: "hour does not fit AM/PM"},
		{in: "2020-01-01T00:00:00+14:30", err: "beyond ±14:00"},
		{in: "0001-01-01T00:00:00+01:00", err: "outside 1/1/0001"},
		{in: "2020-01-01 junk", err: `unexpected "junk"`},
		{in: "Smarch 16, 2020", err: "not a recognised date format"},
		{in: "/Date(166838400000)/", err: "not a recognised date format"},
	}
	for _, tc := range tests {
		got, err := parseDate(tc.in)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.in)
			require.ErrorIs(t, err, ErrArgument, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got.Format(time.RFC3339Nano), tc.in)
	}
}

func TestFileTimeEdges(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{`DateFromNum(0)`, "1/1/1601 12:00:00 AM"},
		{`DateFromNum(2650467743999999999)`, "12/31/9999 11:59:59 PM"},
		{`NumFromDate("9999-12-31T23:59:59.9999999Z")`, "2650467743999999999"},
		{`NumFromDate("1601-01-01")`, "0"},
		{`DateAdd("s", 1, CDate("9999-12-31T23:59:58Z"))`, "12/31/9999 11:59:59 PM"},
		{`DateDiff("yyyy", "0001-01-01", "9999-12-31")`, "9998"},
		{`DateDiff("s", "0001-01-01", "9999-12-31")`, "315537811200"},
	} {
		v, err := MustCompile(tc.src).Eval(Env{})
		require.NoError(t, err, tc.src)
		require.Equal(t, tc.want, v.AsString(), tc.src)
	}
	_, err := MustCompile(`DateFromNum(2650467744000000000)`).Eval(Env{})
	require.ErrorIs(t, err, ErrArgument)
	_, err = MustCompile(`DateAdd("s", 2, CDate("9999-12-31T23:59:58Z"))`).Eval(Env{})
	require.ErrorIs(t, err, ErrArgument)
}

// TestVectorsCoverEveryFunction: every function of the language appears in
// at least three vectors, and every vector names a known function.
func TestVectorsCoverEveryFunction(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.json"))
	require.NoError(t, err)
	uses := map[string]int{}
	call := regexp.MustCompile(`([A-Za-z][A-Za-z0-9]*)\s*\(`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var vs []struct{ Expr string }
		require.NoError(t, json.Unmarshal(b, &vs), f)
		for _, v := range vs {
			seen := map[string]bool{}
			for _, m := range call.FindAllStringSubmatch(stripStrings(v.Expr), -1) {
				seen[m[1]] = true
			}
			for name := range seen {
				uses[name]++
			}
		}
	}
	for _, b := range builtinList {
		if b.prep != nil && strings.Contains(b.name, "AppRole") {
			continue // outbound only: a compile error, tested in TestCompileErrors
		}
		require.GreaterOrEqual(t, uses[b.name], 3, "%s needs at least three vectors", b.name)
	}
	for name := range uses {
		_, ok := builtins[name]
		require.True(t, ok, "vectors call unknown function %s", name)
	}
}

// stripStrings blanks out string constants so text like "f(x)" inside them
// is not taken for a call.
func stripStrings(src string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
			b.WriteByte(c)
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}
