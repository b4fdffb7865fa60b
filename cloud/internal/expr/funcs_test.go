package expr

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runEnvCases is runEvalCases with a full environment.
func evalIn(t *testing.T, src string, env Env) (Value, error) {
	t.Helper()
	p, err := Compile(src)
	require.NoError(t, err)
	return p.Eval(env)
}

func TestEvalErrors(t *testing.T) {
	big := strings.Repeat("x", 300)
	runEvalCases(t, []evalCase{
		{name: "CDate garbage", src: `CDate("next tuesday")`, wantErr: ErrArgument},
		{name: "CDate two-digit year", src: `CDate("3/16/20")`, wantErr: ErrArgument},
		{name: "CDate no such day", src: `CDate("2021-02-29")`, wantErr: ErrArgument},
		{name: "CDate time only", src: `CDate("10:30")`, wantErr: ErrArgument},
		{name: "CDate offset too large", src: `CDate("2020-01-01T00:00:00+15:00")`, wantErr: ErrArgument},
		{name: "CDate 24 o'clock", src: `CDate("2020-01-01 24:00")`, wantErr: ErrArgument},
		{name: "CDate 13 PM", src: `CDate("1/1/2020 13:00 AM")`, wantErr: ErrArgument},
		{name: "DateAdd bad interval", src: `DateAdd([i], 1, Now())`, attrs: attrs("i", "fortnight"), wantErr: ErrArgument},
		{name: "DateAdd bad number", src: `DateAdd("d", "x", Now())`, wantErr: ErrArgument},
		{name: "DateAdd past 9999", src: `DateAdd("yyyy", 9000, Now())`, wantErr: ErrArgument},
		{name: "DateAdd huge days", src: `DateAdd("d", 99999999999, Now())`, wantErr: ErrArgument},
		{name: "DateDiff bad date", src: `DateDiff("d", "x", Now())`, wantErr: ErrArgument},
		{name: "DateFromNum never", src: `DateFromNum(9223372036854775807)`, wantErr: ErrArgument},
		{name: "DateFromNum negative", src: `DateFromNum(-1)`, wantErr: ErrArgument},
		{name: "DateFromNum text", src: `DateFromNum("soon")`, wantErr: ErrArgument},
		{name: "NumFromDate before 1601", src: `NumFromDate("1600-12-31")`, wantErr: ErrArgument},
		{name: "FormatDateTime no match", src: `FormatDateTime("2020/01/01", , "yyyy-MM-dd", "yyyyMMdd")`, wantErr: ErrArgument},
		{name: "FormatDateTime wrong weekday", src: `FormatDateTime("Mon 2015-01-23", , "ddd yyyy-MM-dd", "d")`, wantErr: ErrArgument},
		{name: "FormatDateTime leftover text", src: `FormatDateTime("2015-01-23x", , "yyyy-MM-dd", "d")`, wantErr: ErrArgument},
		{name: "FormatDateTime no white space with None", src: `FormatDateTime(" 2015-01-23", "None", "yyyy-MM-dd", "d")`, wantErr: ErrArgument},
		{name: "FormatDateTime huge format", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", [f])`, attrs: attrs("f", strings.Repeat("y", MaxFormatLength+1)), wantErr: ErrArgument},
		{name: "FormatDateTime hour for AM", src: `FormatDateTime("13:00 AM", , "H:mm tt", "t")`, wantErr: ErrArgument},
		{name: "Replace dynamic lookbehind", src: `Replace("ab", , [p], , "x", , )`, attrs: attrs("p", "(?<=a)b"), wantErr: ErrArgument},
		{name: "Replace dynamic backreference", src: `Replace("aa", , [p], , "x", , )`, attrs: attrs("p", `(a)\1`), wantErr: ErrArgument},
		{name: "Replace word boundary", src: `Replace("a b", , [p], , "x", , )`, attrs: attrs("p", `\bb`), wantErr: ErrArgument},
		{name: "Replace class subtraction", src: `Replace("a b", , [p], , "x", , )`, attrs: attrs("p", `[a-z-[aeiou]]`), wantErr: ErrArgument},
		{name: "Replace multiline option", src: `Replace("a", , [p], , "x", , )`, attrs: attrs("p", `(?m)^a`), wantErr: ErrArgument},
		{name: "Replace pattern too long", src: `Replace("a", , [p], , "x", , )`, attrs: attrs("p", strings.Repeat("a", MaxPatternLength+1)), wantErr: ErrArgument},
		{name: "Replace null pattern", src: `Replace("a", , [p], , "x", , )`, wantErr: ErrArgument},
		{name: "Replace unknown dynamic group", src: `Replace("a", , "(a)", [g], "x", , )`, attrs: attrs("g", "nope"), wantErr: ErrArgument},
		{name: "Replace empty dynamic find", src: `Replace("a", [f], , , "x", , )`, attrs: attrs("f", ""), wantErr: ErrArgument},
		{name: "Replace result over the limit", src: `Replace([a], , "", , [a], , )`, attrs: attrs("a", strings.Repeat("y", 2000)), wantErr: ErrValueTooLarge},
		{name: "Replace value too long for a regex", src: `Replace([a], , "(?:b*c)?", , "", , )`, attrs: attrs("a", strings.Repeat("b", 100000)), wantErr: ErrValueTooLarge},
		{name: "RandomString over the cap at run time", src: `RandomString([n], 0, 0, 0, 0)`, attrs: attrs("n", "100000"), wantErr: ErrArgument},
		{name: "RandomString avoids a whole class", src: `RandomString(4, [n], 0, 0, 0, "0123456789")`, attrs: attrs("n", "1"), wantErr: ErrArgument},
		{name: "RandomString negative minimum", src: `RandomString(4, [n], 0, 0, 0)`, attrs: attrs("n", "-1"), wantErr: ErrArgument},
		{name: "InStr start 0", src: `InStr("abc", "a", 0)`, wantErr: ErrArgument},
		{name: "InStr bad compare", src: `InStr("abc", "a", 1, "2")`, wantErr: ErrArgument},
		{name: "BitAnd text", src: `BitAnd("x", 1)`, wantErr: ErrArgument},
		{name: "CBool text", src: `CBool("maybe")`, wantErr: ErrArgument},
		{name: "CStr of several values", src: `CStr([p])`, attrs: map[string]Value{"p": Multi([]string{"a", "b"})}, wantErr: ErrArgument},
		{name: "ConvertFromBase64 garbage", src: `ConvertFromBase64("***")`, wantErr: ErrArgument},
		{name: "ConvertFromBase64 bad encoding", src: `ConvertFromBase64("SGk=", "EBCDIC")`, wantErr: ErrArgument},
		{name: "StringFromSid not a SID", src: `StringFromSid("SGk=")`, wantErr: ErrArgument},
		{name: "DNComponent bad DN", src: `DNComponent("not a dn", 1)`, wantErr: ErrArgument},
		{name: "DNComponent zero", src: `DNComponent("cn=a", 0)`, wantErr: ErrArgument},
		{name: "Error", src: `IIF([a]="ok", "fine", Error("unknown status"))`, wantErr: ErrRaised},
		{name: "DefaultDomain unconfigured", src: `DefaultDomain()`, wantErr: ErrNotConfigured},
		{name: "SelectUniqueValue without oracle", src: `SelectUniqueValue("a", "b")`, wantErr: ErrNotConfigured},
		{name: "comparison of several values", src: `[p]="a"`, attrs: map[string]Value{"p": Multi([]string{"a", big})}, wantErr: ErrArgument},
	})
}

// TestCompileTimeArgumentErrors: constant arguments that can never work are
// reported when the expression is compiled (saved), with a position.
func TestCompileTimeArgumentErrors(t *testing.T) {
	tests := []struct{ name, src string }{
		{name: "FormatDateTime unknown standard format", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "x")`},
		{name: "FormatDateTime unterminated quote", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "yyyy'x")`},
		{name: "FormatDateTime trailing backslash", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "yyyy\\")`},
		{name: "FormatDateTime lone percent", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "%")`},
		{name: "FormatDateTime eight fraction digits", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "ffffffff")`},
		{name: "FormatDateTime empty format", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "")`},
		{name: "FormatDateTime bad styles", src: `FormatDateTime("2015-01-23", "Sideways", "yyyy-MM-dd", "d")`},
		{name: "FormatDateTime clashing styles", src: `FormatDateTime("2015-01-23", "RoundtripKind, AssumeLocal", "yyyy-MM-dd", "d")`},
		{name: "FormatDateTime huge format", src: `FormatDateTime("2015-01-23", , "yyyy-MM-dd", "` + strings.Repeat("y", MaxFormatLength+1) + `")`},
		{name: "DateAdd bad constant interval", src: `DateAdd("fortnight", 1, Now())`},
		{name: "DateDiff bad constant interval", src: `DateDiff("days", Now(), Now())`},
	}
	for _, tc := range tests {
		_, err := Compile(tc.src)
		require.ErrorIs(t, err, ErrArgument, tc.name)
		var se *SyntaxError
		require.ErrorAs(t, err, &se, tc.name)
	}
	// The same arguments from attributes fail at run time.
	_, err := MustCompile(`FormatDateTime("2015-01-23", [s], "yyyy-MM-dd", [f])`).Eval(Env{Attrs: attrs("s", "", "f", "x")})
	require.ErrorIs(t, err, ErrArgument)
	_, err = MustCompile(`FormatDateTime("2015-01-23", [s], "yyyy-MM-dd", [f])`).Eval(Env{Attrs: attrs("s", "Sideways", "f", "d")})
	require.ErrorIs(t, err, ErrArgument)
	v, err := MustCompile(`FormatDateTime("2015-01-23", [s], "yyyy-MM-dd", [f])`).Eval(Env{Attrs: attrs("s", "None", "f", "MMM d")})
	require.NoError(t, err)
	require.Equal(t, "Jan 23", v.AsString())
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		src  string
		env  Env
		want string
	}{
		{`Error(Join(" ", "no OU for", [d]))`, Env{Attrs: attrs("d", "Sales")}, "1:1: Error: error raised by the expression: no OU for Sales"},
		{`CDate("3/16/20")`, Env{}, `1:1: CDate: invalid argument: cannot read "3/16/20" as a date: two-digit years are ambiguous: write the year in full`},
		{`FormatDateTime("2015/01/23", , "yyyy-MM-dd", "d")`, Env{}, `1:1: FormatDateTime: invalid argument: inputFormat: "2015/01/23" does not match the format at character 5: expected "-"`},
		{`DefaultDomain()`, Env{}, "1:1: DefaultDomain: not configured: DefaultDomain() needs the job's default domain (Entra's is the tenant's verified domain; hrsync has none unless configured)"},
		{`SelectUniqueValue("a", "B")`, Env{Unique: takenOracle{}, Target: "sAMAccountName"}, "1:1: SelectUniqueValue: every unique value candidate is taken: sAMAccountName already used: a, B"},
	}
	for _, tc := range tests {
		_, err := evalIn(t, tc.src, tc.env)
		require.EqualError(t, err, tc.want)
	}
}

type takenOracle struct{}

func (takenOracle) FirstFree(string, []string) (int, error) { return -1, nil }

// recordingOracle answers from a fixed index and records its calls.
type recordingOracle struct {
	answer int
	err    error
	calls  []string // attribute: candidates
}

func (o *recordingOracle) FirstFree(attribute string, candidates []string) (int, error) {
	o.calls = append(o.calls, attribute+": "+strings.Join(candidates, ","))
	return o.answer, o.err
}

func TestSelectUniqueValueAsksOnce(t *testing.T) {
	errDown := errors.New("domain controller unreachable")
	tests := []struct {
		name    string
		src     string
		oracle  *recordingOracle
		want    Value
		wantErr error
		calls   []string
	}{
		{name: "one batched call, nulls, empties and case duplicates dropped",
			src:    `SelectUniqueValue([a], [missing], "", Join(".", [a], "x"), ToUpper([a]), "j.x")`,
			oracle: &recordingOracle{answer: 1}, want: String("j.x"),
			calls: []string{"userPrincipalName: j,j.x"}},
		{name: "first free", src: `SelectUniqueValue("a", "b")`, oracle: &recordingOracle{answer: 0}, want: String("a"),
			calls: []string{"userPrincipalName: a,b"}},
		{name: "exhausted escrows", src: `SelectUniqueValue("a", "b")`, oracle: &recordingOracle{answer: -1}, wantErr: ErrUniqueExhausted,
			calls: []string{"userPrincipalName: a,b"}},
		{name: "oracle failure is wrapped", src: `SelectUniqueValue("a", "b")`, oracle: &recordingOracle{err: errDown}, wantErr: errDown,
			calls: []string{"userPrincipalName: a,b"}},
		{name: "nonsense answer", src: `SelectUniqueValue("a", "b")`, oracle: &recordingOracle{answer: 2}, wantErr: nil,
			calls: []string{"userPrincipalName: a,b"}},
		{name: "no candidates: no call", src: `SelectUniqueValue([x], [y])`, oracle: &recordingOracle{}, want: Null()},
		{name: "untaken IIF branch: no call", src: `IIF("True", "kept", SelectUniqueValue("a", "b"))`, oracle: &recordingOracle{}, want: String("kept")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := evalIn(t, tc.src, Env{Attrs: attrs("a", "j"), Unique: tc.oracle, Target: "userPrincipalName"})
			require.Equal(t, tc.calls, tc.oracle.calls)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
			case tc.name == "nonsense answer":
				require.ErrorContains(t, err, "answer 2 is not a candidate index")
			default:
				require.NoError(t, err)
				require.True(t, tc.want.Equal(v), "got %v", v)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	const secret = "Hunter2!"
	env := Env{Attrs: attrs("pw", secret, "user", "jsmith")}

	v, err := evalIn(t, `Join("-", [user], Redact([pw]))`, env)
	require.NoError(t, err)
	require.True(t, v.Redacted(), "computed from a redacted value")
	require.Equal(t, "jsmith-"+secret, v.AsString(), "the target gets the real value")
	require.Equal(t, []string{"jsmith-" + secret}, v.Values())
	require.Equal(t, RedactedText, v.String())
	require.Equal(t, RedactedText, fmt.Sprintf("%v|%s", v, v)[:len(RedactedText)])
	require.NotContains(t, fmt.Sprintf("%v %s %#v %+v", v, v, v, v), secret)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("computed", "value", v)
	require.NotContains(t, logs.String(), secret)
	require.Contains(t, logs.String(), "value=[Redact]")

	v, err = evalIn(t, `Join("-", [user], [pw])`, env)
	require.NoError(t, err)
	require.False(t, v.Redacted(), "no Redact, no mark")

	v, err = evalIn(t, `IIF(Redact([pw])="x", "a", "b")`, env)
	require.NoError(t, err)
	require.True(t, v.Redacted(), "a comparison with a redacted value is redacted")

	// Errors inside Redact never quote the value, but keep their kind.
	for _, src := range []string{`Redact(CDate([pw]))`, `CDate(Redact([pw]))`, `Redact(Item(Split([pw], "!"), 9))`} {
		_, err = evalIn(t, src, env)
		require.ErrorIs(t, err, ErrArgument, src)
		require.NotContains(t, err.Error(), secret, src)
		require.Contains(t, err.Error(), "details hidden", src)
	}
	_, err = evalIn(t, `SelectUniqueValue(Redact([pw]), "x")`, Env{Attrs: env.Attrs, Unique: takenOracle{}, Target: "t"})
	require.ErrorIs(t, err, ErrUniqueExhausted)
	require.NotContains(t, err.Error(), secret)

	require.True(t, MustCompile(`IIF([a]="1", Redact([pw]), "")`).Redacts())
	require.False(t, MustCompile(`Join("", [a])`).Redacts())
}

// seqReader is a deterministic randomness source: 0, 1, 2, … as 32-bit
// little-endian words, so RandomString picks are predictable.
type seqReader struct{ n uint32 }

func (r *seqReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.n >> (8 * (i % 4)))
		if i%4 == 3 {
			r.n++
		}
	}
	return len(p), nil
}

type brokenReader struct{}

func (brokenReader) Read([]byte) (int, error) { return 0, errors.New("entropy pool empty") }

func TestRandomness(t *testing.T) {
	v, err := evalIn(t, `RandomString(6, 3, 0, 0, 3)`, Env{Rand: &seqReader{}})
	require.NoError(t, err)
	v2, err := evalIn(t, `RandomString(6, 3, 0, 0, 3)`, Env{Rand: &seqReader{}})
	require.NoError(t, err)
	require.Equal(t, v.AsString(), v2.AsString(), "Env.Rand makes RandomString reproducible")

	g, err := evalIn(t, `Guid()`, Env{Rand: bytes.NewReader(bytes.Repeat([]byte{0xab}, 16))})
	require.NoError(t, err)
	require.Equal(t, "abababab-abab-4bab-abab-abababababab", g.AsString())

	for _, src := range []string{`RandomString(6, 3, 0, 0, 3)`, `Guid()`} {
		_, err = evalIn(t, src, Env{Rand: brokenReader{}})
		require.ErrorContains(t, err, "entropy pool empty", src)
	}
	_, err = evalIn(t, `RandomString(6, 3, 0, 0, 3)`, Env{Rand: bytes.NewReader(bytes.Repeat([]byte{0xff}, 1<<12))})
	require.ErrorContains(t, err, "not random", "a constant source is detected, not looped on")
}

// TestRandomStringConstraints checks the constraints over many draws.
func TestRandomStringConstraints(t *testing.T) {
	p := MustCompile(`RandomString(10, 2, 2, 2, 1, "?,")`)
	seen := map[rune]bool{}
	for range 2000 {
		v, err := p.Eval(Env{})
		require.NoError(t, err)
		s := v.AsString()
		require.Len(t, s, 10)
		var d, sp, up, lo int
		for _, r := range s {
			seen[r] = true
			switch {
			case strings.ContainsRune(randDigits, r):
				d++
			case strings.ContainsRune(randUpper, r):
				up++
			case strings.ContainsRune(randLower, r):
				lo++
			case strings.ContainsRune(randSpecial, r):
				sp++
			default:
				t.Fatalf("%q: unexpected character %q", s, r)
			}
		}
		require.True(t, d >= 2 && sp >= 2 && up >= 2 && lo >= 1, s)
		require.NotContains(t, s, "?")
		require.NotContains(t, s, ",")
	}
	require.Len(t, seen, len(randDigits+randSpecial+randUpper+randLower)-2, "every allowed character turns up")
}

func TestNowUsesEnvClock(t *testing.T) {
	at := time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.FixedZone("X", 3600))
	v, err := evalIn(t, `Now()`, Env{Now: func() time.Time { return at }})
	require.NoError(t, err)
	got, ok := v.Time()
	require.True(t, ok)
	require.Equal(t, at.UTC().Truncate(100*time.Nanosecond), got)
	require.Equal(t, "2/29/2024 10:59:59 PM", v.AsString())
	require.Equal(t, KindDate, v.Kind())
}
