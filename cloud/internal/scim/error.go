package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// SCIM error types (RFC 7644 §3.12) used in Error.ScimType.
const (
	TypeInvalidSyntax = "invalidSyntax"
	TypeInvalidValue  = "invalidValue"
	TypeInvalidPath   = "invalidPath"
	TypeTooMany       = "tooMany"
	TypeUniqueness    = "uniqueness"
)

// ErrorSchema is the schema URN of SCIM error responses.
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// MaxProblems is how many problems an Error lists before summarising.
const MaxProblems = 20

// BulkErrorSchema is the URN of the extension of a 400 error body that
// lists the problems operation by operation (see Error.Body).
const BulkErrorSchema = "urn:hrsync:params:scim:api:messages:1.0:BulkError"

// Problem is one thing wrong with a request.
type Problem struct {
	// Path locates the value, e.g. Operations[3].data.emails[0].primary.
	Path     string
	ScimType string
	Message  string
	// Operation is the index in Operations of the operation the problem
	// is in, or -1 when it concerns the request itself.
	Operation int
}

// OperationError gathers the problems of one operation.
type OperationError struct {
	// Index is the position in the request's Operations array.
	Index int
	// BulkID and ExternalID identify the operation when they could be
	// read ("" otherwise), so a client can correct and resend it.
	BulkID     string
	ExternalID string
	Problems   []Problem
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error is a rejected request: the HTTP status (400 or 413), the SCIM error
// type of the first problem, and a detail listing every problem found.
type Error struct {
	Status   int
	ScimType string
	Detail   string
	// Problems holds at most MaxProblems entries; Omitted counts the rest.
	Problems []Problem
	Omitted  int
	// Operations groups the Problems that concern an operation by
	// operation, in request order.
	Operations []OperationError
}

func (e *Error) Error() string {
	if e.ScimType == "" {
		return fmt.Sprintf("scim: %d: %s", e.Status, e.Detail)
	}
	return fmt.Sprintf("scim: %d %s: %s", e.Status, e.ScimType, e.Detail)
}

// Body renders the SCIM error response body (RFC 7644 §3.12). scimType is
// left out when empty, as RFC 7644 does for 413. When problems concern
// operations, the body carries the BulkErrorSchema extension as well:
//
//	"urn:hrsync:params:scim:api:messages:1.0:BulkError": {
//	  "operations": [{"index": 3, "bulkId": "b4", "externalId": "21004",
//	    "problems": [{"path": "Operations[3].data.active",
//	      "scimType": "invalidValue", "message": "must be a boolean, got string"}]}],
//	  "problems": [ …problems of the request itself… ],
//	  "omitted": 0
//	}
//
// Clients that only know RFC 7644 read status, scimType and detail, which
// already name every problem.
func (e *Error) Body() []byte {
	type problemJSON struct {
		Path     string `json:"path,omitempty"`
		ScimType string `json:"scimType,omitempty"`
		Message  string `json:"message"`
	}
	type opJSON struct {
		Index      int           `json:"index"`
		BulkID     string        `json:"bulkId,omitempty"`
		ExternalID string        `json:"externalId,omitempty"`
		Problems   []problemJSON `json:"problems"`
	}
	type extJSON struct {
		Operations []opJSON      `json:"operations"`
		Problems   []problemJSON `json:"problems"`
		Omitted    int           `json:"omitted"`
	}
	body := struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType,omitempty"`
		Detail   string   `json:"detail"`
		Ext      *extJSON `json:"urn:hrsync:params:scim:api:messages:1.0:BulkError,omitempty"`
	}{Schemas: []string{ErrorSchema}, Status: strconv.Itoa(e.Status), ScimType: e.ScimType, Detail: e.Detail}
	conv := func(ps []Problem) []problemJSON {
		out := make([]problemJSON, len(ps))
		for i, p := range ps {
			out[i] = problemJSON{p.Path, p.ScimType, p.Message}
		}
		return out
	}
	if len(e.Operations) > 0 {
		ext := &extJSON{Operations: make([]opJSON, len(e.Operations)), Problems: []problemJSON{}, Omitted: e.Omitted}
		for i, op := range e.Operations {
			ext.Operations[i] = opJSON{op.Index, op.BulkID, op.ExternalID, conv(op.Problems)}
		}
		var own []Problem
		for _, p := range e.Problems {
			if p.Operation < 0 {
				own = append(own, p)
			}
		}
		ext.Problems = append(ext.Problems, conv(own)...)
		body.Schemas = append(body.Schemas, BulkErrorSchema)
		body.Ext = ext
	}
	b, err := json.Marshal(body)
	if err != nil { // strings and a slice of strings always marshal
		panic("scim: marshal error body: " + err.Error())
	}
	return b
}

// problems collects Problems while a request is validated.
type problems struct {
	list    []Problem
	omitted int
	// op is the index of the operation being validated, -1 outside one;
	// idents holds what identifies each operation.
	op     int
	idents map[int]opIdent
}

type opIdent struct{ bulkID, externalID string }

func newProblems() *problems { return &problems{op: -1} }

func (ps *problems) add(path, scimType, format string, args ...any) {
	if len(ps.list) >= MaxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, Problem{Path: path, ScimType: scimType, Message: fmt.Sprintf(format, args...), Operation: ps.op})
}

// identify records the bulkId and externalId of operation i.
func (ps *problems) identify(i int, bulkID, externalID string) {
	if ps.idents == nil {
		ps.idents = map[int]opIdent{}
	}
	ps.idents[i] = opIdent{bulkID, externalID}
}

// err returns the collected problems as a 400 Error, or nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	parts := make([]string, len(ps.list))
	for i, p := range ps.list {
		parts[i] = p.String()
	}
	detail := strings.Join(parts, "; ")
	if ps.omitted > 0 {
		detail += fmt.Sprintf("; and %d more problems", ps.omitted)
	}
	e := &Error{Status: 400, ScimType: ps.list[0].ScimType, Detail: detail, Problems: ps.list, Omitted: ps.omitted}
	at := map[int]int{} // operation index → position in e.Operations
	for _, p := range ps.list {
		if p.Operation < 0 {
			continue
		}
		k, ok := at[p.Operation]
		if !ok {
			id := ps.idents[p.Operation]
			k = len(e.Operations)
			at[p.Operation] = k
			e.Operations = append(e.Operations, OperationError{Index: p.Operation, BulkID: id.bulkID, ExternalID: id.externalID})
		}
		e.Operations[k].Problems = append(e.Operations[k].Problems, p)
	}
	return e
}

// single returns an Error holding one problem.
func single(status int, scimType, path, format string, args ...any) *Error {
	p := Problem{Path: path, ScimType: scimType, Message: fmt.Sprintf(format, args...), Operation: -1}
	return &Error{Status: status, ScimType: scimType, Detail: p.String(), Problems: []Problem{p}}
}
