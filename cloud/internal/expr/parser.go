package expr

import "unicode/utf16"

// Limits of the language.
const (
	// MaxLength is the longest accepted expression, in UTF-16 code units as
	// Entra counts characters.
	MaxLength = 10000
	// MaxDepth is the deepest accepted nesting of function calls.
	MaxDepth = 200
)

type parser struct {
	lx    *lexer
	tok   token
	depth int
}

// Parse parses src into a syntax tree without resolving function names.
// Most callers want Compile, which also checks names and arities.
func Parse(src string) (Node, error) {
	if err := checkSource(src); err != nil {
		return nil, err
	}
	p := &parser{lx: newLexer(src)}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, syntaxErr(ErrUnexpected, p.tok.pos, "", "empty expression")
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tEOF:
		return n, nil
	case tRParen:
		return nil, syntaxErr(ErrUnbalanced, p.tok.pos, "", "unexpected ')' with no matching '('")
	}
	return nil, syntaxErr(ErrUnexpected, p.tok.pos, "an expression is one value; combine values with Join or Append",
		"unexpected %s after the end of the expression", p.tok.describe())
}

func checkSource(src string) error {
	start := Pos{Line: 1, Col: 1}
	if len(src) > 4*MaxLength {
		return syntaxErr(ErrTooLong, start, "", "expression is longer than %d characters", MaxLength)
	}
	units := 0
	for i, r := range src {
		if r == '\uFFFD' && !validAt(src, i) {
			return syntaxErr(ErrInvalidUTF8, posAt(src, i), "", "invalid UTF-8 at byte %d", i)
		}
		units += utf16.RuneLen(r)
	}
	if units > MaxLength {
		return syntaxErr(ErrTooLong, start, "", "expression is %d characters long, the limit is %d", units, MaxLength)
	}
	return nil
}

// validAt reports whether the U+FFFD at byte i is really encoded there.
func validAt(src string, i int) bool {
	return len(src) >= i+3 && src[i:i+3] == "\uFFFD"
}

// posAt computes the Pos of byte offset off.
func posAt(src string, off int) Pos {
	p := Pos{Line: 1, Col: 1}
	for i, r := range src {
		if i >= off {
			break
		}
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	p.Offset = off
	return p
}

func (p *parser) next() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// expr := operand [op operand]
func (p *parser) expr() (Node, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tOp {
		return left, nil
	}
	opTok := p.tok
	if err := p.next(); err != nil {
		return nil, err
	}
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tOp {
		return nil, syntaxErr(ErrUnexpected, p.tok.pos, "nest IIF calls instead",
			"comparisons cannot be chained")
	}
	return &Compare{At: opTok.pos, Op: opTok.op, Left: left, Right: right}, nil
}

func (p *parser) operand() (Node, error) {
	t := p.tok
	switch t.kind {
	case tAttr:
		return &AttrRef{At: t.pos, Name: t.text}, p.next()
	case tString:
		return &StringLit{At: t.pos, Value: t.text}, p.next()
	case tNumber:
		return &NumberLit{At: t.pos, Text: t.text, Value: t.num}, p.next()
	case tIdent:
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.tok.kind == tLParen {
			return p.call(t)
		}
		return &Ident{At: t.pos, Name: t.text}, nil
	case tEOF:
		return nil, syntaxErr(ErrUnexpected, t.pos, "", "unexpected end of expression")
	case tRParen:
		return nil, syntaxErr(ErrUnbalanced, t.pos, "", "unexpected ')'")
	case tLParen:
		return nil, syntaxErr(ErrUnexpected, t.pos, "parentheses only follow a function name", "unexpected '('")
	}
	return nil, syntaxErr(ErrUnexpected, t.pos, "", "unexpected %s", t.describe())
}

// call parses the argument list of name; p.tok is the '('.
func (p *parser) call(name token) (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, syntaxErr(ErrTooDeep, name.pos, "", "function calls nested deeper than %d", MaxDepth)
	}
	c := &Call{At: name.pos, Name: name.text}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tRParen {
		c.Rparen = p.tok.pos
		return c, p.next()
	}
	for {
		if p.tok.kind == tComma || p.tok.kind == tRParen {
			c.Args = append(c.Args, &Empty{At: p.tok.pos})
		} else {
			arg, err := p.expr()
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, arg)
		}
		switch p.tok.kind {
		case tComma:
			if err := p.next(); err != nil {
				return nil, err
			}
			continue
		case tRParen:
			c.Rparen = p.tok.pos
			return c, p.next()
		case tEOF:
			return nil, syntaxErr(ErrUnbalanced, p.tok.pos, "add ')' at the end",
				"missing ')' to close %s( opened at %s", c.Name, c.At)
		}
		return nil, syntaxErr(ErrUnexpected, p.tok.pos, "separate arguments with ','",
			"expected ',' or ')' in %s(, found %s", c.Name, p.tok.describe())
	}
}
