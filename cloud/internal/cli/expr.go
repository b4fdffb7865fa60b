package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/exprtest"
)

const exprUsage = `Usage:
  hrsyncctl expr eval 'EXPR' [--attrs FILE.json] [--now ISO-8601]
      Evaluate an expression and print its result as JSON: a string, an
      array (multi-valued), null, or {"error": …, "position": "line:col"}.
      FILE.json is an object of source attributes (string, array or null).
  hrsyncctl expr test FILE.json [FILE.json ...]
      Run test vector files; print every failure with expected and actual
      values and end with "N passed, N failed".
`

// runExpr is hrsyncctl expr: it needs no server.
func runExpr(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, exprUsage)
		return 2
	}
	switch args[0] {
	case "eval":
		return exprEval(args[1:], stdout, stderr)
	case "test":
		return exprTest(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, exprUsage)
		return 0
	}
	fmt.Fprintf(stderr, "hrsyncctl expr: unknown subcommand %q\n\n%s", args[0], exprUsage)
	return 2
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func exprEval(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("expr eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exprUsage) }
	attrsFile := fs.String("attrs", "", "JSON file of source attributes")
	nowText := fs.String("now", "", "the time Now() returns, ISO-8601 (default: the current time)")
	pos, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	case len(pos) != 1:
		fmt.Fprintf(stderr, "hrsyncctl expr eval: want one expression, got %d arguments (quote the expression)\n", len(pos))
		return 2
	}
	env := expr.Env{Attrs: map[string]expr.Value{}}
	if *attrsFile != "" {
		if env.Attrs, err = readAttrs(*attrsFile); err != nil {
			fmt.Fprintf(stderr, "hrsyncctl expr eval: --attrs: %v\n", err)
			return 2
		}
	}
	if *nowText != "" {
		now, err := time.Parse(time.RFC3339Nano, *nowText)
		if err != nil {
			fmt.Fprintf(stderr, "hrsyncctl expr eval: --now: want an ISO-8601 time such as 2024-09-02T08:00:00Z: %v\n", err)
			return 2
		}
		env.Now = func() time.Time { return now }
	}
	prog, err := expr.Compile(pos[0])
	var v expr.Value
	if err == nil {
		v, err = prog.Eval(env)
	}
	switch {
	case errors.Is(err, expr.ErrIgnoreFlow):
		fmt.Fprintln(stderr, "IgnoreFlowIfNullOrEmpty: the target attribute is left out of this flow")
		writeJSON(stdout, nil)
		return 0
	case err != nil:
		writeJSON(stdout, exprError(err))
		return 1
	}
	if v.Redacted() {
		fmt.Fprintln(stderr, "the value is redacted: logs show it as [Redact]")
	}
	writeJSON(stdout, exprtest.JSON(v))
	return 0
}

// exprError is the JSON form of a compile or evaluation error.
func exprError(err error) map[string]string {
	var pos expr.Pos
	var se *expr.SyntaxError
	var ee *expr.EvalError
	switch {
	case errors.As(err, &se):
		pos = se.Pos
	case errors.As(err, &ee):
		pos = ee.Pos
	default:
		return map[string]string{"error": err.Error()}
	}
	return map[string]string{"error": strings.TrimPrefix(err.Error(), pos.String()+": "), "position": pos.String()}
}

func readAttrs(path string) (map[string]expr.Value, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]exprtest.Attr
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: want an object of strings, arrays of strings or nulls: %w", path, err)
	}
	attrs := make(map[string]expr.Value, len(raw))
	for k, a := range raw {
		if !a.IsNull() {
			attrs[k] = a.Value
		}
	}
	return attrs, nil
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func exprTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("expr test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exprUsage) }
	verbose := fs.Bool("v", false, "also list the vectors that pass")
	files, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	case len(files) == 0:
		fmt.Fprint(stderr, "hrsyncctl expr test: name at least one vector file\n\n"+exprUsage)
		return 2
	}
	passed, failed, broken := 0, 0, false
	for _, f := range files {
		results, err := exprtest.RunFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "hrsyncctl expr test: %v\n", err)
			broken = true
			continue
		}
		for _, r := range results {
			if r.Pass {
				passed++
				if *verbose {
					fmt.Fprintf(stdout, "ok   %s\n", r.Name())
				}
				continue
			}
			failed++
			fmt.Fprintf(stdout, "FAIL %s\n  expr: %s\n  want: %s\n  got:  %s\n", r.Name(), r.Vector.Expr, r.Want, r.Got)
			if r.Problem != "" {
				fmt.Fprintf(stdout, "  why:  %s\n", r.Problem)
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 || broken {
		return 1
	}
	return 0
}
