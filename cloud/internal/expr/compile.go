package expr

import (
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Program is a compiled expression. It is immutable and safe for concurrent
// use by multiple goroutines.
type Program struct {
	src     string
	root    cnode
	attrs   []string
	redacts bool
}

// Env is what an evaluation reads: the source attributes, the clock, the
// randomness and the target directory's uniqueness oracle. Only Attrs is
// needed by most expressions; a function that needs a missing field fails
// with ErrNotConfigured (Unique, DefaultDomain) or uses the system default
// (Now, Rand).
type Env struct {
	// Attrs are the source attributes by exact (case-sensitive) name. A
	// missing name reads as null.
	Attrs map[string]Value
	// Now returns the current time for date functions; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness of RandomString and Guid; nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// Unique answers SelectUniqueValue; nil makes SelectUniqueValue fail
	// with ErrNotConfigured.
	Unique Uniqueness
	// Target is the name of the target attribute being computed; the
	// mapping layer sets it. SelectUniqueValue checks candidates against it.
	Target string
	// DefaultDomain is what DefaultDomain() returns (the DNS domain of the
	// target, e.g. "contoso.com"); empty makes it fail with ErrNotConfigured.
	DefaultDomain string
}

// Uniqueness answers SelectUniqueValue: which candidate values of the target attribute are free.
type Uniqueness interface {
	// FirstFree returns the index of the first candidate that no other directory object uses for attribute, or -1 when all are taken.
	FirstFree(attribute string, candidates []string) (int, error)
}

// identifiers are the bare words the language knows, with their values.
var identifiers = map[string]Value{
	"vbBinaryCompare": String("0"),
	"vbTextCompare":   String("1"),
}

// ignoreAttributeFlow is the bare word IgnoreAttributeFlow, which Entra's
// Workday guide uses as an IIF branch: it drops the attribute from the flow
// exactly like IgnoreFlowIfNullOrEmpty of an empty value.
const ignoreAttributeFlow = "IgnoreAttributeFlow"

// Compile parses src and resolves every function, checking names and
// argument counts. Errors are *SyntaxError values.
func Compile(src string) (*Program, error) {
	tree, err := Parse(src)
	if err != nil {
		return nil, err
	}
	c := compiler{attrs: map[string]bool{}}
	root, err := c.node(tree, place{final: true})
	if err != nil {
		return nil, err
	}
	attrs := make([]string, 0, len(c.attrs))
	for a := range c.attrs {
		attrs = append(attrs, a)
	}
	slices.Sort(attrs)
	return &Program{src: src, root: root, attrs: attrs, redacts: c.redacts}, nil
}

// MustCompile is Compile for expressions known to be valid; it panics on
// error. Use it for constants and tests.
func MustCompile(src string) *Program {
	p, err := Compile(src)
	if err != nil {
		panic("expr.MustCompile(" + src + "): " + err.Error())
	}
	return p
}

// Source returns the expression text.
func (p *Program) Source() string { return p.src }

// Attributes returns the names of the source attributes the expression
// references, sorted, without duplicates.
func (p *Program) Attributes() []string { return slices.Clone(p.attrs) }

// Redacts reports whether the expression calls Redact. Its results are then
// usually redacted (see Value.Redacted); callers can use this to treat the
// target attribute as sensitive before any evaluation, e.g. to mask its old
// value in change logs too.
func (p *Program) Redacts() bool { return p.redacts }

// Eval evaluates the program. It returns ErrIgnoreFlow (unwrapped) when
// IgnoreFlowIfNullOrEmpty fired, and *EvalError values for run-time errors;
// errors.Is(err, ErrUniqueExhausted) tells an exhausted SelectUniqueValue.
func (p *Program) Eval(env Env) (Value, error) {
	st := statePool.Get().(*state)
	st.env, st.produced = env, 0
	v, err := p.root.eval(st)
	st.env = Env{} // drop references to the caller's data
	statePool.Put(st)
	return v, err
}

// statePool recycles evaluation states and their argument stacks; a
// mapping evaluates tens of expressions per worker.
var statePool = sync.Pool{New: func() any {
	return &state{args: make([]Value, 0, 32), ctxs: make([]callCtx, 0, 16), thunks: make([]thunk, 0, 16)}
}}

type compiler struct {
	attrs   map[string]bool
	redacts bool
}

// place describes where a node sits: whether its value is the attribute's
// final value, and whether it is inside a Redact argument.
type place struct {
	final     bool
	sensitive bool
}

func (c *compiler) node(n Node, at place) (cnode, error) {
	switch n := n.(type) {
	case *AttrRef:
		c.attrs[n.Name] = true
		return cAttr{name: n.Name}, nil
	case *StringLit:
		return cConst{v: String(n.Value)}, nil
	case *NumberLit:
		return cConst{v: String(n.Value)}, nil
	case *Empty:
		return cConst{v: Null()}, nil
	case *Ident:
		return c.ident(n)
	case *Compare:
		inner := place{sensitive: at.sensitive}
		l, err := c.node(n.Left, inner)
		if err != nil {
			return nil, err
		}
		r, err := c.node(n.Right, inner)
		if err != nil {
			return nil, err
		}
		return cCmp{op: n.Op, at: n.At, l: l, r: r}, nil
	case *Call:
		return c.call(n, at)
	}
	return nil, errors.New("expr: unknown node type")
}

func (c *compiler) ident(n *Ident) (cnode, error) {
	if v, ok := identifiers[n.Name]; ok {
		return cConst{v: v}, nil
	}
	if n.Name == ignoreAttributeFlow {
		return cIgnore{}, nil
	}
	if n.Name == "IgnoreObjectFlow" {
		return nil, syntaxErr(ErrUnknownIdentifier, n.At, "use the job's scoping filter to keep a record out of provisioning",
			"IgnoreObjectFlow is not supported: an expression computes one attribute and cannot skip the whole object")
	}
	if _, ok := builtins[n.Name]; ok || slices.Contains(plannedFunctions, n.Name) {
		return nil, syntaxErr(ErrUnknownIdentifier, n.At, "call it with parentheses: "+n.Name+"(…)",
			"function %s used without arguments", n.Name)
	}
	if strings.EqualFold(n.Name, "true") || strings.EqualFold(n.Name, "false") {
		return nil, syntaxErr(ErrUnknownIdentifier, n.At, `booleans are the strings "True" and "False"; quote it`,
			"unknown identifier %q", n.Name)
	}
	hint := ""
	if s := suggest(n.Name, identifierNames()); s != "" {
		hint = "did you mean " + quote(s) + "?"
	}
	return nil, syntaxErr(ErrUnknownIdentifier, n.At, hint, "unknown identifier %q", n.Name)
}

func (c *compiler) call(n *Call, at place) (cnode, error) {
	b, ok := builtins[n.Name]
	if !ok {
		if slices.Contains(plannedFunctions, n.Name) {
			return nil, syntaxErr(ErrNotImplemented, n.At, "", "function %s is not implemented yet", n.Name)
		}
		hint := ""
		if s := suggest(n.Name, functionNames()); s != "" {
			hint = "did you mean " + quote(s) + "?"
			if strings.EqualFold(s, n.Name) {
				hint += " function names are case-sensitive"
			}
		}
		return nil, syntaxErr(ErrUnknownFunction, n.At, hint, "unknown function %q", n.Name)
	}
	if msg := b.arity.check(len(n.Args)); msg != "" {
		return nil, syntaxErr(ErrArity, n.At, "", "%s %s", n.Name, msg)
	}
	if b.final && !at.final {
		return nil, syntaxErr(ErrArgument, n.At, "use it at the top level, or as a value of IIF, Switch or Coalesce",
			"%s must compute the attribute's final value: its candidates are checked against the target as they are", n.Name)
	}
	if n.Name == "Redact" {
		c.redacts = true
	}
	args := make([]cnode, len(n.Args))
	omitted := make([]bool, len(n.Args))
	for i, a := range n.Args {
		_, omitted[i] = a.(*Empty)
		inner := place{
			final:     at.final && b.passes != nil && b.passes(i, len(n.Args)),
			sensitive: at.sensitive || n.Name == "Redact",
		}
		cn, err := c.node(a, inner)
		if err != nil {
			return nil, err
		}
		args[i] = cn
	}
	call := &cCall{fn: b, args: args, pos: n.At, omitted: omitted, sensitive: at.sensitive}
	if b.prep != nil {
		static, err := b.prep(n.Args)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				return nil, se
			}
			kind := ErrArgument
			if errors.Is(err, ErrNotApplicable) {
				kind = ErrNotApplicable
			}
			return nil, syntaxErr(kind, n.At, "", "%s: %v", n.Name, err)
		}
		call.static = static
	}
	return call, nil
}

func quote(s string) string { return `"` + s + `"` }

func functionNames() []string {
	names := slices.Clone(plannedFunctions)
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func identifierNames() []string {
	names := make([]string, 0, len(identifiers))
	for n := range identifiers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Functions returns the names of every function of the language, sorted.
func Functions() []string {
	names := make([]string, 0, len(builtinList))
	for _, b := range builtinList {
		names = append(names, b.name)
	}
	slices.Sort(names)
	return names
}
