package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// raw is one JSON value of the input, decoded lazily so every problem can
// name its path.
type raw = json.RawMessage

func isNull(r raw) bool {
	t := bytes.TrimSpace(r)
	return len(t) == 0 || string(t) == "null"
}

// odataFields may appear on any Graph object.
var odataFields = []string{"@odata.type", "@odata.context", "@odata.id", "@odata.etag"}

// object decodes r as a JSON object whose keys must be among allowed (or an
// OData annotation); unknown keys are reported. ok is false for null and
// for non-objects (reported).
func (e *errs) object(path string, r raw, allowed ...string) (fields map[string]raw, ok bool) {
	if isNull(r) {
		return nil, false
	}
	if err := json.Unmarshal(r, &fields); err != nil {
		e.addf(path, "%w: expected an object, got %s", ErrType, kind(r))
		return nil, false
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) && !slices.Contains(odataFields, k) {
			e.add(join(path, k), fmt.Errorf("%w (expected one of %s)", ErrUnknownField, strings.Join(allowed, ", ")))
		}
	}
	return fields, true
}

// array decodes r as a JSON array; null is an empty array.
func (e *errs) array(path string, r raw) []raw {
	if isNull(r) {
		return nil
	}
	var items []raw
	if err := json.Unmarshal(r, &items); err != nil {
		e.addf(path, "%w: expected an array, got %s", ErrType, kind(r))
		return nil
	}
	return items
}

// str decodes r as a string; null is "".
func (e *errs) str(path string, r raw) string {
	var s string
	if isNull(r) {
		return ""
	}
	if err := json.Unmarshal(r, &s); err != nil {
		e.addf(path, "%w: expected a string, got %s", ErrType, kind(r))
	}
	return s
}

// optStr is str that tells null (nil) from "".
func (e *errs) optStr(path string, r raw) *string {
	if isNull(r) {
		return nil
	}
	s := e.str(path, r)
	return &s
}

// boolean decodes r as a boolean; null is def.
func (e *errs) boolean(path string, r raw, def bool) bool {
	if isNull(r) {
		return def
	}
	var b bool
	if err := json.Unmarshal(r, &b); err != nil {
		e.addf(path, "%w: expected true or false, got %s", ErrType, kind(r))
		return def
	}
	return b
}

// integer decodes r as a whole number; null is 0.
func (e *errs) integer(path string, r raw) int {
	if isNull(r) {
		return 0
	}
	var n int
	if err := json.Unmarshal(r, &n); err != nil {
		e.addf(path, "%w: expected a whole number, got %s", ErrType, kind(r))
	}
	return n
}

// kind names a JSON value for messages: a string "x", a number 3, an
// object, an array, true, false.
func kind(r raw) string {
	t := bytes.TrimSpace(r)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string " + shorten(string(t))
	case 't', 'f':
		return string(t)
	}
	return "a number " + shorten(string(t))
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
