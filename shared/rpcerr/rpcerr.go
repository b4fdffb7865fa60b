// Package rpcerr is the one place where hrsync errors become gRPC status
// errors (in the cloud) and where the agent classifies a status to decide
// whether to retry, re-enrol or stop and ask for an upgrade. Nothing else
// maps errors to codes, and nothing branches on error strings.
package rpcerr

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinel errors of the agent stream. Wrap them with context (%w).
var (
	// ErrUnauthenticated: the agent's credentials were missing or refused.
	ErrUnauthenticated = errors.New("agent credentials were not accepted")
	// ErrPermissionDenied: the agent may not serve what it asked for.
	ErrPermissionDenied = errors.New("agent is not allowed to do this")
	// ErrUpgradeRequired: the agent speaks a protocol the cloud no longer accepts.
	ErrUpgradeRequired = errors.New("agent protocol is too old; upgrade the agent")
	// ErrProtocol: a peer broke the stream protocol (for example no Hello first).
	ErrProtocol = errors.New("stream protocol violation")
	// ErrUnavailable: the cloud is shutting down or overloaded; try again.
	ErrUnavailable = errors.New("cloud unavailable")
	// ErrInvalidRequest: a unary request (a registration, say) is malformed.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrAlreadyExists: what the request would create exists (an agent ID
	// that is enrolled already).
	ErrAlreadyExists = errors.New("already exists")
)

// ToStatus converts an error into a gRPC status error for the wire.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var code codes.Code
	switch {
	case errors.Is(err, ErrUnauthenticated):
		code = codes.Unauthenticated
	case errors.Is(err, ErrPermissionDenied):
		code = codes.PermissionDenied
	case errors.Is(err, ErrUpgradeRequired):
		code = codes.FailedPrecondition
	case errors.Is(err, ErrProtocol), errors.Is(err, ErrInvalidRequest):
		code = codes.InvalidArgument
	case errors.Is(err, ErrAlreadyExists):
		code = codes.AlreadyExists
	case errors.Is(err, ErrUnavailable):
		code = codes.Unavailable
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	default:
		code = codes.Internal
	}
	return status.Error(code, err.Error())
}

// Class is what the agent's supervisor does after a session ends.
type Class int

const (
	// Retry: reconnect after a backoff delay.
	Retry Class = iota
	// Reenroll: stop; the agent's identity must be renewed by an admin.
	Reenroll
	// Upgrade: stop; the agent must be upgraded.
	Upgrade
)

func (c Class) String() string {
	switch c {
	case Retry:
		return "retry"
	case Reenroll:
		return "reenroll"
	case Upgrade:
		return "upgrade"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Classify decides what to do after err ended a session.
func Classify(err error) Class {
	s, ok := status.FromError(err)
	if !ok {
		return Retry
	}
	switch s.Code() {
	case codes.Unauthenticated, codes.PermissionDenied:
		return Reenroll
	case codes.FailedPrecondition:
		return Upgrade
	default:
		return Retry
	}
}
