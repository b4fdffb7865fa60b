package sfsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// filter is a parsed $filter expression over PerPerson.
type filter interface {
	match(e *entity) bool
}

// queryError is an OData error the emulator answers with status 400.
type queryError struct {
	code, msg string
}

func (e *queryError) Error() string { return e.code + ": " + e.msg }

func badQuery(code, format string, args ...any) error {
	return &queryError{code: code, msg: fmt.Sprintf(format, args...)}
}

// lexeme is one lexical lexeme of a $filter.
type lexeme struct {
	kind byte // '(' ')' ',' 'i' ident/path, 's' string, 'n' number, 'd' datetime, 'o' datetimeoffset, 0 end
	text string
	pos  int
}

func lex(s string) ([]lexeme, error) {
	var ts []lexeme
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',':
			ts = append(ts, lexeme{kind: c, text: string(c), pos: i})
			i++
		case c == '\'':
			str, n, err := quoted(s, i)
			if err != nil {
				return nil, err
			}
			ts = append(ts, lexeme{kind: 's', text: str, pos: i})
			i += n
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && strings.ContainsRune("LlMmDdFf", rune(s[j])) {
				j++
			}
			ts = append(ts, lexeme{kind: 'n', text: s[i:j], pos: i})
			i = j
		case isIdent(c):
			j := i
			for j < len(s) && (isIdent(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '/' || s[j] == '.') {
				j++
			}
			word := s[i:j]
			if j < len(s) && s[j] == '\'' && (word == "datetime" || word == "datetimeoffset") {
				str, n, err := quoted(s, j)
				if err != nil {
					return nil, err
				}
				k := byte('d')
				if word == "datetimeoffset" {
					k = 'o'
				}
				ts = append(ts, lexeme{kind: k, text: str, pos: i})
				i = j + n
				continue
			}
			ts = append(ts, lexeme{kind: 'i', text: word, pos: i})
			i = j
		default:
			return nil, badQuery("COE_BAD_REQUEST", "$filter: unexpected character %q at position %d", c, i)
		}
	}
	return append(ts, lexeme{pos: len(s)}), nil
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// quoted reads the '...' literal at s[i], where ” stands for one quote.
func quoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != '\'' {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return b.String(), j + 1 - i, nil
	}
	return "", 0, badQuery("COE_BAD_REQUEST", "$filter: unterminated string literal at position %d", i)
}

type parser struct {
	ts  []lexeme
	i   int
	top *etype
}

// parseFilter parses the subset of OData v2 $filter syntax the connector's
// queries use (successfactors-protocol.md §7): eq ne gt ge lt le, in (with
// or without parentheses), and, or, parentheses, navigation paths and
// string, number, boolean, null, datetime'…' and datetimeoffset'…'
// literals. Anything else is refused with an error naming it.
func parseFilter(s string, top *etype) (filter, error) {
	ts, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{ts: ts, top: top}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, badQuery("COE_BAD_REQUEST", "$filter: unexpected %q at position %d", t.text, t.pos)
	}
	return f, nil
}

func (p *parser) peek() lexeme { return p.ts[p.i] }
func (p *parser) next() lexeme {
	t := p.ts[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

func (p *parser) keyword(w string) bool {
	if t := p.peek(); t.kind == 'i' && t.text == w {
		p.i++
		return true
	}
	return false
}

type boolOp struct {
	and  bool
	l, r filter
}

func (b boolOp) match(e *entity) bool {
	if b.and {
		return b.l.match(e) && b.r.match(e)
	}
	return b.l.match(e) || b.r.match(e)
}

func (p *parser) or() (filter, error) {
	l, err := p.and()
	for err == nil && p.keyword("or") {
		var r filter
		if r, err = p.and(); err == nil {
			l = boolOp{l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) and() (filter, error) {
	l, err := p.unary()
	for err == nil && p.keyword("and") {
		var r filter
		if r, err = p.unary(); err == nil {
			l = boolOp{and: true, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) unary() (filter, error) {
	t := p.peek()
	switch {
	case t.kind == '(':
		p.next()
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != ')' {
			return nil, badQuery("COE_BAD_REQUEST", "$filter: expected ) at position %d", c.pos)
		}
		return f, nil
	case t.kind == 'i' && t.text == "not":
		return nil, badQuery("COE_BAD_REQUEST", "$filter: operator not is not supported")
	case t.kind == 'i' && p.ts[p.i+1].kind == '(':
		return nil, badQuery("COE_BAD_REQUEST", "$filter: function %s is not supported", t.text)
	case t.kind == 'i':
		return p.comparison()
	case t.kind == 0:
		return nil, badQuery("COE_BAD_REQUEST", "$filter: unexpected end of expression")
	}
	return nil, badQuery("COE_BAD_REQUEST", "$filter: expected a property path at position %d, found %q", t.pos, t.text)
}

// path is a property path from the top entity: navigations, then a
// property (or, for null tests, a final navigation).
type path struct {
	text string
	navs []int
	prop int // -1 when the path ends on a navigation
	kind kind
}

func (p *parser) path(text string) (path, error) {
	segs := strings.Split(text, "/")
	t := p.top
	out := path{text: text, prop: -1}
	for i, s := range segs {
		last := i == len(segs)-1
		if n, ni, ok := t.nav(s); ok {
			out.navs = append(out.navs, ni)
			t = types[n.target]
			continue
		}
		if j, ok := t.idx[s]; ok && last {
			out.prop, out.kind = j, t.props[j].kind
			continue
		}
		return path{}, badQuery("COE_PROPERTY_NOT_FOUND", "Invalid property names: %s/%s. Please check the property name in $filter.", t.name, s)
	}
	return out, nil
}

type literal struct {
	null bool
	kind kind
	v    value
	text string
}

func (p *parser) literal() (literal, error) {
	t := p.next()
	switch t.kind {
	case 's':
		return literal{kind: kString, v: value{set: true, s: t.text}, text: "'" + t.text + "'"}, nil
	case 'n':
		n, err := strconv.ParseInt(strings.TrimRight(t.text, "LlMmDdFf"), 10, 64)
		if err != nil {
			return literal{}, badQuery("COE_BAD_REQUEST", "$filter: bad number %s", t.text)
		}
		return literal{kind: kInt, v: value{set: true, n: n}, text: t.text}, nil
	case 'd', 'o':
		tm, err := parseLiteralTime(t.text, t.kind == 'o')
		if err != nil {
			return literal{}, badQuery("COE_BAD_REQUEST", "$filter: bad date-time literal %q: %v", t.text, err)
		}
		k := kDate
		if t.kind == 'o' {
			k = kDateTime
		}
		return literal{kind: k, v: value{set: true, t: tm}, text: t.text}, nil
	case 'i':
		switch t.text {
		case "null":
			return literal{null: true, text: "null"}, nil
		case "true", "false":
			return literal{kind: kBool, v: value{set: true, b: t.text == "true"}, text: t.text}, nil
		}
	}
	if t.kind == 0 {
		return literal{}, badQuery("COE_BAD_REQUEST", "$filter: expected a literal at the end of the expression")
	}
	return literal{}, badQuery("COE_BAD_REQUEST", "$filter: expected a literal at position %d, found %q", t.pos, t.text)
}

// parseLiteralTime reads datetime'2023-06-01T00:00:00' (UTC when no zone
// is given) and datetimeoffset'2023-06-01T00:00:00Z'.
func parseLiteralTime(s string, offset bool) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if offset {
		return time.Time{}, fmt.Errorf("want yyyy-MM-ddTHH:mm:ssZ")
	}
	return time.Time{}, fmt.Errorf("want yyyy-MM-ddTHH:mm:ss")
}

var comparators = map[string]bool{"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true}

func (p *parser) comparison() (filter, error) {
	pt, err := p.path(p.next().text)
	if err != nil {
		return nil, err
	}
	op := p.next()
	if op.kind != 'i' {
		return nil, badQuery("COE_BAD_REQUEST", "$filter: expected an operator after %s", pt.text)
	}
	if op.text == "in" {
		return p.in(pt)
	}
	if !comparators[op.text] {
		return nil, badQuery("COE_BAD_REQUEST", "$filter: operator %s is not supported", op.text)
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if err := compatible(pt, op.text, lit); err != nil {
		return nil, err
	}
	return compareOp{path: pt, op: op.text, lit: lit}, nil
}

func compatible(pt path, op string, lit literal) error {
	if lit.null {
		if op != "eq" && op != "ne" {
			return badQuery("COE_BAD_REQUEST", "$filter: %s %s null: only eq and ne compare with null", pt.text, op)
		}
		return nil
	}
	if pt.prop < 0 {
		return badQuery("COE_BAD_REQUEST", "$filter: navigation %s can only be compared with null", pt.text)
	}
	ok := false
	switch pt.kind {
	case kString:
		ok = lit.kind == kString
	case kInt, kInt64:
		ok = lit.kind == kInt
	case kBool:
		ok = lit.kind == kBool
	case kDate, kDateTime:
		ok = lit.kind == kDate || lit.kind == kDateTime
	}
	if !ok {
		return badQuery("COE_BAD_REQUEST", "$filter: %s is %s and cannot be compared with %s", pt.text, pt.kind, lit.text)
	}
	return nil
}

func (p *parser) in(pt path) (filter, error) {
	paren := p.peek().kind == '('
	if paren {
		p.next()
	}
	var lits []literal
	for {
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		if lit.null {
			return nil, badQuery("COE_BAD_REQUEST", "$filter: %s in: null is not allowed in a list", pt.text)
		}
		if err := compatible(pt, "eq", lit); err != nil {
			return nil, err
		}
		lits = append(lits, lit)
		if p.peek().kind != ',' {
			break
		}
		p.next()
	}
	if paren {
		if c := p.next(); c.kind != ')' {
			return nil, badQuery("COE_BAD_REQUEST", "$filter: expected ) to close the in list at position %d", c.pos)
		}
	}
	return in{path: pt, lits: lits}, nil
}

// values resolves a path from e with any-semantics over to-many
// navigations; ends reports whether the path ends on a navigation.
func (pt path) values(e *entity, fn func(v value) bool) bool {
	return walk(e, pt, 0, fn)
}

func walk(e *entity, pt path, depth int, fn func(v value) bool) bool {
	if depth == len(pt.navs) {
		if pt.prop < 0 {
			return fn(value{set: true})
		}
		if e.modified != nil && e.t.props[pt.prop].name == "lastModifiedDateTime" {
			for _, t := range e.modified {
				if fn(value{set: true, t: t}) {
					return true
				}
			}
			return false
		}
		return fn(e.vals[pt.prop])
	}
	for _, c := range e.follow(pt.navs[depth]) {
		if walk(c, pt, depth+1, fn) {
			return true
		}
	}
	return false
}

type compareOp struct {
	path path
	op   string
	lit  literal
}

func (c compareOp) match(e *entity) bool {
	return c.path.values(e, func(v value) bool {
		if c.lit.null {
			return v.set == (c.op == "ne")
		}
		if !v.set {
			return false
		}
		d := compare(c.path.kind, v, c.lit.v)
		switch c.op {
		case "eq":
			return d == 0
		case "ne":
			return d != 0
		case "gt":
			return d > 0
		case "ge":
			return d >= 0
		case "lt":
			return d < 0
		}
		return d <= 0 // le
	})
}

func compare(k kind, a, b value) int {
	switch k {
	case kInt, kInt64:
		return cmpOrdered(a.n, b.n)
	case kBool:
		if a.b == b.b {
			return 0
		}
		return 1
	case kDate, kDateTime:
		return a.t.Compare(b.t)
	}
	return strings.Compare(a.s, b.s)
}

func cmpOrdered[T int64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type in struct {
	path path
	lits []literal
}

func (f in) match(e *entity) bool {
	return f.path.values(e, func(v value) bool {
		if !v.set {
			return false
		}
		for _, l := range f.lits {
			if compare(f.path.kind, v, l.v) == 0 {
				return true
			}
		}
		return false
	})
}
