package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestExprEval(t *testing.T) {
	attrs := writeFile(t, "attrs.json", `{"givenName": "Zoë", "sn": "Smith", "p": ["a", "b"], "gone": null}`)
	badAttrs := writeFile(t, "bad.json", `{"n": 5}`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact
		stderr string // contained
	}{
		{name: "string", args: []string{"eval", `Join(".", "a", "b")`}, stdout: "\"a.b\"\n"},
		{name: "attrs file", args: []string{"eval", `ToLower(Join(".", NormalizeDiacritics([givenName]), [sn]))`, "--attrs", attrs}, stdout: "\"zoe.smith\"\n"},
		{name: "flags before the expression", args: []string{"eval", "--attrs", attrs, `Count([p])`}, stdout: "\"2\"\n"},
		{name: "array", args: []string{"eval", `[p]`, "--attrs", attrs}, stdout: "[\"a\",\"b\"]\n"},
		{name: "null", args: []string{"eval", `[gone]`, "--attrs", attrs}, stdout: "null\n"},
		{name: "boolean", args: []string{"eval", `IsNull([x])`}, stdout: "\"True\"\n"},
		{name: "fixed clock", args: []string{"eval", `DateAdd("d", 1, Now())`, "--now", "2024-01-02T03:04:05Z"}, stdout: "\"1/3/2024 3:04:05 AM\"\n"},
		{name: "html characters are not escaped", args: []string{"eval", `"<a&b>"`}, stdout: "\"<a&b>\"\n"},
		{name: "ignore flow", args: []string{"eval", `IgnoreFlowIfNullOrEmpty([x])`}, stdout: "null\n", stderr: "left out of this flow"},
		{name: "redacted", args: []string{"eval", `Redact("s3cret")`}, stdout: "\"s3cret\"\n", stderr: "logs show it as [Redact]"},
		{name: "syntax error", args: []string{"eval", `Swtch([a], "x")`}, code: 1,
			stdout: `{"error":"unknown function \"Swtch\" (did you mean \"Switch\"?)","position":"1:1"}` + "\n"},
		{name: "evaluation error", args: []string{"eval", "Join(\",\",\n  Item([p], 4))", "--attrs", attrs}, code: 1,
			stdout: `{"error":"Item: invalid argument: index 4 out of range: 2 values","position":"2:3"}` + "\n"},
		{name: "no uniqueness oracle", args: []string{"eval", `SelectUniqueValue("a", "b")`}, code: 1,
			stdout: `{"error":"SelectUniqueValue: not configured: SelectUniqueValue needs the target directory's uniqueness check and the target attribute","position":"1:1"}` + "\n"},
		{name: "no expression", args: []string{"eval"}, code: 2, stderr: "want one expression, got 0"},
		{name: "two expressions", args: []string{"eval", "[a]", "[b]"}, code: 2, stderr: "want one expression, got 2"},
		{name: "bad clock", args: []string{"eval", "Now()", "--now", "yesterday"}, code: 2, stderr: "--now: want an ISO-8601 time"},
		{name: "bad attrs", args: []string{"eval", "[n]", "--attrs", badAttrs}, code: 2, stderr: "want an object of strings"},
		{name: "missing attrs file", args: []string{"eval", "[n]", "--attrs", filepath.Join(t.TempDir(), "none.json")}, code: 2, stderr: "no such file"},
		{name: "unknown flag", args: []string{"eval", "[n]", "--bogus"}, code: 2, stderr: "flag provided but not defined"},
		{name: "no subcommand", args: nil, code: 2, stderr: "hrsyncctl expr eval"},
		{name: "unknown subcommand", args: []string{"run"}, code: 2, stderr: `unknown subcommand "run"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := RunCtl(context.Background(), append([]string{"expr"}, tc.args...), &out, &errb)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out.String(), errb.String())
			require.Equal(t, tc.stdout, out.String())
			require.Contains(t, errb.String(), tc.stderr)
		})
	}
}

func TestExprTest(t *testing.T) {
	good := writeFile(t, "good.json", `[
  {"expr": "Left([a], 2)", "attrs": {"a": "abc"}, "want": "ab", "note": "Left", "source": "test"},
  {"expr": "RandomString(6,3,0,0,3)", "want": null, "check": {"length": 6, "min_digits": 3}},
  {"expr": "IgnoreFlowIfNullOrEmpty([x])", "want": null, "ignore_flow": true}
]`)
	bad := writeFile(t, "bad.json", `[
  {"expr": "Left([a], 2)", "attrs": {"a": "abc"}, "want": "abc", "note": "wrong on purpose"},
  {"expr": "SelectUniqueValue([a], [b])", "attrs": {"a": "x", "b": "y"}, "want": null, "target_existing": ["x"], "escrow": true},
  {"expr": "Split([a], \",\")", "attrs": {"a": "1,2"}, "want": ["1", "2"]}
]`)
	malformed := writeFile(t, "malformed.json", `[{"expr": "[a]", "wnat": "x"}]`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // contained, in order
		stderr string
	}{
		{name: "all pass", args: []string{"test", good}, stdout: []string{"3 passed, 0 failed\n"}},
		{name: "verbose", args: []string{"test", "-v", good}, stdout: []string{"ok   " + good + "#0 (Left)", "3 passed, 0 failed\n"}},
		{name: "a failure shows expected and actual", args: []string{"test", good, bad}, code: 1, stdout: []string{
			"FAIL " + bad + "#0 (wrong on purpose)\n  expr: Left([a], 2)\n  want: \"abc\"\n  got:  \"ab\"\n",
			"FAIL " + bad + "#1\n  expr: SelectUniqueValue([a], [b])\n  want: escrow\n  got:  \"y\"\n",
			"4 passed, 2 failed\n",
		}},
		{name: "malformed file", args: []string{"test", malformed, good}, code: 1, stdout: []string{"3 passed, 0 failed\n"}, stderr: `unknown field "wnat"`},
		{name: "missing file", args: []string{"test", filepath.Join(t.TempDir(), "none.json")}, code: 1, stdout: []string{"0 passed, 0 failed\n"}, stderr: "no such file"},
		{name: "no files", args: []string{"test"}, code: 2, stderr: "name at least one vector file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := RunCtl(context.Background(), append([]string{"expr"}, tc.args...), &out, &errb)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out.String(), errb.String())
			rest := out.String()
			for _, want := range tc.stdout {
				i := bytes.Index([]byte(rest), []byte(want))
				require.GreaterOrEqual(t, i, 0, "stdout lacks %q in order:\n%s", want, out.String())
				rest = rest[i+len(want):]
			}
			require.Regexp(t, `(?m)\A(?s:.*)\d+ passed, \d+ failed\n\z|\A\z`, out.String(), "the last line is the summary")
			require.Contains(t, errb.String(), tc.stderr)
		})
	}
}

// TestExprTestRepoVectors runs the project's own vector files through the
// command, as make test users and CI would.
func TestExprTestRepoVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "expr", "testdata", "vectors", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out, errb bytes.Buffer
	code := RunCtl(context.Background(), append([]string{"expr", "test"}, files...), &out, &errb)
	require.Equal(t, 0, code, "%s%s", out.String(), errb.String())
	require.Regexp(t, `^\d+ passed, 0 failed\n$`, out.String())
}
