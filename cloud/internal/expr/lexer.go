package expr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tAttr
	tString
	tNumber
	tIdent
	tLParen
	tRParen
	tComma
	tOp
)

type token struct {
	kind tokKind
	pos  Pos
	text string // attribute name, unescaped string, number text, identifier
	num  string // canonical number value
	op   CmpOp
}

// describe renders a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tAttr:
		return "attribute [" + t.text + "]"
	case tString:
		return "string " + strconv.Quote(t.text)
	case tNumber:
		return "number " + t.text
	case tIdent:
		return strconv.Quote(t.text)
	case tLParen:
		return "'('"
	case tRParen:
		return "')'"
	case tComma:
		return "','"
	case tOp:
		return "'" + t.op.String() + "'"
	}
	return "token"
}

// lexer turns source text into tokens on demand.
type lexer struct {
	src  string
	off  int
	line int
	col  int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) pos() Pos { return Pos{Offset: l.off, Line: l.line, Col: l.col} }

// peek returns the rune at the current offset (utf8.RuneError and 0 width
// at the end).
func (l *lexer) peek() (rune, int) {
	if l.off >= len(l.src) {
		return 0, 0
	}
	return utf8.DecodeRuneInString(l.src[l.off:])
}

func (l *lexer) advance() rune {
	r, w := l.peek()
	l.off += w
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func (l *lexer) next() (token, error) {
	for {
		r, w := l.peek()
		if w == 0 || !unicode.IsSpace(r) {
			break
		}
		l.advance()
	}
	start := l.pos()
	r, w := l.peek()
	switch {
	case w == 0:
		return token{kind: tEOF, pos: start}, nil
	case r == '[':
		return l.attr(start)
	case r == '"':
		return l.str(start)
	case r == '(':
		l.advance()
		return token{kind: tLParen, pos: start}, nil
	case r == ')':
		l.advance()
		return token{kind: tRParen, pos: start}, nil
	case r == ',':
		l.advance()
		return token{kind: tComma, pos: start}, nil
	case r == '=' || r == '<' || r == '>':
		return l.op(start), nil
	case r == '&' && l.off+1 < len(l.src) && (l.src[l.off+1] == 'H' || l.src[l.off+1] == 'h'):
		return l.hex(start)
	case r == '&':
		return token{}, syntaxErr(ErrUnexpected, start, `use Join("", a, b) to concatenate`, "'&' is not an operator in this language")
	case r == '-' || isDigit(r):
		return l.number(start)
	case r == '_' || unicode.IsLetter(r):
		for {
			r, w := l.peek()
			if w == 0 || !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				break
			}
			l.advance()
		}
		return token{kind: tIdent, pos: start, text: l.src[start.Offset:l.off]}, nil
	case r == ']':
		return token{}, syntaxErr(ErrUnbalanced, start, "", "unexpected ']' with no matching '['")
	}
	return token{}, syntaxErr(ErrUnexpected, start, "", "unexpected character %q", r)
}

// attr lexes [name]. Names may contain brackets in balanced pairs and quoted
// text, as in [emails[type eq "work"].value], but not line breaks.
func (l *lexer) attr(start Pos) (token, error) {
	l.advance() // [
	depth, quoted := 1, false
	for {
		r, w := l.peek()
		if w == 0 || r == '\n' {
			return token{}, syntaxErr(ErrUnbalanced, start, "close it with ']'", "unterminated attribute reference")
		}
		l.advance()
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			depth++
		case r == ']':
			depth--
		}
		if depth == 0 {
			break
		}
	}
	name := l.src[start.Offset+1 : l.off-1]
	if strings.TrimSpace(name) == "" {
		return token{}, syntaxErr(ErrEmptyAttribute, start, "", "empty attribute name")
	}
	if strings.TrimSpace(name) != name {
		return token{}, syntaxErr(ErrEmptyAttribute, start, "remove the spaces inside the brackets",
			"attribute name %q has leading or trailing spaces", name)
	}
	return token{kind: tAttr, pos: start, text: name}, nil
}

// str lexes a double-quoted string; a backslash takes the next character
// literally (\" is a quote, \\ a backslash).
func (l *lexer) str(start Pos) (token, error) {
	l.advance() // "
	var b strings.Builder
	for {
		r, w := l.peek()
		if w == 0 {
			return token{}, syntaxErr(ErrUnterminated, start, `close it with '"'`, "unterminated string")
		}
		l.advance()
		switch r {
		case '"':
			return token{kind: tString, pos: start, text: b.String()}, nil
		case '\\':
			if _, w := l.peek(); w == 0 {
				return token{}, syntaxErr(ErrUnterminated, start, `close it with '"'`, "unterminated string")
			}
			b.WriteRune(l.advance())
		default:
			b.WriteRune(r)
		}
	}
}

func (l *lexer) op(start Pos) token {
	r := l.advance()
	n, _ := l.peek()
	op := OpEq
	switch {
	case r == '<' && n != '>' && n != '=':
		op = OpLt
	case r == '>' && n != '=':
		op = OpGt
	case r == '<' && n == '>':
		l.advance()
		op = OpNe
	case r == '<' && n == '=':
		l.advance()
		op = OpLe
	case r == '>' && n == '=':
		l.advance()
		op = OpGe
	}
	return token{kind: tOp, pos: start, op: op}
}

func (l *lexer) number(start Pos) (token, error) {
	if r, _ := l.peek(); r == '-' {
		l.advance()
	}
	digits := l.skipDigits()
	frac := false
	if r, _ := l.peek(); r == '.' && digits > 0 {
		l.advance()
		frac = true
		digits = l.skipDigits()
	}
	text := l.src[start.Offset:l.off]
	if digits == 0 || l.identTail() {
		return token{}, syntaxErr(ErrBadNumber, start, "quote text constants", "invalid number %q", l.src[start.Offset:l.off])
	}
	if frac {
		return token{kind: tNumber, pos: start, text: text, num: text}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return token{}, syntaxErr(ErrBadNumber, start, "quote it to use it as text", "number %s out of range", text)
	}
	return token{kind: tNumber, pos: start, text: text, num: strconv.FormatInt(n, 10)}, nil
}

// hex lexes a VB hex literal such as &HF7.
func (l *lexer) hex(start Pos) (token, error) {
	l.advance() // &
	l.advance() // H
	from := l.off
	for {
		r, w := l.peek()
		if w == 0 || !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			break
		}
		l.advance()
	}
	text := l.src[start.Offset:l.off]
	if l.off == from || l.identTail() {
		return token{}, syntaxErr(ErrBadNumber, start, "", "invalid hex number %q", l.src[start.Offset:l.off])
	}
	n, err := strconv.ParseInt(l.src[from:l.off], 16, 64)
	if err != nil {
		return token{}, syntaxErr(ErrBadNumber, start, "", "hex number %s out of range", text)
	}
	return token{kind: tNumber, pos: start, text: text, num: strconv.FormatInt(n, 10)}, nil
}

func (l *lexer) skipDigits() int {
	n := 0
	for {
		r, w := l.peek()
		if w == 0 || !isDigit(r) {
			return n
		}
		l.advance()
		n++
	}
}

// identTail consumes letters glued to a number ("12abc") and reports whether
// there were any.
func (l *lexer) identTail() bool {
	found := false
	for {
		r, w := l.peek()
		if w == 0 || !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return found
		}
		l.advance()
		found = true
	}
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
