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

// Problem is one thing wrong with a request.
type Problem struct {
	// Path locates the value, e.g. Operations[3].data.emails[0].primary.
	Path     string
	ScimType string
	Message  string
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
}

func (e *Error) Error() string {
	if e.ScimType == "" {
		return fmt.Sprintf("scim: %d: %s", e.Status, e.Detail)
	}
	return fmt.Sprintf("scim: %d %s: %s", e.Status, e.ScimType, e.Detail)
}

// Body renders the SCIM error response body. scimType is left out when
// empty, as RFC 7644 does for 413.
func (e *Error) Body() []byte {
	body := struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType,omitempty"`
		Detail   string   `json:"detail"`
	}{[]string{ErrorSchema}, strconv.Itoa(e.Status), e.ScimType, e.Detail}
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
}

func (ps *problems) add(path, scimType, format string, args ...any) {
	if len(ps.list) >= MaxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, Problem{Path: path, ScimType: scimType, Message: fmt.Sprintf(format, args...)})
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
	return &Error{Status: 400, ScimType: ps.list[0].ScimType, Detail: detail, Problems: ps.list, Omitted: ps.omitted}
}

// single returns an Error holding one problem.
func single(status int, scimType, path, format string, args ...any) *Error {
	p := Problem{Path: path, ScimType: scimType, Message: fmt.Sprintf(format, args...)}
	return &Error{Status: status, ScimType: scimType, Detail: p.String(), Problems: []Problem{p}}
}
