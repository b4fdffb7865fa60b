package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Evaluation budget: no single value may exceed MaxValueBytes, and one
// evaluation may not produce more than MaxEvalBytes in total, so hostile
// expressions (a Join whose separator is itself a huge Join…) cannot blow up.
const (
	MaxValueBytes = 1 << 20
	MaxEvalBytes  = 16 << 20
	MaxValues     = 10000
)

type state struct {
	env      Env
	produced int
	// args is a stack of argument values reused by every call of one
	// evaluation: a call takes a window on top and gives it back when it
	// returns. Functions never keep their argument slice.
	args []Value
	// ctxs and thunks likewise hold call contexts and lazy arguments.
	ctxs   []callCtx
	thunks []thunk
}

// pushArgs returns a window of n values on top of the argument stack. The
// window stays valid until popArgs, even if nested calls grow the stack.
func (st *state) pushArgs(n int) (vals []Value, base int) {
	base = len(st.args)
	for range n {
		st.args = append(st.args, Value{})
	}
	return st.args[base : base+n : base+n], base
}

func (st *state) popArgs(base int) {
	clear(st.args[base:])
	st.args = st.args[:base]
}

// pushCtx returns a call context on top of the context stack.
func (st *state) pushCtx(c callCtx) (*callCtx, int) {
	st.ctxs = append(st.ctxs, c)
	i := len(st.ctxs) - 1
	return &st.ctxs[i], i
}

func (st *state) popCtx(i int) { st.ctxs = st.ctxs[:i] }

// charge accounts for a value a function produced.
func (st *state) charge(v Value) error {
	n := v.size()
	st.produced += n
	switch {
	case n > MaxValueBytes:
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrValueTooLarge, n, MaxValueBytes)
	case v.Len() > MaxValues:
		return fmt.Errorf("%w: %d values, the limit is %d", ErrValueTooLarge, v.Len(), MaxValues)
	case st.produced > MaxEvalBytes:
		return fmt.Errorf("%w: evaluation produced more than %d bytes", ErrValueTooLarge, MaxEvalBytes)
	}
	return nil
}

type cnode interface {
	eval(st *state) (Value, error)
}

type cConst struct{ v Value }

func (n cConst) eval(*state) (Value, error) { return n.v, nil }

type cAttr struct{ name string }

func (n cAttr) eval(st *state) (Value, error) { return st.env.Attrs[n.name], nil }

// cIgnore is the bare word IgnoreAttributeFlow.
type cIgnore struct{}

func (cIgnore) eval(*state) (Value, error) { return Null(), ErrIgnoreFlow }

type cCall struct {
	fn        *builtin
	args      []cnode
	pos       Pos
	omitted   []bool
	static    any
	sensitive bool // inside a Redact argument: errors must not quote values
}

// eval calls the function. A result computed from a redacted argument is
// itself redacted, and so is the text of an error such a call raises.
func (n *cCall) eval(st *state) (Value, error) {
	var (
		v       Value
		err     error
		tainted bool
	)
	c, ci := st.pushCtx(callCtx{st: st, pos: n.pos, omitted: n.omitted, static: n.static})
	if n.fn.lazy != nil {
		base := len(st.thunks)
		for _, a := range n.args {
			st.thunks = append(st.thunks, thunk{n: a, st: st, tainted: &tainted})
		}
		thunks := st.thunks[base:len(st.thunks):len(st.thunks)]
		v, err = n.fn.lazy(c, thunks)
		clear(st.thunks[base:])
		st.thunks = st.thunks[:base]
	} else {
		vals, base := st.pushArgs(len(n.args))
		for i, a := range n.args {
			if vals[i], err = a.eval(st); err != nil {
				st.popArgs(base)
				st.popCtx(ci)
				return Null(), err
			}
			tainted = tainted || vals[i].redacted
		}
		v, err = n.fn.eager(c, vals)
		st.popArgs(base)
	}
	st.popCtx(ci)
	if err == nil {
		err = st.charge(v)
	}
	if err == nil {
		if tainted {
			v = v.Redact()
		}
		return v, nil
	}
	var ee *EvalError
	if errors.Is(err, ErrIgnoreFlow) || errors.As(err, &ee) {
		return Null(), err
	}
	return Null(), &EvalError{Pos: n.pos, Func: n.fn.name, Err: err, Redacted: tainted || n.sensitive}
}

type cCmp struct {
	op   CmpOp
	at   Pos
	l, r cnode
}

func (n cCmp) eval(st *state) (Value, error) {
	a, err := n.l.eval(st)
	if err != nil {
		return Null(), err
	}
	b, err := n.r.eval(st)
	if err != nil {
		return Null(), err
	}
	c, err := compareValues(a, b)
	if err != nil {
		return Null(), &EvalError{Pos: n.at, Func: n.op.String(), Err: err, Redacted: a.redacted || b.redacted}
	}
	var r bool
	switch n.op {
	case OpEq:
		r = c == 0
	case OpNe:
		r = c != 0
	case OpLt:
		r = c < 0
	case OpLe:
		r = c <= 0
	case OpGt:
		r = c > 0
	default:
		r = c >= 0
	}
	if a.redacted || b.redacted {
		return Bool(r).Redact(), nil
	}
	return Bool(r), nil
}

// compareValues orders two scalars. Null compares as "" (so [x]="" holds for
// an absent x, which Entra's IIF gets wrong). A date compares with a date or
// date text as instants.
// When both sides are decimal numbers they compare numerically
// ([StatusRehire]=1), otherwise as case-sensitive ordinal strings.
func compareValues(a, b Value) (int, error) {
	if ta, tb, ok := asDates(a, b); ok {
		return ta.Compare(tb), nil
	}
	as, err := scalar(a)
	if err != nil {
		return 0, err
	}
	bs, err := scalar(b)
	if err != nil {
		return 0, err
	}
	if isDecimal(as) && isDecimal(bs) {
		x, _ := strconv.ParseFloat(strings.TrimSpace(as), 64)
		y, _ := strconv.ParseFloat(strings.TrimSpace(bs), 64)
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
		return 0, nil
	}
	return strings.Compare(as, bs), nil
}

// asDates returns both sides as instants when one is a date and the other
// a date or text that reads as one (CDate([hire]) > "1/1/2020").
func asDates(a, b Value) (time.Time, time.Time, bool) {
	if a.kind != KindDate && b.kind != KindDate {
		return time.Time{}, time.Time{}, false
	}
	ta, okA, errA := dateArg(a)
	tb, okB, errB := dateArg(b)
	return ta, tb, okA && okB && errA == nil && errB == nil
}

// isDecimal reports whether s (ignoring surrounding spaces) is -?digits[.digits].
func isDecimal(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasFrac || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// scalar returns the text of a single value; null is "". A multi-valued
// value with more than one value is an error.
func scalar(v Value) (string, error) {
	if v.Len() > 1 {
		return "", argErr("expected a single value, got %d values", v.Len())
	}
	return v.AsString(), nil
}

// truth interprets a condition: a boolean, "True"/"False" in any case, or a
// number (non-zero is true). Null and "" are false: Entra documents that a
// condition on a null or empty attribute "fails", and the false branch is
// what admins expect.
func truth(v Value) (bool, error) {
	if v.kind == KindBool {
		return v.b, nil
	}
	s, err := scalar(v)
	if err != nil {
		return false, err
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "" || strings.EqualFold(s, "false"):
		return false, nil
	case strings.EqualFold(s, "true"):
		return true, nil
	case isDecimal(s):
		f, _ := strconv.ParseFloat(s, 64)
		return f != 0, nil
	}
	return false, argErr("condition must be True or False, got %q", s)
}

// integer parses a whole-number argument such as a length or an index.
func integer(v Value, what string) (int, error) {
	s, err := scalar(v)
	if err != nil {
		return 0, err
	}
	if v.IsNull() {
		return 0, argErr("%s is missing", what)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, argErr("%s must be a whole number, got %q", what, s)
	}
	return n, nil
}
