package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting; a BulkRequest needs six levels.
const maxJSONDepth = 32

type jkind uint8

const (
	jNull jkind = iota
	jString
	jNumber
	jBool
	jObject
	jArray
)

var jkindNames = [...]string{"null", "string", "number", "boolean", "object", "array"}

func (k jkind) String() string { return jkindNames[k] }

// jval is a decoded JSON value that keeps object members in order,
// duplicates included.
type jval struct {
	kind    jkind
	text    string // string contents or number literal
	b       bool
	members []jmember
	elems   []jval
}

type jmember struct {
	key string
	val jval
}

// decodeJSON checks syntax with the scanner (whose offsets are exact), then
// builds the tree. Errors are *Error values with status 400.
func decodeJSON(body []byte) (jval, error) {
	if !utf8.Valid(body) {
		off := invalidUTF8Offset(body)
		return jval{}, single(400, TypeInvalidSyntax, "", "request body is not valid UTF-8 at %s", lineCol(body, off))
	}
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return jval{}, single(400, TypeInvalidSyntax, "", "invalid JSON at %s: %s",
				lineCol(body, syntaxOffset(body, se)), se.Error())
		}
		return jval{}, single(400, TypeInvalidSyntax, "", "invalid JSON: %s", err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jval{}, single(400, TypeInvalidSyntax, "", "invalid JSON: %s", err.Error())
	}
	return v, nil
}

// syntaxOffset returns the byte offset a scanner error points at. The
// scanner reports how many bytes it read, so a bad character sits at
// Offset-1, except when the input simply ended: then appending a space moves
// the error, and the position is the end of the body.
func syntaxOffset(body []byte, se *json.SyntaxError) int {
	off := int(se.Offset)
	if off < len(body) {
		return max(off-1, 0)
	}
	var raw json.RawMessage
	var again *json.SyntaxError
	if err := json.Unmarshal(append(bytes.Clone(body), ' '), &raw); errors.As(err, &again) && int(again.Offset) > off {
		return len(body)
	}
	return max(off-1, 0)
}

func decodeValue(dec *json.Decoder, depth int) (jval, error) {
	if depth > maxJSONDepth {
		return jval{}, fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return jval{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jval{kind: jNull}, nil
	case bool:
		return jval{kind: jBool, b: t}, nil
	case json.Number:
		return jval{kind: jNumber, text: t.String()}, nil
	case string:
		return jval{kind: jString, text: t}, nil
	case json.Delim:
		if t == '{' {
			return decodeObject(dec, depth)
		}
		return decodeArray(dec, depth)
	}
	return jval{}, fmt.Errorf("unexpected token %v", tok)
}

func decodeObject(dec *json.Decoder, depth int) (jval, error) {
	v := jval{kind: jObject}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jval{}, err
		}
		key, _ := tok.(string)
		val, err := decodeValue(dec, depth+1)
		if err != nil {
			return jval{}, err
		}
		v.members = append(v.members, jmember{key: key, val: val})
	}
	return v, closeDelim(dec)
}

func decodeArray(dec *json.Decoder, depth int) (jval, error) {
	v := jval{kind: jArray}
	for dec.More() {
		val, err := decodeValue(dec, depth+1)
		if err != nil {
			return jval{}, err
		}
		v.elems = append(v.elems, val)
	}
	return v, closeDelim(dec)
}

func closeDelim(dec *json.Decoder) error {
	_, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w <= 1 {
			return i
		}
		i += w
	}
	return len(b)
}

// lineCol renders byte offset off as "line L, column C" (1-based, columns in
// characters).
func lineCol(b []byte, off int) string {
	line, col := 1, 1
	for i := 0; i < off && i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += w
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}
