// Package connector names the pull-source connectors a job can use
// (workday, successfactors, csv) and builds them from a job's stored source
// settings. The cloud registers each connector once at start; the admin
// API validates settings through the registry before storing them, and the
// cycle runner opens sources through it.
package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Kind is one connector.
type Kind struct {
	// Name is how jobs refer to it, e.g. "workday".
	Name string
	// Validate checks settings without contacting the HR system; errors
	// name the offending field.
	Validate func(config []byte) error
	// Open builds the source; attributes are the source attributes the
	// job's mapping and filters read.
	Open func(ctx context.Context, config []byte, attributes []string) (source.Source, error)
	// Redact returns the settings with secrets replaced, for display.
	Redact func(config []byte) ([]byte, error)
}

// ErrUnknownKind is returned for a connector name nobody registered.
var ErrUnknownKind = errors.New("unknown source kind")

// Registry holds the connectors of one cloud.
type Registry struct {
	kinds map[string]Kind
}

// NewRegistry returns a registry of the given connectors.
func NewRegistry(kinds ...Kind) (*Registry, error) {
	r := &Registry{kinds: map[string]Kind{}}
	for _, k := range kinds {
		if k.Name == "" || k.Validate == nil || k.Open == nil {
			return nil, fmt.Errorf("connector %q: Name, Validate and Open are required", k.Name)
		}
		if _, dup := r.kinds[k.Name]; dup {
			return nil, fmt.Errorf("connector %q registered twice", k.Name)
		}
		r.kinds[k.Name] = k
	}
	return r, nil
}

// Names lists the registered connectors, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (r *Registry) kind(name string) (Kind, error) {
	k, ok := r.kinds[name]
	if !ok {
		return Kind{}, fmt.Errorf("%w %q; this cloud knows %s", ErrUnknownKind, name, strings.Join(r.Names(), ", "))
	}
	return k, nil
}

// Validate checks the settings of a connector.
func (r *Registry) Validate(name string, config []byte) error {
	k, err := r.kind(name)
	if err != nil {
		return err
	}
	return k.Validate(config)
}

// Redact returns the settings with secrets hidden; a connector without a
// Redact hides all of them.
func (r *Registry) Redact(name string, config []byte) ([]byte, error) {
	k, err := r.kind(name)
	if err != nil {
		return nil, err
	}
	if k.Redact == nil {
		return []byte(`{}`), nil
	}
	return k.Redact(config)
}

// Open builds the source of a job; it has the signature cycle.Opener wants.
func (r *Registry) Open(ctx context.Context, st store.SyncState, attributes []string) (source.Source, error) {
	k, err := r.kind(st.SourceKind)
	if err != nil {
		return nil, err
	}
	return k.Open(ctx, st.SourceConfig, attributes)
}
