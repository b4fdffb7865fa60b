package workday

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
)

// A walkPath is an XPath of the simple form most attribute paths take,
// evaluated by walking the tree instead of through the XPath engine: the
// same node set, in document order, without the engine's per-evaluation
// allocations. The form is a path of child steps wd:Name, each with
// predicates [@wd:a='v'], [@wd:a=N], or as the first, [position()=N] or
// [last()=position()],
// ending in a step, text() or @wd:a. compileWalk returns false for
// anything else, and the XPath engine evaluates it.
type walkPath struct {
	steps []walkStep
	tail  walkTail
	attr  string // the attribute of tailAttr
}

// xpathNumber is XPath 1.0's Number, with an optional minus: what number()
// turns into something other than NaN.
var xpathNumber = regexp.MustCompile(`^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

type walkTail int

const (
	tailElement walkTail = iota // the elements' string values
	tailText                    // text()
	tailAttr                    // @wd:attr
)

type walkStep struct {
	local string
	preds []walkPred
}

type walkPred struct {
	kind  predKind
	attr  string
	value string
	num   float64
	pos   int
}

type predKind int

const (
	predAttrEq  predKind = iota // [@wd:a='v']
	predAttrNum                 // [@wd:a=N]
	predPos                     // [position()=N]
	predLast                    // [last()=position()]
)

// compileWalk recognises the simple form; false means "use XPath".
func compileWalk(path string) (*walkPath, bool) {
	path = strings.TrimPrefix(path, "/") // from the document either way
	segs, ok := splitSteps(path)
	if !ok || len(segs) == 0 {
		return nil, false
	}
	w := &walkPath{}
	for i, s := range segs {
		last := i == len(segs)-1
		switch {
		case last && s == "text()":
			w.tail = tailText
			continue
		case last && strings.HasPrefix(s, "@wd:") && isName(s[4:]):
			w.tail, w.attr = tailAttr, s[4:]
			continue
		}
		name, preds, _ := strings.Cut(s, "[")
		local, ok := strings.CutPrefix(name, "wd:")
		if !ok || !isName(local) {
			return nil, false
		}
		st := walkStep{local: local}
		if preds != "" {
			for j, p := range strings.Split(strings.TrimSuffix(preds, "]"), "][") {
				wp, ok := compilePred(p)
				// A positional predicate after another one is left to the
				// engine: antchfx counts last() there over the unfiltered
				// set, and one behaviour is better than two.
				if !ok || (j > 0 && (wp.kind == predPos || wp.kind == predLast)) {
					return nil, false
				}
				st.preds = append(st.preds, wp)
			}
		}
		w.steps = append(w.steps, st)
	}
	return w, len(w.steps) > 0
}

// splitSteps splits a path at the slashes outside predicates and quotes;
// it refuses // and anything with parentheses outside predicates other
// than a final text().
func splitSteps(p string) ([]string, bool) {
	var out []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '/' && depth == 0:
			if i == start {
				return nil, false // //
			}
			out = append(out, p[start:i])
			start = i + 1
		case depth == 0 && (c == '(' || c == '|' || c == ' ' || c == '*' || c == ':' && strings.HasPrefix(p[i:], "::")):
			if !strings.HasPrefix(p[i:], "()") || p[start:i] != "text" {
				return nil, false
			}
		}
	}
	if quote != 0 || depth != 0 || start >= len(p) {
		return nil, false
	}
	return append(out, p[start:]), true
}

func compilePred(p string) (walkPred, bool) {
	p = strings.ReplaceAll(p, " ", "")
	switch p {
	case "last()=position()", "position()=last()":
		return walkPred{kind: predLast}, true
	}
	if n, ok := strings.CutPrefix(p, "position()="); ok {
		if v, err := strconv.Atoi(n); err == nil && v > 0 {
			return walkPred{kind: predPos, pos: v}, true
		}
		return walkPred{}, false
	}
	a, v, ok := strings.Cut(p, "=")
	name, isAttr := strings.CutPrefix(a, "@wd:")
	if !ok || !isAttr || !isName(name) {
		return walkPred{}, false
	}
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] && !strings.ContainsRune(v[1:len(v)-1], rune(v[0])) {
		return walkPred{kind: predAttrEq, attr: name, value: v[1 : len(v)-1]}, true
	}
	if xpathNumber.MatchString(v) {
		f, _ := strconv.ParseFloat(v, 64)
		return walkPred{kind: predAttrNum, attr: name, num: f}, true
	}
	return walkPred{}, false
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r == '-' || r == '.' || r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// eval returns the string values of the selected nodes, in document order.
func (w *walkPath) eval(doc *xmlquery.Node) []string {
	ctx := []*xmlquery.Node{doc}
	for _, st := range w.steps {
		var next []*xmlquery.Node
		for _, n := range ctx {
			start := len(next)
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == xmlquery.ElementNode && c.Data == st.local && c.NamespaceURI == nsWD {
					next = append(next, c)
				}
			}
			// Predicates filter this context node's children in turn,
			// positions counting within what the previous one kept.
			kept := next[start:]
			for _, p := range st.preds {
				kept = p.filter(kept)
			}
			next = next[:start+len(kept)]
		}
		if ctx = next; len(ctx) == 0 {
			return nil
		}
	}
	var out []string
	for _, n := range ctx {
		switch w.tail {
		case tailElement:
			out = append(out, n.InnerText())
		case tailText:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == xmlquery.TextNode || c.Type == xmlquery.CharDataNode {
					out = append(out, c.Data)
				}
			}
		case tailAttr:
			if v, ok := wdAttr(n, w.attr); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// filter keeps, in place, the nodes the predicate holds for.
func (p walkPred) filter(ns []*xmlquery.Node) []*xmlquery.Node {
	switch p.kind {
	case predPos:
		if p.pos > len(ns) {
			return ns[:0]
		}
		ns[0] = ns[p.pos-1]
		return ns[:1]
	case predLast:
		if len(ns) == 0 {
			return ns
		}
		ns[0] = ns[len(ns)-1]
		return ns[:1]
	}
	kept := ns[:0]
	for _, n := range ns {
		v, ok := wdAttr(n, p.attr)
		if !ok {
			continue
		}
		if p.kind == predAttrEq && v == p.value {
			kept = append(kept, n)
		}
		if p.kind == predAttrNum && xpathNumber.MatchString(strings.TrimSpace(v)) {
			if f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64); f == p.num {
				kept = append(kept, n)
			}
		}
	}
	return kept
}

func wdAttr(n *xmlquery.Node, local string) (string, bool) {
	for _, a := range n.Attr {
		if a.Name.Local == local && a.NamespaceURI == nsWD {
			return a.Value, true
		}
	}
	return "", false
}
