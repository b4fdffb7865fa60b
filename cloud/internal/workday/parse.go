package workday

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/antchfx/xmlquery"
)

// parseXML builds an xmlquery tree from a response. It does what
// xmlquery.Parse does for well-formed, namespace-correct documents, at
// about half the cost: raw tokens, prefixes resolved here, no copy of the
// input kept, no text nodes of white space alone (the XPath navigator
// skips those anyway), no namespace declarations among the attributes.
// Unbound prefixes and mismatched tags are errors.
func parseXML(raw []byte) (*xmlquery.Node, error) {
	d := xml.NewDecoder(bytes.NewReader(raw))
	type binding struct{ prefix, uri string }
	bindings := []binding{{"xml", "http://www.w3.org/XML/1998/namespace"}}
	lookup := func(prefix string) (string, bool) {
		for i := len(bindings) - 1; i >= 0; i-- {
			if bindings[i].prefix == prefix {
				return bindings[i].uri, true
			}
		}
		return "", prefix == ""
	}
	doc := &xmlquery.Node{Type: xmlquery.DocumentNode}
	cur := doc
	var marks []int // len(bindings) at each open element
	link := func(n *xmlquery.Node) {
		n.Parent = cur
		if cur.LastChild == nil {
			cur.FirstChild = n
		} else {
			cur.LastChild.NextSibling, n.PrevSibling = n, cur.LastChild
		}
		cur.LastChild = n
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			marks = append(marks, len(bindings))
			nattr := 0
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					bindings = append(bindings, binding{a.Name.Local, a.Value})
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					bindings = append(bindings, binding{"", a.Value})
				default:
					nattr++
				}
			}
			uri, ok := lookup(t.Name.Space)
			if !ok {
				return nil, fmt.Errorf("element %s:%s: unbound prefix", t.Name.Space, t.Name.Local)
			}
			n := &xmlquery.Node{Type: xmlquery.ElementNode, Data: t.Name.Local, Prefix: t.Name.Space, NamespaceURI: uri}
			if nattr > 0 {
				n.Attr = make([]xmlquery.Attr, 0, nattr)
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
						continue
					}
					var auri string
					if a.Name.Space != "" { // unprefixed attributes are in no namespace
						if auri, ok = lookup(a.Name.Space); !ok {
							return nil, fmt.Errorf("attribute %s:%s: unbound prefix", a.Name.Space, a.Name.Local)
						}
					}
					n.Attr = append(n.Attr, xmlquery.Attr{Name: a.Name, Value: a.Value, NamespaceURI: auri})
				}
			}
			link(n)
			cur = n
		case xml.EndElement:
			if cur == doc || t.Name.Local != cur.Data || t.Name.Space != cur.Prefix {
				return nil, fmt.Errorf("unexpected end element </%s>", t.Name.Local)
			}
			bindings = bindings[:marks[len(marks)-1]]
			marks = marks[:len(marks)-1]
			cur = cur.Parent
		case xml.CharData:
			if cur == doc || len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			if l := cur.LastChild; l != nil && l.Type == xmlquery.TextNode {
				l.Data += string(t) // text split around an entity or a comment
				continue
			}
			link(&xmlquery.Node{Type: xmlquery.TextNode, Data: string(t)})
		}
	}
	if cur != doc {
		return nil, errors.New("unexpected end of document")
	}
	if doc.FirstChild == nil {
		return nil, errors.New("no root element")
	}
	return doc, nil
}

// hasFault reports whether a parsed envelope's Body holds a SOAP fault.
func hasFault(doc *xmlquery.Node) bool {
	env := doc.FirstChild
	if env == nil || env.NamespaceURI != nsSOAP || env.Data != "Envelope" {
		return false
	}
	for b := env.FirstChild; b != nil; b = b.NextSibling {
		if b.Type != xmlquery.ElementNode || b.NamespaceURI != nsSOAP || b.Data != "Body" {
			continue
		}
		for f := b.FirstChild; f != nil; f = f.NextSibling {
			if f.Type == xmlquery.ElementNode && f.NamespaceURI == nsSOAP && f.Data == "Fault" {
				return true
			}
		}
	}
	return false
}
