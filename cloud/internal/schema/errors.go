package schema

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by PathError.
var (
	// ErrSyntax: the input is not JSON.
	ErrSyntax = errors.New("invalid JSON")
	// ErrUnknownField: a field the Graph synchronization schema does not
	// define at that place.
	ErrUnknownField = errors.New("unknown field")
	// ErrType: a field holds the wrong kind of JSON value.
	ErrType = errors.New("wrong type")
	// ErrInvalid: a value Entra would not accept either.
	ErrInvalid = errors.New("invalid value")
	// ErrUnsupported: valid in Entra, but hrsync does not implement it.
	// Nothing is ever dropped silently: the import fails instead.
	ErrUnsupported = errors.New("not supported")
	// ErrNoUserMapping: no enabled object mapping targets user objects.
	ErrNoUserMapping = errors.New("no user object mapping")
)

// PathError is a problem at one place of the schema JSON, named the way an
// admin finds it in the downloaded file:
// synchronizationRules[0].objectMappings[1].attributeMappings[7].flowType.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

// errs collects PathErrors.
type errs struct{ list []error }

func (e *errs) add(path string, err error) { e.list = append(e.list, &PathError{Path: path, Err: err}) }

// addf adds fmt.Errorf(format, args...); the format wraps a sentinel with %w.
func (e *errs) addf(path, format string, args ...any) { e.add(path, fmt.Errorf(format, args...)) }

func (e *errs) err() error { return errors.Join(e.list...) }
