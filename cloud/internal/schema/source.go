package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Source types of an attributeMappingSource.
const (
	SourceAttribute = "Attribute"
	SourceConstant  = "Constant"
	SourceFunction  = "Function"
)

// Source is Graph's attributeMappingSource: an expression as a tree. Name
// is the attribute name, the constant's value or the function name;
// Expression is the text form of the whole subtree.
type Source struct {
	Expression string      `json:"expression"`
	Name       string      `json:"name"`
	Parameters []Parameter `json:"parameters"`
	Type       string      `json:"type"`
}

// Parameter is one argument of a Function source. A nil Value is an
// omitted argument slot.
type Parameter struct {
	Key   string  `json:"key"`
	Value *Source `json:"value"`
}

// identifiers are the language's bare words that stand for constants; a
// tree holds their values.
var identifiers = map[string]string{"vbBinaryCompare": "0", "vbTextCompare": "1"}

// bareWords are the language's bare words that are not constants. A tree
// holds one as a function without parameters, rendered without
// parentheses.
var bareWords = []string{"IgnoreAttributeFlow"}

// SourceFromExpression parses expression text into the tree Graph stores.
// The root keeps text exactly as given; subtrees carry canonical text.
// Constants, numbers included, are string constants, as Graph keeps them.
// Omitted arguments at a named position are left out of Parameters; other
// omitted arguments are parameters without a value.
func SourceFromExpression(text string) (*Source, error) {
	n, err := expr.Parse(text)
	if err != nil {
		return nil, err
	}
	s, err := sourceOf(n)
	if err != nil {
		return nil, err
	}
	s.Expression = text
	return s, nil
}

func sourceOf(n expr.Node) (*Source, error) {
	switch n := n.(type) {
	case *expr.AttrRef:
		return attrSource(n.Name), nil
	case *expr.StringLit:
		return constSource(n.Value), nil
	case *expr.NumberLit:
		return constSource(n.Value), nil
	case *expr.Ident:
		if slices.Contains(bareWords, n.Name) {
			return &Source{Expression: n.Name, Name: n.Name, Type: SourceFunction, Parameters: []Parameter{}}, nil
		}
		v, ok := identifiers[n.Name]
		if !ok {
			return nil, fmt.Errorf("%w: unknown identifier %q", ErrInvalid, n.Name)
		}
		return constSource(v), nil
	case *expr.Compare:
		l, err := sourceOf(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := sourceOf(n.Right)
		if err != nil {
			return nil, err
		}
		s := &Source{Name: n.Op.String(), Type: SourceFunction,
			Parameters: []Parameter{{Key: cmpLeft, Value: l}, {Key: cmpRight, Value: r}}}
		s.Expression = render(s)
		return s, nil
	case *expr.Call:
		sig, known := signatures[n.Name]
		s := &Source{Name: n.Name, Type: SourceFunction, Parameters: []Parameter{}}
		for i, a := range n.Args {
			_, empty := a.(*expr.Empty)
			if empty && known && i < len(sig.fixed) {
				continue // its key places the next arguments
			}
			p := Parameter{Key: sig.key(i)}
			if !empty {
				v, err := sourceOf(a)
				if err != nil {
					return nil, err
				}
				p.Value = v
			}
			s.Parameters = append(s.Parameters, p)
		}
		s.Expression = render(s)
		return s, nil
	}
	return nil, fmt.Errorf("%w: unexpected expression node %T", ErrInvalid, n)
}

func attrSource(name string) *Source {
	return &Source{Expression: "[" + name + "]", Name: name, Type: SourceAttribute, Parameters: []Parameter{}}
}

func constSource(v string) *Source {
	return &Source{Expression: quote(v), Name: v, Type: SourceConstant, Parameters: []Parameter{}}
}

// quote writes a string constant: a backslash escapes '"' and '\'.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// render turns a tree into expression text, ignoring the Expression fields:
// Import uses it when a source has no text. Arguments are put in position
// by their keys (see signatures); unknown keys follow in order.
func render(s *Source) string {
	if s == nil {
		return ""
	}
	switch s.Type {
	case SourceAttribute:
		return "[" + s.Name + "]"
	case SourceConstant:
		return quote(s.Name)
	}
	if len(s.Parameters) == 0 && slices.Contains(bareWords, s.Name) {
		return s.Name
	}
	if len(s.Parameters) == 2 && s.Parameters[0].Key == cmpLeft && s.Parameters[1].Key == cmpRight && isComparison(s.Name) {
		return render(s.Parameters[0].Value) + " " + s.Name + " " + render(s.Parameters[1].Value)
	}
	args := arguments(s)
	texts := make([]string, len(args))
	for i, a := range args {
		texts[i] = render(a) // "" for an omitted slot
	}
	return s.Name + "(" + strings.Join(texts, ", ") + ")"
}

func isComparison(name string) bool {
	return slices.Contains([]string{"=", "<>", "<", "<=", ">", ">="}, name)
}

// arguments orders a function's parameters into argument slots; nil is an
// omitted argument. A key naming a fixed parameter takes that slot; with a
// signature that repeats parameters, any other key is one of the repeats;
// without one, any other key takes the next free slot. Every fixed slot is
// written, empty ones as omitted arguments.
func arguments(s *Source) []*Source {
	sig, ok := signatures[s.Name]
	if !ok {
		out := make([]*Source, len(s.Parameters))
		for i, p := range s.Parameters {
			out[i] = p.Value
		}
		return out
	}
	fixed := make([]*Source, len(sig.fixed))
	taken := make([]bool, len(sig.fixed))
	var rest []*Source
	for _, p := range s.Parameters {
		i := slices.Index(sig.fixed, p.Key)
		if i < 0 && len(sig.variadic) == 0 {
			i = slices.Index(taken, false)
		}
		if i < 0 || taken[i] {
			rest = append(rest, p.Value)
			continue
		}
		fixed[i], taken[i] = p.Value, true
	}
	return append(fixed, rest...)
}
