package exprtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseRejectsBadVectors(t *testing.T) {
	tests := []struct{ name, json, err string }{
		{"unknown key", `[{"expr": "[a]", "want": "x", "chek": {}}]`, `unknown field "chek"`},
		{"missing want", `[{"expr": "[a]"}]`, "want is missing"},
		{"empty expr", `[{"expr": "", "want": null}]`, "expr is empty"},
		{"want with escrow", `[{"expr": "[a]", "want": "x", "escrow": true}]`, "want must be null"},
		{"want with check", `[{"expr": "[a]", "want": "x", "check": {"length": 1}}]`, "want must be null"},
		{"escrow and ignore", `[{"expr": "[a]", "want": null, "escrow": true, "ignore_flow": true}]`, "exclude each other"},
		{"bad confidence", `[{"expr": "[a]", "want": null, "confidence": "high"}]`, `confidence must be "low"`},
		{"bad now", `[{"expr": "[a]", "want": null, "now": "today"}]`, "now:"},
		{"number want", `[{"expr": "[a]", "want": 5}]`, "want a string, an array of strings or null"},
		{"empty array want", `[{"expr": "[a]", "want": []}]`, "empty array"},
		{"array of numbers", `[{"expr": "[a]", "want": [1]}]`, "not a string"},
		{"number attribute", `[{"expr": "[a]", "attrs": {"a": 1}, "want": null}]`, "want a string"},
		{"not an array", `{"expr": "[a]"}`, "cannot unmarshal"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.json))
		require.ErrorIs(t, err, ErrBadVector, tc.name)
		require.ErrorContains(t, err, tc.err, tc.name)
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		json      string
		pass      bool
		want, got string
		problem   string
	}{
		{name: "string", json: `{"expr": "Left([a], 2)", "attrs": {"a": "abc"}, "want": "ab"}`, pass: true, want: `"ab"`, got: `"ab"`},
		{name: "mismatch", json: `{"expr": "Left([a], 2)", "attrs": {"a": "abc"}, "want": "abc"}`, want: `"abc"`, got: `"ab"`},
		{name: "boolean as text", json: `{"expr": "IsNull([a])", "want": "True"}`, pass: true, want: `"True"`, got: `"True"`},
		{name: "null attribute is absent", json: `{"expr": "IsNull([a])", "attrs": {"a": null}, "want": "True"}`, pass: true, want: `"True"`, got: `"True"`},
		{name: "null", json: `{"expr": "[a]", "want": null}`, pass: true, want: "null", got: "null"},
		{name: "empty is not null", json: `{"expr": "[a]", "attrs": {"a": ""}, "want": null}`, want: "null", got: `""`},
		{name: "array", json: `{"expr": "[p]", "attrs": {"p": ["a", "b"]}, "want": ["a", "b"]}`, pass: true, want: `["a","b"]`, got: `["a","b"]`},
		{name: "array against one value", json: `{"expr": "[a]", "attrs": {"a": "x"}, "want": ["x"]}`, want: `["x"]`, got: `"x"`},
		{name: "fixed clock", json: `{"expr": "Now()", "now": "2024-01-02T03:04:05Z", "want": "1/2/2024 3:04:05 AM"}`, pass: true, want: `"1/2/2024 3:04:05 AM"`, got: `"1/2/2024 3:04:05 AM"`},
		{name: "ignore flow", json: `{"expr": "IgnoreFlowIfNullOrEmpty([a])", "want": null, "ignore_flow": true}`, pass: true, want: "ignore_flow", got: "ignore_flow"},
		{name: "ignore flow expected, value got", json: `{"expr": "IgnoreFlowIfNullOrEmpty([a])", "attrs": {"a": "x"}, "want": null, "ignore_flow": true}`, want: "ignore_flow", got: `"x"`},
		{name: "ignore flow not expected", json: `{"expr": "IgnoreFlowIfNullOrEmpty([a])", "want": null}`, want: "null", got: "ignore_flow"},
		{name: "escrow", json: `{"expr": "SelectUniqueValue(\"a\", \"b\")", "want": null, "target_existing": ["A", "B"], "escrow": true}`, pass: true, want: "escrow", got: "escrow"},
		{name: "free candidate", json: `{"expr": "SelectUniqueValue(\"a\", \"b\")", "want": "b", "target_existing": ["A"]}`, pass: true, want: `"b"`, got: `"b"`},
		{name: "escrow not expected", json: `{"expr": "SelectUniqueValue(\"a\", \"A\")", "want": "a", "target_existing": ["a"]}`, want: `"a"`, got: "escrow"},
		{name: "compile error", json: `{"expr": "Lft([a], 2)", "want": "x"}`, want: `"x"`, got: `error: 1:1: unknown function "Lft" (did you mean "Left"?)`},
		{name: "evaluation error", json: `{"expr": "Item([a], 3)", "attrs": {"a": "x"}, "want": null}`, want: "null", got: "error: 1:1: Item: invalid argument: index 3 out of range: 1 values"},
		{name: "check passes", json: `{"expr": "RandomString(8, 2, 1, 1, 1, \"0\")", "want": null, "check": {"length": 8, "min_digits": 2, "min_special": 1, "min_upper": 1, "min_lower": 1, "avoid": "0"}}`, pass: true, want: `check {"length":8,"min_digits":2,"min_special":1,"min_upper":1,"min_lower":1,"avoid":"0"}`},
		{name: "check fails", json: `{"expr": "\"ab1\"", "want": null, "check": {"regex": "^\\d+$", "length": 2, "min_digits": 2, "min_special": 1, "min_upper": 1, "min_lower": 3, "avoid": "b"}}`,
			want: `check {"regex":"^\\d+$","length":2,"min_digits":2,"min_special":1,"min_upper":1,"min_lower":3,"avoid":"b"}`, got: `"ab1"`,
			problem: `does not match "^\\d+$"; length 3, want 2; 1 digits, want at least 2; 0 special characters, want at least 1; 0 capitals, want at least 1; 2 lower-case letters, want at least 3; contains one of "b"`},
		{name: "check of several values", json: `{"expr": "[p]", "attrs": {"p": ["a", "b"]}, "want": null, "check": {"length": 1}}`, want: `check {"length":1}`, got: `["a","b"]`, problem: `check needs one value, got ["a","b"]`},
		{name: "default domain", json: `{"expr": "DefaultDomain()", "want": "contoso.com"}`, pass: true, want: `"contoso.com"`, got: `"contoso.com"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := Parse([]byte("[" + tc.json + "]"))
			require.NoError(t, err)
			r := Run(vs[0])
			require.Equal(t, tc.pass, r.Pass, "%+v", r)
			require.Equal(t, tc.want, r.Want)
			if tc.got != "" {
				require.Equal(t, tc.got, r.Got)
			}
			require.Equal(t, tc.problem, r.Problem)
		})
	}
}

func TestRunFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v.json")
	require.NoError(t, os.WriteFile(p, []byte(`[{"expr": "\"a\"", "want": "a", "note": "first"}, {"expr": "\"b\"", "want": "c"}]`), 0o600))
	rs, err := RunFile(p)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	require.True(t, rs[0].Pass)
	require.False(t, rs[1].Pass)
	require.Equal(t, p+"#0 (first)", rs[0].Name())
	require.Equal(t, p+"#1", rs[1].Name())

	_, err = RunFile(filepath.Join(t.TempDir(), "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestMemoryUniqueness(t *testing.T) {
	m := NewMemoryUniqueness("sAMAccountName", "JSmith", "josmith")
	i, err := m.FirstFree("samaccountname", []string{"jsmith", "JOSMITH", "JohSmith"})
	require.NoError(t, err)
	require.Equal(t, 2, i)
	i, err = m.FirstFree("sAMAccountName", []string{"jsmith"})
	require.NoError(t, err)
	require.Equal(t, -1, i)
	i, err = m.FirstFree("mail", []string{"jsmith"})
	require.NoError(t, err)
	require.Equal(t, 0, i, "other attributes have no values")
	require.Equal(t, [][]string{{"jsmith", "JOSMITH", "JohSmith"}, {"jsmith"}, {"jsmith"}}, m.Calls())
}
