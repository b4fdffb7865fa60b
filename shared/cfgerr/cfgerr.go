// Package cfgerr is the error type of configuration validation: every
// problem names the field it is about, so an admin reads
// "domains[0].urls[1]: ..." instead of guessing.
//
//	errs = append(errs, cfgerr.Field("cloud.addr", "%q is not host:port", addr))
//	return errors.Join(errs...)
package cfgerr

import "fmt"

// FieldError names the configuration field that is wrong.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Field returns a *FieldError for field with a formatted cause (%w works).
func Field(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
