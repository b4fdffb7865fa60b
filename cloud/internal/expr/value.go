package expr

import (
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind tells which variant a Value holds.
type Kind uint8

// The variants of a Value.
const (
	KindNull Kind = iota
	KindString
	KindMulti
	KindBool
	// KindDate is a point in time (CDate, DateAdd, Now, DateFromNum), always
	// UTC with .NET's 100 ns resolution. As text it renders
	// M/d/yyyy h:mm:ss tt, as Entra does.
	KindDate
)

// String names the kind for messages.
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindString:
		return "string"
	case KindMulti:
		return "multi-valued"
	case KindBool:
		return "boolean"
	case KindDate:
		return "date"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is an immutable expression value. The zero Value is null.
//
// A value can carry a redaction mark (Redact, or anything computed from a
// redacted value). The mark never changes what flows to the target: AsString
// and Values return the real text. It changes how the value renders for
// people: String, GoString and LogValue (slog) show [Redact] instead, so a
// value logged with slog or formatted with %v never leaks.
type Value struct {
	kind     Kind
	s        string
	ss       []string
	b        bool
	t        time.Time
	redacted bool
}

// RedactedText is what a redacted value shows in logs and messages.
const RedactedText = "[Redact]"

// Null returns the null value: an absent attribute or "no value".
func Null() Value { return Value{} }

// String returns a single string value. The empty string is not null.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Multi returns a multi-valued value holding a copy of ss. An empty list is
// null: a multi-valued attribute without values is absent.
func Multi(ss []string) Value {
	if len(ss) == 0 {
		return Null()
	}
	return Value{kind: KindMulti, ss: slices.Clone(ss)}
}

// Bool returns a boolean value, rendered "True" or "False".
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// Date returns a date value. t is converted to UTC and truncated to .NET's
// 100 ns resolution.
func Date(t time.Time) Value {
	return Value{kind: KindDate, t: t.UTC().Truncate(tick)}
}

// Time returns the instant of a date value; ok is false for other kinds.
func (v Value) Time() (t time.Time, ok bool) { return v.t, v.kind == KindDate }

// Redact returns v with the redaction mark set.
func (v Value) Redact() Value {
	v.redacted = true
	return v
}

// Redacted reports whether v must be masked wherever people see it (logs,
// error messages, audit trails). Callers that write v to the target use
// AsString or Values as usual.
func (v Value) Redacted() bool { return v.redacted }

// LogValue implements slog.LogValuer: a redacted value logs as [Redact].
func (v Value) LogValue() slog.Value { return slog.StringValue(v.String()) }

// GoString keeps %#v from printing a redacted value's text.
func (v Value) GoString() string { return "expr.Value(" + v.String() + ")" }

// Kind reports the variant.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// IsNullOrEmpty reports whether v is null, the empty string, or a
// multi-valued value whose values are all empty.
func (v Value) IsNullOrEmpty() bool {
	switch v.kind {
	case KindNull:
		return true
	case KindString:
		return v.s == ""
	case KindMulti:
		for _, s := range v.ss {
			if s != "" {
				return false
			}
		}
		return true
	}
	return false
}

// AsString renders a single value as text: null is "", a boolean is "True"
// or "False" (as .NET renders it), and a multi-valued value gives its first
// value. Use Values for every value of a multi-valued attribute.
func (v Value) AsString() string {
	switch v.kind {
	case KindString:
		return v.s
	case KindMulti:
		return v.ss[0]
	case KindBool:
		return boolText(v.b)
	case KindDate:
		return renderDate(v.t)
	}
	return ""
}

// Values returns every value as text: none for null, one for a string or a
// boolean, all of them for a multi-valued value. The slice is a copy.
func (v Value) Values() []string {
	switch v.kind {
	case KindString, KindBool, KindDate:
		return []string{v.AsString()}
	case KindMulti:
		return slices.Clone(v.ss)
	}
	return nil
}

// Len is the number of values: 0 for null, 1 for a single value.
func (v Value) Len() int {
	switch v.kind {
	case KindNull:
		return 0
	case KindMulti:
		return len(v.ss)
	}
	return 1
}

// Equal reports whether v and o hold the same variant, contents and
// redaction mark. go-cmp uses it, so Values compare directly in tests.
func (v Value) Equal(o Value) bool {
	if v.kind != o.kind || v.redacted != o.redacted {
		return false
	}
	switch v.kind {
	case KindString:
		return v.s == o.s
	case KindMulti:
		return slices.Equal(v.ss, o.ss)
	case KindBool:
		return v.b == o.b
	case KindDate:
		return v.t.Equal(o.t)
	}
	return true
}

// String renders v for messages and test output: null, "text", True,
// ["a", "b"], 3/16/2020 7:00:00 AM, and [Redact] for a redacted value.
func (v Value) String() string {
	if v.redacted {
		return RedactedText
	}
	switch v.kind {
	case KindString:
		return strconv.Quote(v.s)
	case KindMulti:
		q := make([]string, len(v.ss))
		for i, s := range v.ss {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case KindBool:
		return boolText(v.b)
	case KindDate:
		return renderDate(v.t)
	}
	return "null"
}

// size is the number of bytes v holds, for the evaluation budget.
func (v Value) size() int {
	switch v.kind {
	case KindString:
		return len(v.s)
	case KindMulti:
		n := 0
		for _, s := range v.ss {
			n += len(s) + 1
		}
		return n
	case KindDate:
		return len(dateLayout)
	}
	return 0
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
