package workdaysim

import (
	"bytes"
	"unicode/utf8"
)

// xw writes Workday XML: every element and attribute in the wd: namespace.
type xw struct{ b *bytes.Buffer }

// open writes a start tag; attrs are pairs of local name and value.
func (w xw) open(name string, attrs ...string) {
	w.b.WriteString("<wd:")
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" wd:")
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		escape(w.b, attrs[i+1])
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
}

func (w xw) close(name string) {
	w.b.WriteString("</wd:")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// leaf writes <wd:name attrs>text</wd:name>.
func (w xw) leaf(name, text string, attrs ...string) {
	w.open(name, attrs...)
	escape(w.b, text)
	w.close(name)
}

// opt writes a leaf only when text is not empty.
func (w xw) opt(name, text string) {
	if text != "" {
		w.leaf(name, text)
	}
}

// boolean writes a leaf holding 1 or 0, as Workday serialises booleans.
func (w xw) boolean(name string, v bool) {
	if v {
		w.leaf(name, "1")
	} else {
		w.leaf(name, "0")
	}
}

// ref writes a reference: <wd:name wd:Descriptor="desc"><wd:ID wd:type="T">v</wd:ID>…</wd:name>;
// ids are pairs of type and value. An empty descriptor is left out.
func (w xw) ref(name, desc string, ids ...string) {
	if desc != "" {
		w.open(name, "Descriptor", desc)
	} else {
		w.open(name)
	}
	for i := 0; i+1 < len(ids); i += 2 {
		w.leaf("ID", ids[i+1], "type", ids[i])
	}
	w.close(name)
}

// escape writes s as XML character data safe in text and in attribute
// values. Characters XML 1.0 does not allow become U+FFFD.
func escape(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' {
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"':
			esc = "&#34;"
		case r == '\'':
			esc = "&#39;"
		case r == '\t':
			esc = "&#x9;"
		case r == '\n':
			esc = "&#xA;"
		case r == '\r':
			esc = "&#xD;"
		case r == utf8.RuneError && size == 1, !validXMLChar(r):
			esc = "\uFFFD"
		default:
			i += size
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(esc)
		i += size
		start = i
	}
	b.WriteString(s[start:])
}

func validXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
