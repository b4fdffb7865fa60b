// Package direrr is the stable vocabulary of directory failures shared by
// the agent and the cloud.
//
// The agent classifies every LDAP or network failure into an *Error with an
// agentv1.ErrorCode, sends it to the cloud with ToProto, and the cloud
// decodes it with FromProto and decides with Retryable whether to dispatch
// the operation again. Code never branches on error strings; it asks CodeOf:
//
//	if direrr.CodeOf(err) == agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS {
//		...
//	}
//
// Messages are shown to administrators and must never hold a password.
package direrr

import (
	"context"
	"errors"
	"fmt"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Error is a classified directory failure.
type Error struct {
	// Code is the stable classification.
	Code agentv1.ErrorCode
	// Message says what failed, with enough context for an administrator.
	Message string
	// LDAPResultCode is the raw LDAP result code, 0 when the failure did
	// not come from an LDAP server.
	LDAPResultCode uint32
	// InDoubtDC names the domain controller a create's add was sent to
	// before that DC failed: the object may exist there only, so the
	// operation must be retried there (agentv1.Operation.only_dc).
	InDoubtDC string
}

// InDoubtDC returns the DC the first *Error in err's chain names as
// holding a write in doubt, "" when none does.
func InDoubtDC(err error) string {
	var de *Error
	if errors.As(err, &de) {
		return de.InDoubtDC
	}
	return ""
}

// New returns an *Error with the given code and a formatted message.
func New(code agentv1.ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error implements error. It returns the message, or the code's name when
// the message is empty.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code.String()
	}
	return e.Message
}

// Retryable reports whether an operation that failed with code may succeed
// when dispatched again unchanged.
func Retryable(code agentv1.ErrorCode) bool {
	switch code {
	case agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
		agentv1.ErrorCode_ERROR_CODE_BUSY,
		agentv1.ErrorCode_ERROR_CODE_TIMEOUT:
		return true
	default:
		return false
	}
}

// CodeOf returns the code of the first *Error in err's chain. Without one
// it returns CANCELLED for context.Canceled, TIMEOUT for
// context.DeadlineExceeded and INTERNAL for anything else. CodeOf(nil) is
// ERROR_CODE_UNSPECIFIED.
func CodeOf(err error) agentv1.ErrorCode {
	var de *Error
	switch {
	case err == nil:
		return agentv1.ErrorCode_ERROR_CODE_UNSPECIFIED
	case errors.As(err, &de):
		return de.Code
	case errors.Is(err, context.Canceled):
		return agentv1.ErrorCode_ERROR_CODE_CANCELLED
	case errors.Is(err, context.DeadlineExceeded):
		return agentv1.ErrorCode_ERROR_CODE_TIMEOUT
	default:
		return agentv1.ErrorCode_ERROR_CODE_INTERNAL
	}
}

// ToProto converts err to its wire form. The message is err.Error(), so the
// context added by wrapping travels with it. ToProto(nil) is nil.
func ToProto(err error) *agentv1.Error {
	if err == nil {
		return nil
	}
	code := CodeOf(err)
	pe := &agentv1.Error{
		Code:      code,
		Message:   err.Error(),
		Retryable: Retryable(code),
	}
	var de *Error
	if errors.As(err, &de) {
		pe.LdapResultCode, pe.InDoubtDc = de.LDAPResultCode, de.InDoubtDC
	}
	return pe
}

// FromProto converts the wire form back to an *Error. FromProto(nil) is nil.
// The retryable flag is not kept: Retryable derives it from the code.
func FromProto(pe *agentv1.Error) *Error {
	if pe == nil {
		return nil
	}
	return &Error{
		Code:           pe.GetCode(),
		Message:        pe.GetMessage(),
		LDAPResultCode: pe.GetLdapResultCode(),
		InDoubtDC:      pe.GetInDoubtDc(),
	}
}
