package exprtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// docExample is an expr block of docs/expressions.md with the blocks after it.
type docExample struct {
	line   int
	blocks map[string]string
}

// readDocExamples finds the fenced blocks of a Markdown file: every expr
// block starts an example, the attrs, now, existing, result and
// result-regex blocks after it belong to it; json blocks are returned
// separately.
func readDocExamples(t *testing.T, path string) ([]docExample, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var examples []docExample
	var jsonBlocks []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.HasPrefix(line, "```") || line == "```" {
			continue
		}
		kind, start := strings.TrimPrefix(line, "```"), n
		var body []string
		for sc.Scan() {
			n++
			if sc.Text() == "```" {
				break
			}
			body = append(body, sc.Text())
		}
		text := strings.Join(body, "\n")
		switch kind {
		case "expr":
			examples = append(examples, docExample{line: start, blocks: map[string]string{"expr": text}})
		case "attrs", "now", "existing", "result", "result-regex":
			require.NotEmpty(t, examples, "line %d: a %s block before any expr block", start, kind)
			ex := examples[len(examples)-1]
			_, dup := ex.blocks[kind]
			require.False(t, dup, "line %d: second %s block for the example at line %d", start, kind, ex.line)
			ex.blocks[kind] = text
		case "json":
			jsonBlocks = append(jsonBlocks, text)
		}
	}
	require.NoError(t, sc.Err())
	return examples, jsonBlocks
}

// vector turns an example into a test vector.
func (e docExample) vector(t *testing.T) Vector {
	t.Helper()
	v := Vector{Expr: e.blocks["expr"], Note: fmt.Sprintf("docs/expressions.md:%d", e.line), Want: json.RawMessage("null")}
	if a, ok := e.blocks["attrs"]; ok {
		require.NoError(t, json.Unmarshal([]byte(a), &v.Attrs), "line %d: attrs", e.line)
	}
	if x, ok := e.blocks["existing"]; ok {
		require.NoError(t, json.Unmarshal([]byte(x), &v.TargetExisting), "line %d: existing", e.line)
	}
	v.Now = strings.TrimSpace(e.blocks["now"])
	result, hasResult := e.blocks["result"]
	re, hasRegex := e.blocks["result-regex"]
	require.True(t, hasResult != hasRegex, "line %d: an example needs exactly one result or result-regex block", e.line)
	switch result = strings.TrimSpace(result); {
	case hasRegex:
		v.Check = &Check{Regex: strings.TrimSpace(re)}
	case result == "ignore_flow":
		v.IgnoreFlow = true
	case result == "escrow":
		v.Escrow = true
	default:
		v.Want = json.RawMessage(result)
	}
	return v
}

func docsPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return filepath.Join(dir, "docs", "expressions.md")
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.work above the test directory")
		dir = parent
	}
}

// TestDocsExamples runs every example of docs/expressions.md: a wrong
// example fails the build.
func TestDocsExamples(t *testing.T) {
	examples, jsonBlocks := readDocExamples(t, docsPath(t))
	require.GreaterOrEqual(t, len(examples), 55, "the reference shows an example for nearly every function")
	for _, e := range examples {
		r := Run(e.vector(t))
		require.True(t, r.Pass, "docs/expressions.md:%d\n  expr: %s\n  want: %s\n  got:  %s %s", e.line, e.blocks["expr"], r.Want, r.Got, r.Problem)
	}
	ran := 0
	for _, b := range jsonBlocks {
		vs, err := Parse([]byte(b))
		if err != nil {
			continue // not a vector file
		}
		for _, v := range vs {
			r := Run(v)
			require.True(t, r.Pass, "vector example %s: want %s, got %s %s", v.Expr, r.Want, r.Got, r.Problem)
			ran++
		}
	}
	require.Positive(t, ran, "the vector-file example runs too")
}

// TestDocsCoverEveryFunction: every function has a heading in the
// reference.
func TestDocsCoverEveryFunction(t *testing.T) {
	b, err := os.ReadFile(docsPath(t))
	require.NoError(t, err)
	headings := regexp.MustCompile(`(?m)^### (.+)$`).FindAllStringSubmatch(string(b), -1)
	documented := map[string]bool{}
	for _, h := range headings {
		for _, name := range strings.Split(h[1], ",") {
			documented[strings.TrimSpace(name)] = true
		}
	}
	for _, f := range expr.Functions() {
		require.True(t, documented[f], "docs/expressions.md has no ### heading for %s", f)
	}
}

// TestDocsExampleCanFail: the example runner really compares results.
func TestDocsExampleCanFail(t *testing.T) {
	e := docExample{line: 1, blocks: map[string]string{"expr": `Left("John", 2)`, "result": `"Joh"`}}
	require.False(t, Run(e.vector(t)).Pass)
	e.blocks["result"] = `"Jo"`
	require.True(t, Run(e.vector(t)).Pass)
}
