// Package exprtest runs expression test vectors: JSON files of expressions,
// source attributes and expected results, in the format of the reference's
// section 7 (see docs/expressions.md). hrsyncctl expr test and the expr
// package's tests use it.
//
//	results, err := exprtest.RunFile("testdata/vectors/replace.json")
//	for _, r := range results {
//		if !r.Pass {
//			fmt.Printf("%s: want %s, got %s\n", r.Name(), r.Want, r.Got)
//		}
//	}
//
// Each vector runs with a fixed clock when it has "now", an in-memory
// uniqueness oracle holding "target_existing", the target attribute
// "target" and the default domain "contoso.com".
package exprtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// The fixed parts of the environment every vector runs in.
const (
	// TargetAttribute is Env.Target: the attribute SelectUniqueValue checks.
	TargetAttribute = "target"
	// DefaultDomain is what DefaultDomain() returns in vectors.
	DefaultDomain = "contoso.com"
)

// Vector is one test vector.
type Vector struct {
	Expr           string          `json:"expr"`
	Attrs          map[string]Attr `json:"attrs,omitempty"`
	Want           json.RawMessage `json:"want"` // nil when missing, "null" for null
	Note           string          `json:"note,omitempty"`
	Source         string          `json:"source,omitempty"`
	Inferred       bool            `json:"inferred,omitempty"`
	Now            string          `json:"now,omitempty"`
	TargetExisting []string        `json:"target_existing,omitempty"`
	IgnoreFlow     bool            `json:"ignore_flow,omitempty"`
	Escrow         bool            `json:"escrow,omitempty"`
	Check          *Check          `json:"check,omitempty"`
	Confidence     string          `json:"confidence,omitempty"`
}

// Attr is a source attribute value: a string, an array of strings
// (multi-valued) or null (absent).
type Attr struct{ expr.Value }

// UnmarshalJSON reads a string, an array of strings or null.
func (a *Attr) UnmarshalJSON(b []byte) error {
	v, err := decodeValue(b)
	a.Value = v
	return err
}

// MarshalJSON writes the value back in the same shape.
func (a Attr) MarshalJSON() ([]byte, error) { return json.Marshal(jsonOf(a.Value)) }

// Check holds constraints for results that cannot be predicted (Guid,
// RandomString, Now without a fixed clock). Every constraint given must hold.
type Check struct {
	Regex      string `json:"regex,omitempty"`
	Length     *int   `json:"length,omitempty"`
	MinDigits  int    `json:"min_digits,omitempty"`
	MinSpecial int    `json:"min_special,omitempty"`
	MinUpper   int    `json:"min_upper,omitempty"`
	MinLower   int    `json:"min_lower,omitempty"`
	// Avoid lists characters that must not occur.
	Avoid string `json:"avoid,omitempty"`
}

// Result is the outcome of one vector.
type Result struct {
	File   string
	Index  int // 0-based position in the file
	Vector Vector
	Pass   bool
	// Want and Got render the expected and actual outcomes as JSON values,
	// or as "ignore_flow", "escrow", "error: …" and "check …".
	Want, Got string
	// Problem explains a failure beyond the values (a bad vector, a failed
	// constraint).
	Problem string
}

// Name identifies the vector in messages: file#index (note).
func (r Result) Name() string {
	n := fmt.Sprintf("%s#%d", r.File, r.Index)
	if r.Vector.Note != "" {
		n += " (" + r.Vector.Note + ")"
	}
	return n
}

// ErrBadVector marks a vector file or vector that is not well-formed.
var ErrBadVector = errors.New("invalid test vector")

// Load reads a vector file. Unknown fields are errors, so a misspelt key
// cannot silently turn a check off.
func Load(path string) ([]Vector, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Parse reads vectors from JSON.
func Parse(b []byte) ([]Vector, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var vs []Vector
	if err := dec.Decode(&vs); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadVector, err)
	}
	for i, v := range vs {
		if err := v.validate(); err != nil {
			return nil, fmt.Errorf("%w: vector %d (%s): %w", ErrBadVector, i, v.Expr, err)
		}
	}
	return vs, nil
}

func (v Vector) validate() error {
	wantNull := string(v.Want) == "null"
	switch {
	case v.Expr == "":
		return errors.New("expr is empty")
	case v.Want == nil:
		return errors.New(`want is missing (write "want": null for no value)`)
	case (v.IgnoreFlow || v.Escrow || v.Check != nil) && !wantNull:
		return errors.New("want must be null with ignore_flow, escrow or check")
	case v.IgnoreFlow && v.Escrow:
		return errors.New("ignore_flow and escrow exclude each other")
	case v.Confidence != "" && v.Confidence != "low":
		return fmt.Errorf(`confidence must be "low", got %q`, v.Confidence)
	}
	if _, err := decodeValue(v.Want); err != nil {
		return fmt.Errorf("want: %w", err)
	}
	if v.Now != "" {
		if _, err := time.Parse(time.RFC3339Nano, v.Now); err != nil {
			return fmt.Errorf("now: %w", err)
		}
	}
	return nil
}

// RunFile loads and runs a vector file.
func RunFile(path string) ([]Result, error) {
	vs, err := Load(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]Result, len(vs))
	for i, v := range vs {
		out[i] = Run(v)
		out[i].File, out[i].Index = path, i
	}
	return out, nil
}

// Run evaluates one vector.
func Run(v Vector) Result {
	r := Result{Vector: v, Want: wantText(v)}
	if err := v.validate(); err != nil {
		r.Got, r.Problem = "-", err.Error()
		return r
	}
	prog, err := expr.Compile(v.Expr)
	if err != nil {
		r.Got = "error: " + err.Error()
		return r
	}
	got, err := prog.Eval(Env(v))
	switch {
	case errors.Is(err, expr.ErrIgnoreFlow):
		r.Got = "ignore_flow"
		r.Pass = v.IgnoreFlow
		return r
	case errors.Is(err, expr.ErrUniqueExhausted):
		r.Got = "escrow"
		r.Pass = v.Escrow
		return r
	case err != nil:
		r.Got = "error: " + err.Error()
		return r
	}
	r.Got = render(got)
	switch {
	case v.IgnoreFlow || v.Escrow:
		return r
	case v.Check != nil:
		r.Problem = v.Check.verify(got)
		r.Pass = r.Problem == ""
		return r
	}
	want, _ := decodeValue(v.Want)
	r.Pass = sameValue(want, got)
	return r
}

// Env is the environment a vector runs in.
func Env(v Vector) expr.Env {
	env := expr.Env{
		Attrs:         map[string]expr.Value{},
		Unique:        NewMemoryUniqueness(TargetAttribute, v.TargetExisting...),
		Target:        TargetAttribute,
		DefaultDomain: DefaultDomain,
	}
	for k, a := range v.Attrs {
		if !a.IsNull() {
			env.Attrs[k] = a.Value
		}
	}
	if v.Now != "" {
		now, _ := time.Parse(time.RFC3339Nano, v.Now)
		env.Now = func() time.Time { return now }
	}
	return env
}

func wantText(v Vector) string {
	switch {
	case v.IgnoreFlow:
		return "ignore_flow"
	case v.Escrow:
		return "escrow"
	case v.Check != nil:
		b, _ := json.Marshal(v.Check)
		return "check " + string(b)
	case v.Want == nil:
		return "null"
	}
	w, err := decodeValue(v.Want)
	if err != nil {
		return string(v.Want)
	}
	return render(w)
}

// sameValue compares an expected value (string, array or null) with a
// result: a string matches any single value with that text (booleans and
// dates included), an array matches a multi-valued value.
func sameValue(want, got expr.Value) bool {
	switch want.Kind() {
	case expr.KindNull:
		return got.IsNull()
	case expr.KindMulti:
		if got.Kind() != expr.KindMulti {
			return false
		}
		w, g := want.Values(), got.Values()
		if len(w) != len(g) {
			return false
		}
		for i := range w {
			if w[i] != g[i] {
				return false
			}
		}
		return true
	}
	return got.Kind() != expr.KindMulti && !got.IsNull() && got.AsString() == want.AsString()
}

// decodeValue reads a JSON string, array of strings or null.
func decodeValue(b []byte) (expr.Value, error) {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return expr.Null(), err
	}
	switch x := raw.(type) {
	case nil:
		return expr.Null(), nil
	case string:
		return expr.String(x), nil
	case []any:
		ss := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return expr.Null(), fmt.Errorf("array element %d is not a string", i)
			}
			ss[i] = s
		}
		if len(ss) == 0 {
			return expr.Null(), errors.New("an empty array is not a value; use null")
		}
		return expr.Multi(ss), nil
	}
	return expr.Null(), fmt.Errorf("want a string, an array of strings or null, got %s", strings.TrimSpace(string(b)))
}

// jsonOf is the JSON shape of a value: null, a string or an array. It
// writes real text, redacted or not: vectors and the CLI show results to
// the admin who wrote the expression.
func jsonOf(v expr.Value) any {
	switch v.Kind() {
	case expr.KindNull:
		return nil
	case expr.KindMulti:
		return v.Values()
	}
	return v.AsString()
}

// render is the JSON text of a value.
func render(v expr.Value) string {
	b, _ := json.Marshal(jsonOf(v))
	return string(b)
}

// JSON is the JSON shape of a value (null, a string or an array of
// strings), with real text even when the value is redacted.
func JSON(v expr.Value) any { return jsonOf(v) }
