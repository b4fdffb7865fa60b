package workdaysim

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"
)

type node = xmlquery.Node

// envelope is what the Server needs from a SOAP request.
type envelope struct {
	user, password, passwordType string
	op                           *node // the Body's element, e.g. Get_Workers_Request
}

// parseEnvelope reads a SOAP 1.1 envelope with a WS-Security UsernameToken.
// Missing credentials leave the fields empty (an authentication fault
// follows); a malformed envelope is a validation fault.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	doc, err := xmlquery.Parse(bytes.NewReader(body))
	if err != nil {
		return env, validation("Invalid request", "The request is not well-formed XML.", "/")
	}
	root := firstElement(doc)
	if root == nil || root.Data != "Envelope" || root.NamespaceURI != nsSOAP {
		return env, validation("Invalid request", "The request is not a SOAP 1.1 Envelope.", "/")
	}
	var header, bodyEl *node
	for _, c := range elements(root) {
		switch {
		case c.NamespaceURI == nsSOAP && c.Data == "Header" && header == nil && bodyEl == nil:
			header = c
		case c.NamespaceURI == nsSOAP && c.Data == "Body" && bodyEl == nil:
			bodyEl = c
		default:
			return env, validation("Invalid request", fmt.Sprintf("Unexpected element %s in the Envelope.", c.Data), "/Envelope/"+c.Data)
		}
	}
	if bodyEl == nil {
		return env, validation("Invalid request", "The Envelope has no Body.", "/Envelope/Body")
	}
	if header != nil {
		if tok := child(child(header, nsWSSE, "Security"), nsWSSE, "UsernameToken"); tok != nil {
			if u := child(tok, nsWSSE, "Username"); u != nil {
				env.user = strings.TrimSpace(u.InnerText())
			}
			if p := child(tok, nsWSSE, "Password"); p != nil {
				env.password = p.InnerText()
				env.passwordType = pwdText
				if t := p.SelectAttr("Type"); t != "" {
					env.passwordType = t
				}
			}
		}
	}
	ops := elements(bodyEl)
	if len(ops) != 1 {
		return env, validation("Invalid request", "The Body must hold exactly one request element.", "/Envelope/Body")
	}
	env.op = ops[0]
	if env.op.NamespaceURI != nsWD {
		return env, validation("Invalid request", fmt.Sprintf("The element %s is not in the namespace %s.", env.op.Data, nsWD), "/"+env.op.Data)
	}
	return env, nil
}

func firstElement(n *node) *node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			return c
		}
	}
	return nil
}

// elements returns n's element children.
func elements(n *node) []*node {
	var out []*node
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			out = append(out, c)
		}
	}
	return out
}

// child returns n's first element child named local in namespace ns.
func child(n *node, ns, local string) *node {
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode && c.Data == local && c.NamespaceURI == ns {
			return c
		}
	}
	return nil
}

// attr returns the attribute local of n in the Workday namespace (or in no
// namespace: clients differ), or "".
func attr(n *node, local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Name.Local == local && (a.NamespaceURI == nsWD || a.NamespaceURI == "") {
			return a.Value
		}
	}
	return ""
}

func text(n *node) string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.InnerText())
}

// sequence checks n's element children against an xsd:sequence: every
// child is in the Workday namespace, named in order, and no earlier in it
// than the child before. It returns the children.
func sequence(n *node, path string, order ...string) ([]*node, error) {
	kids := elements(n)
	last := 0
	for _, c := range kids {
		p := path + "/" + c.Data
		if c.NamespaceURI != nsWD {
			return nil, validation("Invalid request", fmt.Sprintf("The element %s is not in the namespace %s.", c.Data, nsWD), p)
		}
		i := indexOf(order, c.Data)
		switch {
		case i < 0:
			return nil, validation("Invalid request", fmt.Sprintf("The element %s is not expected in %s.", c.Data, n.Data), p)
		case i < last:
			return nil, validation("Invalid request", fmt.Sprintf("The element %s is out of order in %s: it must come before %s.", c.Data, n.Data, order[last]), p)
		}
		last = i
	}
	return kids, nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// boolean reads an xsd:boolean.
func boolean(n *node, path string) (bool, error) {
	switch text(n) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, validation("Invalid request", fmt.Sprintf("%q is not a boolean.", text(n)), path)
}

// instant reads an xsd:dateTime, or an xsd:date (with or without an offset)
// as the start of that day in its offset, else in the tenant's zone.
func instant(n *node, path string, tz *time.Location) (time.Time, error) {
	s := text(n)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, tz); err == nil {
			return t, nil
		}
	}
	if len(s) >= 10 {
		if d, err := time.ParseInLocation("2006-01-02", s[:10], tz); err == nil {
			if s[10:] == "" {
				return d, nil
			}
			if z, err := time.Parse("Z07:00", s[10:]); err == nil {
				return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, z.Location()), nil
			}
		}
	}
	return time.Time{}, validation("Invalid request", fmt.Sprintf("%q is not a date or dateTime.", s), path)
}

// fault is a SOAP fault as Workday sends it.
type fault struct {
	code   string // e.g. SOAP-ENV:Client.validationError
	msg    string // faultstring
	kind   string // Validation_Fault or Processing_Fault; "" for none
	detail string
	xpath  string
}

func (f *fault) Error() string { return f.code + ": " + f.msg }

func validation(msg, detail, xpath string) *fault {
	return &fault{code: "SOAP-ENV:Client.validationError", msg: "Validation error occurred. " + msg,
		kind: "Validation_Fault", detail: detail, xpath: xpath}
}

func invalidID(value, typ, xpath string) *fault {
	return validation("Invalid ID value.  '"+value+"' is not a valid ID value for type = '"+typ+"'", "", xpath)
}

func authentication() *fault {
	return &fault{code: "SOAP-ENV:Client.authenticationError", msg: "invalid username or password"}
}

func processing(detail string) *fault {
	return &fault{code: "SOAP-ENV:Server.processingError", msg: "Processing error occurred. " + detail,
		kind: "Processing_Fault", detail: detail}
}

func (f *fault) envelope() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<SOAP-ENV:Envelope xmlns:SOAP-ENV="` + nsSOAP + `"><SOAP-ENV:Body>` +
		`<SOAP-ENV:Fault xmlns:wd="` + nsWD + `"><faultcode>`)
	escape(&b, f.code)
	b.WriteString(`</faultcode><faultstring>`)
	escape(&b, f.msg)
	b.WriteString(`</faultstring>`)
	switch f.kind {
	case "Validation_Fault":
		b.WriteString(`<detail><wd:Validation_Fault><wd:Validation_Error><wd:Message>`)
		escape(&b, f.msg)
		b.WriteString(`</wd:Message><wd:Detail_Message>`)
		escape(&b, f.detail)
		b.WriteString(`</wd:Detail_Message><wd:Xpath>`)
		escape(&b, f.xpath)
		b.WriteString(`</wd:Xpath></wd:Validation_Error></wd:Validation_Fault></detail>`)
	case "Processing_Fault":
		b.WriteString(`<detail><wd:Processing_Fault><wd:Detail_Message>`)
		escape(&b, f.detail)
		b.WriteString(`</wd:Detail_Message></wd:Processing_Fault></detail>`)
	}
	b.WriteString(`</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
	return b.Bytes()
}
