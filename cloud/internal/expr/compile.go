package expr

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Program is a compiled expression. It is immutable and safe for concurrent
// use by multiple goroutines.
type Program struct {
	src   string
	root  cnode
	attrs []string
}

// Env is what an evaluation reads: the source attributes and the clock.
type Env struct {
	// Attrs are the source attributes by exact (case-sensitive) name. A
	// missing name reads as null.
	Attrs map[string]Value
	// Now returns the current time for date functions; nil means time.Now.
	Now func() time.Time
}

// identifiers are the bare words the language knows, with their values.
var identifiers = map[string]Value{
	"vbBinaryCompare": String("0"),
	"vbTextCompare":   String("1"),
}

// Compile parses src and resolves every function, checking names and
// argument counts. Errors are *SyntaxError values.
func Compile(src string) (*Program, error) {
	tree, err := Parse(src)
	if err != nil {
		return nil, err
	}
	c := compiler{attrs: map[string]bool{}}
	root, err := c.node(tree)
	if err != nil {
		return nil, err
	}
	attrs := make([]string, 0, len(c.attrs))
	for a := range c.attrs {
		attrs = append(attrs, a)
	}
	slices.Sort(attrs)
	return &Program{src: src, root: root, attrs: attrs}, nil
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

// Eval evaluates the program. It returns ErrIgnoreFlow (unwrapped) when
// IgnoreFlowIfNullOrEmpty fired, and *EvalError values for run-time errors.
func (p *Program) Eval(env Env) (Value, error) {
	st := &state{env: env}
	return p.root.eval(st)
}

type compiler struct {
	attrs map[string]bool
}

func (c *compiler) node(n Node) (cnode, error) {
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
		l, err := c.node(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.node(n.Right)
		if err != nil {
			return nil, err
		}
		return cCmp{op: n.Op, l: l, r: r}, nil
	case *Call:
		return c.call(n)
	}
	return nil, errors.New("expr: unknown node type")
}

func (c *compiler) ident(n *Ident) (cnode, error) {
	if v, ok := identifiers[n.Name]; ok {
		return cConst{v: v}, nil
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

func (c *compiler) call(n *Call) (cnode, error) {
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
	args := make([]cnode, len(n.Args))
	for i, a := range n.Args {
		cn, err := c.node(a)
		if err != nil {
			return nil, err
		}
		args[i] = cn
	}
	return &cCall{fn: b, args: args, pos: n.At}, nil
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
