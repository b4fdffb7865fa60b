// Package confload is what the configuration loaders of hrsync-cloud and
// hrsync-agent share: errors that name the field they are about, so an
// admin reads "domains[0].urls[1]: ..." instead of guessing, and a strict
// YAML file overlay in which an unknown key is an error.
//
//	if err := confload.YAMLFile(path, &cfg); err != nil { ... }
//	errs = append(errs, confload.Field("cloud.addr", "%q is not host:port", addr))
//	return errors.Join(errs...)
package confload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// YAMLFile overlays the YAML file at path onto into (a pointer to a config
// struct whose fields carry yaml tags). Unknown keys are errors; an empty
// file changes nothing.
func YAMLFile(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

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
