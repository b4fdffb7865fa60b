package sfsim

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// value is one property value; the property's kind says how to read it.
type value struct {
	set bool // false: null
	s   string
	b   bool
	n   int64
	t   time.Time
}

// entity is one OData entity as a request sees it. Navigation properties
// are computed on first use, so a query pays only for what it expands or
// filters on.
type entity struct {
	t    *etype
	key  string // the URI key, e.g. PerPerson('P100231')
	vals []value
	navs []func() []*entity // by t.navs index; nil: known but not populated
	memo [][]*entity
	done []bool
	// modified lists the lastModifiedDateTime of every time slice of an
	// effective-dated entity. $filter on lastModifiedDateTime matches if
	// any slice is in range, while the row returned is still the one the
	// as-of date picks (KBA 2920680).
	modified []time.Time
}

func newEntity(typ, key string) *entity {
	t := types[typ]
	return &entity{t: t, key: key, vals: make([]value, len(t.props))}
}

func (e *entity) str(name, s string) *entity {
	if s != "" {
		e.vals[e.t.idx[name]] = value{set: true, s: s}
	}
	return e
}

func (e *entity) boolean(name string, b bool) *entity {
	e.vals[e.t.idx[name]] = value{set: true, b: b}
	return e
}

func (e *entity) num(name string, n int64) *entity {
	e.vals[e.t.idx[name]] = value{set: true, n: n}
	return e
}

func (e *entity) when(name string, t time.Time) *entity {
	if !t.IsZero() {
		e.vals[e.t.idx[name]] = value{set: true, t: t}
	}
	return e
}

func (e *entity) get(name string) (value, bool) {
	i, ok := e.t.idx[name]
	if !ok {
		return value{}, false
	}
	return e.vals[i], true
}

// link sets how navigation name is computed.
func (e *entity) link(name string, f func() []*entity) *entity {
	if e.navs == nil {
		e.navs = make([]func() []*entity, len(e.t.navs))
	}
	e.navs[e.t.navIx[name]] = f
	return e
}

// follow returns the entities navigation i leads to.
func (e *entity) follow(i int) []*entity {
	if e.navs == nil || e.navs[i] == nil {
		return nil
	}
	if e.done == nil {
		e.memo, e.done = make([][]*entity, len(e.t.navs)), make([]bool, len(e.t.navs))
	}
	if !e.done[i] {
		e.memo[i], e.done[i] = e.navs[i](), true
	}
	return e.memo[i]
}

func one(e *entity) []*entity {
	if e == nil {
		return nil
	}
	return []*entity{e}
}

// expansion is a parsed $expand: the navigations to expand at this level.
type expansion map[string]expansion

// selection is a parsed $select; nil selects everything.
type selection map[string]selection

// jsonWriter renders verbose OData v2 JSON.
type jsonWriter struct {
	b    []byte
	base string // scheme://host/odata/v2/
}

func (w *jsonWriter) entity(e *entity, ex expansion, sel selection) {
	w.b = append(w.b, `{"__metadata":{"uri":`...)
	w.str(w.base + e.key)
	w.b = append(w.b, `,"type":"SFOData.`...)
	w.b = append(w.b, e.t.name...)
	w.b = append(w.b, `"}`...)
	all := len(sel) == 0
	for i, p := range e.t.props {
		if _, ok := sel[p.name]; !all && !ok {
			continue
		}
		w.b = append(w.b, ',', '"')
		w.b = append(w.b, p.name...)
		w.b = append(w.b, '"', ':')
		w.value(p.kind, e.vals[i])
	}
	for i, n := range e.t.navs {
		sub, selected := sel[n.name]
		if !all && !selected {
			continue
		}
		w.b = append(w.b, ',', '"')
		w.b = append(w.b, n.name...)
		w.b = append(w.b, '"', ':')
		next, expanded := ex[n.name]
		if !expanded {
			w.b = append(w.b, `{"__deferred":{"uri":`...)
			w.str(w.base + e.key + "/" + n.name)
			w.b = append(w.b, `}}`...)
			continue
		}
		es := e.follow(i)
		if !n.many {
			if len(es) == 0 {
				w.b = append(w.b, "null"...)
			} else {
				w.entity(es[0], next, sub)
			}
			continue
		}
		w.b = append(w.b, `{"results":[`...)
		for j, c := range es {
			if j > 0 {
				w.b = append(w.b, ',')
			}
			w.entity(c, next, sub)
		}
		w.b = append(w.b, `]}`...)
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) value(k kind, v value) {
	if !v.set {
		w.b = append(w.b, "null"...)
		return
	}
	switch k {
	case kBool:
		w.b = strconv.AppendBool(w.b, v.b)
	case kInt:
		w.b = strconv.AppendInt(w.b, v.n, 10)
	case kInt64:
		w.b = append(w.b, '"')
		w.b = strconv.AppendInt(w.b, v.n, 10)
		w.b = append(w.b, '"')
	case kDate:
		w.b = append(w.b, `"/Date(`...)
		w.b = strconv.AppendInt(w.b, v.t.UnixMilli(), 10)
		w.b = append(w.b, `)/"`...)
	case kDateTime:
		w.b = append(w.b, `"/Date(`...)
		w.b = strconv.AppendInt(w.b, v.t.UnixMilli(), 10)
		w.b = append(w.b, `+0000)/"`...)
	default:
		w.str(v.s)
	}
}

// str appends s as a JSON string, keeping non-ASCII text as UTF-8.
func (w *jsonWriter) str(s string) {
	w.b = appendJSONString(w.b, s)
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xF])
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// keyString quotes an OData string key: 'O”Brien'.
func keyString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
