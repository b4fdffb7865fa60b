package expr

import (
	"crypto/rand"
	"fmt"
	"io"
	"time"
)

// thunk evaluates one argument of a lazy function on demand.
type thunk struct {
	n  cnode
	st *state
	// tainted is set when an evaluated argument was redacted.
	tainted *bool
}

// get evaluates the argument.
func (t thunk) get() (Value, error) {
	v, err := t.n.eval(t.st)
	if v.redacted {
		*t.tainted = true
	}
	return v, err
}

// builtin is one function of the language. Exactly one of eager (arguments
// evaluated first, left to right) and lazy (the function decides which
// arguments to evaluate) is set.
type builtin struct {
	name  string
	arity arity
	eager func(c *callCtx, args []Value) (Value, error)
	lazy  func(c *callCtx, args []thunk) (Value, error)
	// prep, when set, runs at compile time on the call's arguments: it
	// rejects invalid combinations early and may precompute something
	// (a regular expression) that eval finds in callCtx.static.
	prep func(args []Node) (any, error)
	// final marks a function whose result must be the attribute's final
	// value (SelectUniqueValue): it may appear only at the top level or in
	// an argument that passes its value through unchanged.
	final bool
	// passes reports whether argument i of n is passed through unchanged as
	// the result (IIF branches, Switch values, Coalesce arguments…).
	passes func(i, n int) bool
}

// callCtx is what a function sees of its call besides the argument values.
type callCtx struct {
	st      *state
	pos     Pos
	omitted []bool // argument slots left empty, as in Replace([a], "x", , , "y", , )
	static  any    // what prep computed
}

// env is the evaluation environment.
func (c *callCtx) env() *Env { return &c.st.env }

// now is the evaluation's clock, in UTC.
func (c *callCtx) now() time.Time {
	if c.st.env.Now != nil {
		return c.st.env.Now().UTC()
	}
	return time.Now().UTC()
}

// rand is the evaluation's source of randomness.
func (c *callCtx) rand() io.Reader {
	if c.st.env.Rand != nil {
		return c.st.env.Rand
	}
	return rand.Reader
}

// given reports whether argument slot i was written (not left empty).
func (c *callCtx) given(i int) bool { return i < len(c.omitted) && !c.omitted[i] }

// pure adapts a function that needs nothing but its arguments.
func pure(f func(args []Value) (Value, error)) func(*callCtx, []Value) (Value, error) {
	return func(_ *callCtx, args []Value) (Value, error) { return f(args) }
}

// pureLazy adapts a lazy function that needs nothing but its arguments.
func pureLazy(f func(args []thunk) (Value, error)) func(*callCtx, []thunk) (Value, error) {
	return func(_ *callCtx, args []thunk) (Value, error) { return f(args) }
}

// arity is the accepted argument count: min..max (max < 0: unbounded),
// optionally even only. Omitted argument slots count.
type arity struct {
	min, max int
	even     bool
}

func exactly(n int) arity    { return arity{min: n, max: n} }
func between(a, b int) arity { return arity{min: a, max: b} }
func atLeast(n int) arity    { return arity{min: n, max: -1} }

// check returns "" if n arguments are acceptable, else what is expected.
func (a arity) check(n int) string {
	switch {
	case a.even && (n < a.min || n%2 != 0):
		return fmt.Sprintf("takes an even number of at least %d arguments (source, default, then key/value pairs), got %d", a.min, n)
	case a.min == a.max && n != a.min:
		return fmt.Sprintf("takes %s, got %d", plural(a.min), n)
	case a.max < 0 && n < a.min:
		return fmt.Sprintf("takes at least %s, got %d", plural(a.min), n)
	case a.max >= 0 && (n < a.min || n > a.max):
		return fmt.Sprintf("takes %d to %d arguments, got %d", a.min, a.max, n)
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return fmt.Sprintf("%d arguments", n)
}

// Which arguments pass their value through unchanged.
func passAll(int, int) bool    { return true }
func passFirst(i, _ int) bool  { return i == 0 }
func passIIF(i, _ int) bool    { return i == 1 || i == 2 }
func passSwitch(i, _ int) bool { return i == 1 || (i >= 3 && i%2 == 1) }

// fn is the signature of eager functions.
type fn = func(*callCtx, []Value) (Value, error)

// builtinList is the function table, one entry per function of the
// language. Implementations live in funcs_*.go by family.
var builtinList = []builtin{
	// Strings.
	{name: "Append", arity: exactly(2), eager: pure(fnAppend)},
	{name: "Prepend", arity: exactly(2), eager: pure(fnPrepend)},
	{name: "Join", arity: atLeast(2), eager: pure(fnJoin)},
	{name: "Left", arity: exactly(2), eager: pure(fnLeft)},
	{name: "Mid", arity: exactly(3), eager: pure(fnMid)},
	{name: "Word", arity: exactly(3), eager: pure(fnWord)},
	{name: "InStr", arity: between(2, 4), eager: pure(fnInStr)},
	{name: "StripSpaces", arity: exactly(1), eager: pure(fnStripSpaces)},
	{name: "Trim", arity: exactly(1), eager: pure(fnTrim)},
	{name: "ToLower", arity: between(1, 2), eager: pure(fnToLower)},
	{name: "ToUpper", arity: between(1, 2), eager: pure(fnToUpper)},
	{name: "PCase", arity: between(1, 2), eager: pure(fnPCase)},
	{name: "NormalizeDiacritics", arity: exactly(1), eager: pure(fnNormalizeDiacritics)},
	{name: "Replace", arity: exactly(7), eager: fnReplace, prep: prepReplace},
	{name: "CStr", arity: exactly(1), eager: pure(fnCStr)},
	{name: "IsString", arity: exactly(1), eager: pure(fnIsString)},
	{name: "DNComponent", arity: exactly(2), eager: pure(fnDNComponent)},
	{name: "CRef", arity: exactly(1), eager: pure(fnCRef)},

	// Encodings and numbers.
	{name: "ConvertToBase64", arity: exactly(1), eager: pure(fnConvertToBase64)},
	{name: "ConvertFromBase64", arity: between(1, 2), eager: pure(fnConvertFromBase64)},
	{name: "ConvertToUTF8Hex", arity: exactly(1), eager: pure(fnConvertToUTF8Hex)},
	{name: "StringFromSid", arity: exactly(1), eager: pure(fnStringFromSid)},
	{name: "BitAnd", arity: exactly(2), eager: pure(fnBitAnd)},

	// Multi-valued attributes.
	{name: "Split", arity: exactly(2), eager: pure(fnSplit)},
	{name: "Item", arity: exactly(2), eager: pure(fnItem)},
	{name: "Count", arity: exactly(1), eager: pure(fnCount)},
	{name: "RemoveDuplicates", arity: exactly(1), eager: pure(fnRemoveDuplicates)},

	// Logic and null tests.
	{name: "IIF", arity: exactly(3), lazy: pureLazy(fnIIF), passes: passIIF},
	{name: "Switch", arity: arity{min: 4, max: -1, even: true}, lazy: pureLazy(fnSwitch), passes: passSwitch},
	{name: "Coalesce", arity: atLeast(1), lazy: pureLazy(fnCoalesce), passes: passAll},
	{name: "Not", arity: exactly(1), eager: pure(fnNot)},
	{name: "CBool", arity: exactly(1), eager: pure(fnCBool)},
	{name: "IsNull", arity: exactly(1), eager: pure(fnIsNull)},
	{name: "IsNothing", arity: exactly(1), eager: pure(fnIsNull)},
	{name: "IsNullOrEmpty", arity: exactly(1), eager: pure(fnIsNullOrEmpty)},
	{name: "IsPresent", arity: exactly(1), eager: pure(fnIsPresent)},
	{name: "IgnoreFlowIfNullOrEmpty", arity: exactly(1), eager: pure(fnIgnoreFlowIfNullOrEmpty), passes: passFirst},
	{name: "Error", arity: exactly(1), eager: pure(fnError)},

	// Dates.
	{name: "CDate", arity: exactly(1), eager: pure(fnCDate)},
	{name: "Now", arity: exactly(0), eager: fnNow},
	{name: "DateAdd", arity: exactly(3), eager: pure(fnDateAdd), prep: prepInterval},
	{name: "DateDiff", arity: exactly(3), eager: pure(fnDateDiff), prep: prepInterval},
	{name: "DateFromNum", arity: exactly(1), eager: pure(fnDateFromNum)},
	{name: "NumFromDate", arity: exactly(1), eager: pure(fnNumFromDate)},
	{name: "FormatDateTime", arity: between(3, 4), eager: fnFormatDateTime, prep: prepFormatDateTime},

	// Generated values.
	{name: "Guid", arity: exactly(0), eager: fnGuid},
	{name: "RandomString", arity: between(5, 6), eager: fnRandomString, prep: prepRandomString},
	{name: "SelectUniqueValue", arity: atLeast(2), eager: fnSelectUniqueValue, final: true},
	{name: "Redact", arity: exactly(1), eager: pure(fnRedact), passes: passFirst},
	{name: "DefaultDomain", arity: exactly(0), eager: fnDefaultDomain},

	// Outbound-only functions: known, but a compile error for HR inbound.
	{name: "AppRoleAssignments", arity: exactly(1), eager: notApplicable("AppRoleAssignments"), prep: notApplicablePrep("AppRoleAssignments")},
	{name: "AppRoleAssignmentsComplex", arity: exactly(1), eager: notApplicable("AppRoleAssignmentsComplex"), prep: notApplicablePrep("AppRoleAssignmentsComplex")},
	{name: "AssertiveAppRoleAssignmentsComplex", arity: exactly(1), eager: notApplicable("AssertiveAppRoleAssignmentsComplex"), prep: notApplicablePrep("AssertiveAppRoleAssignmentsComplex")},
	{name: "SingleAppRoleAssignment", arity: exactly(1), eager: notApplicable("SingleAppRoleAssignment"), prep: notApplicablePrep("SingleAppRoleAssignment")},
}

// plannedFunctions are documented functions not implemented yet; using one
// is a clear compile error rather than "unknown function". Every function
// the reference documents is implemented, so the list is empty; it stays as
// the place to park a newly documented function.
var plannedFunctions = []string{}

var builtins = indexBuiltins(builtinList)

func indexBuiltins(list []builtin) map[string]*builtin {
	m := make(map[string]*builtin, len(list))
	for i := range list {
		m[list[i].name] = &list[i]
	}
	return m
}
