package expr

import "fmt"

// thunk evaluates one argument of a lazy function on demand.
type thunk func() (Value, error)

// builtin is one function of the language. Exactly one of eager (arguments
// evaluated first, left to right) and lazy (the function decides which
// arguments to evaluate) is set.
type builtin struct {
	name  string
	arity arity
	eager func(args []Value) (Value, error)
	lazy  func(args []thunk) (Value, error)
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

// builtinList is the function table. Adding a function is one entry here
// plus its implementation.
var builtinList = []builtin{
	{name: "Append", arity: exactly(2), eager: fnAppend},
	{name: "Coalesce", arity: atLeast(1), lazy: fnCoalesce},
	{name: "Count", arity: exactly(1), eager: fnCount},
	{name: "IgnoreFlowIfNullOrEmpty", arity: exactly(1), eager: fnIgnoreFlowIfNullOrEmpty},
	{name: "IIF", arity: exactly(3), lazy: fnIIF},
	{name: "IsNull", arity: exactly(1), eager: fnIsNull},
	{name: "IsNullOrEmpty", arity: exactly(1), eager: fnIsNullOrEmpty},
	{name: "IsPresent", arity: exactly(1), eager: fnIsPresent},
	{name: "Item", arity: exactly(2), eager: fnItem},
	{name: "Join", arity: atLeast(2), eager: fnJoin},
	{name: "Left", arity: exactly(2), eager: fnLeft},
	{name: "Mid", arity: exactly(3), eager: fnMid},
	{name: "NormalizeDiacritics", arity: exactly(1), eager: fnNormalizeDiacritics},
	{name: "Not", arity: exactly(1), eager: fnNot},
	{name: "Split", arity: exactly(2), eager: fnSplit},
	{name: "StripSpaces", arity: exactly(1), eager: fnStripSpaces},
	{name: "Switch", arity: arity{min: 4, max: -1, even: true}, lazy: fnSwitch},
	{name: "ToLower", arity: between(1, 2), eager: fnToLower},
	{name: "ToUpper", arity: between(1, 2), eager: fnToUpper},
	{name: "Trim", arity: exactly(1), eager: fnTrim},
}

// plannedFunctions are documented functions not implemented yet; using one
// is a clear compile error rather than "unknown function".
var plannedFunctions = []string{
	"AppRoleAssignmentsComplex", "BitAnd", "CBool", "CDate", "ConvertFromBase64",
	"ConvertToBase64", "ConvertToUTF8Hex", "CStr", "DateAdd", "DateDiff", "DateFromNum",
	"DefaultDomain", "DNComponent", "Error", "FormatDateTime", "Guid", "InStr", "IsString",
	"Now", "NumFromDate", "PCase", "Prepend", "RandomString", "Redact", "RemoveDuplicates",
	"Replace", "SelectUniqueValue", "SingleAppRoleAssignment", "Word",
}

var builtins = indexBuiltins(builtinList)

func indexBuiltins(list []builtin) map[string]*builtin {
	m := make(map[string]*builtin, len(list))
	for i := range list {
		m[list[i].name] = &list[i]
	}
	return m
}
