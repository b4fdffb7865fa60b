// Package logging builds the slog loggers of hrsync binaries and names the
// attribute keys every component uses, so log lines from the cloud and the
// agent can be searched the same way. Messages are static; everything that
// varies goes in attributes. Passwords and personal data are never logged:
// identifiers (op_id, job_id, objectGUID, employee IDs) are, and the one
// attribute that could carry a name, a distinguished name under KeyDN, is
// redacted by every handler built here (see RedactDN).
package logging

import (
	"fmt"
	"io"
	"log/slog"
)

// Attribute keys shared by the cloud and the agent.
const (
	KeyComponent = "component"
	KeyAgentID   = "agent_id"
	KeyOpID      = "op_id"
	KeyAttempt   = "attempt"
	KeyJobID     = "job_id"
	KeyError     = "error"
	// KeyDN is a distinguished name; handlers redact its leaf value.
	KeyDN = "dn"
)

// New returns a logger writing to w at level ("debug", "info", "warn",
// "error") in format ("text" or "json").
func New(w io.Writer, level, format string) (*slog.Logger, error) {
	h, err := NewHandler(w, level, format)
	if err != nil {
		return nil, err
	}
	return slog.New(h), nil
}

// NewHandler is New's handler, for loggers that write to several places
// (slog.NewMultiHandler).
func NewHandler(w io.Writer, level, format string) (slog.Handler, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: Redact}
	switch format {
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	case "text", "":
		return slog.NewTextHandler(w, opts), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}
