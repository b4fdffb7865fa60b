package ldapx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-ldap/ldap/v3"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// resultCodes maps LDAP result codes to the shared vocabulary. Codes not
// listed are INTERNAL.
var resultCodes = map[uint16]agentv1.ErrorCode{
	ldap.LDAPResultTimeLimitExceeded:            agentv1.ErrorCode_ERROR_CODE_TIMEOUT,
	ldap.LDAPResultReferral:                     agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, // the DN is in a partition this DC does not hold, and the referral was not followed
	ldap.LDAPResultNoSuchAttribute:              agentv1.ErrorCode_ERROR_CODE_UNDEFINED_ATTRIBUTE,
	ldap.LDAPResultUndefinedAttributeType:       agentv1.ErrorCode_ERROR_CODE_UNDEFINED_ATTRIBUTE,
	ldap.LDAPResultConstraintViolation:          agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION,
	ldap.LDAPResultAttributeOrValueExists:       agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION,
	ldap.LDAPResultInvalidAttributeSyntax:       agentv1.ErrorCode_ERROR_CODE_INVALID_ATTRIBUTE_SYNTAX,
	ldap.LDAPResultNoSuchObject:                 agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT,
	ldap.LDAPResultInvalidDNSyntax:              agentv1.ErrorCode_ERROR_CODE_INVALID_DN,
	ldap.LDAPResultInappropriateAuthentication:  agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS,
	ldap.LDAPResultInvalidCredentials:           agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS,
	ldap.LDAPResultInsufficientAccessRights:     agentv1.ErrorCode_ERROR_CODE_INSUFFICIENT_ACCESS,
	ldap.LDAPResultBusy:                         agentv1.ErrorCode_ERROR_CODE_BUSY,
	ldap.LDAPResultUnavailable:                  agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
	ldap.LDAPResultUnwillingToPerform:           agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
	ldap.LDAPResultNotAllowedOnNonLeaf:          agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
	ldap.LDAPResultNotAllowedOnRDN:              agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
	ldap.LDAPResultNamingViolation:              agentv1.ErrorCode_ERROR_CODE_INVALID_DN,
	ldap.LDAPResultObjectClassViolation:         agentv1.ErrorCode_ERROR_CODE_OBJECT_CLASS_VIOLATION,
	ldap.LDAPResultObjectClassModsProhibited:    agentv1.ErrorCode_ERROR_CODE_OBJECT_CLASS_VIOLATION,
	ldap.LDAPResultEntryAlreadyExists:           agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS,
	ldap.LDAPResultServerDown:                   agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
	ldap.LDAPResultTimeout:                      agentv1.ErrorCode_ERROR_CODE_TIMEOUT,
	ldap.LDAPResultConnectError:                 agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
	ldap.LDAPResultFilterError:                  agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST,
	ldap.LDAPResultUserCanceled:                 agentv1.ErrorCode_ERROR_CODE_CANCELLED,
	ldap.LDAPResultCanceled:                     agentv1.ErrorCode_ERROR_CODE_CANCELLED,
	ldap.ErrorNetwork:                           agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
	ldap.ErrorFilterCompile:                     agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST,
	ldap.ErrorEmptyPassword:                     agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS,
	ldap.LDAPResultConfidentialityRequired:      agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
	ldap.LDAPResultStrongAuthRequired:           agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
	ldap.LDAPResultUnavailableCriticalExtension: agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
}

// Classify turns err from an LDAP call into a *direrr.Error whose message
// starts with op and keeps the LDAP result code and the server's diagnostic
// message (such as AD's "0000052D: ..."). An error that already holds a
// *direrr.Error is returned unchanged, so classifying twice is harmless.
// Classify(op, nil) is nil.
//
// It inspects types only: context errors, TLS verification errors, LDAP
// result codes and net errors, in that order.
func Classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *direrr.Error
	if errors.As(err, &de) {
		return err
	}
	code, resultCode, detail := classify(err)
	return &direrr.Error{Code: code, Message: op + ": " + detail, LDAPResultCode: resultCode}
}

func classify(err error) (code agentv1.ErrorCode, resultCode uint32, detail string) {
	var (
		le        *ldap.Error
		netErr    net.Error
		verifyErr *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return agentv1.ErrorCode_ERROR_CODE_CANCELLED, 0, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return agentv1.ErrorCode_ERROR_CODE_TIMEOUT, 0, err.Error()
	case errors.As(err, &verifyErr), errors.As(err, &authority), errors.As(err, &hostname), errors.As(err, &invalid):
		// The directory cannot be reached securely; the operation itself
		// may succeed once the CA configuration or the certificate is fixed.
		return agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, "TLS verification of the domain controller failed: " + err.Error()
	case errors.As(err, &le) && le.ResultCode < ldap.ErrorNetwork:
		code, ok := resultCodes[le.ResultCode]
		if !ok {
			code = agentv1.ErrorCode_ERROR_CODE_INTERNAL
		}
		return code, uint32(le.ResultCode), describe(le)
	case errors.As(err, &netErr) && netErr.Timeout():
		return agentv1.ErrorCode_ERROR_CODE_TIMEOUT, 0, err.Error()
	case errors.As(err, &le):
		code, ok := resultCodes[le.ResultCode]
		if !ok {
			code = agentv1.ErrorCode_ERROR_CODE_INTERNAL
		}
		return code, 0, err.Error()
	case errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, err.Error()
	default:
		return agentv1.ErrorCode_ERROR_CODE_INTERNAL, 0, err.Error()
	}
}

// describe formats a server result: code, name, diagnostic message and
// the matched DN when the server sent one.
func describe(le *ldap.Error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LDAP result %d (%s)", le.ResultCode, ldap.LDAPResultCodeMap[le.ResultCode])
	if le.Err != nil {
		if msg := strings.TrimSpace(strings.TrimRight(le.Err.Error(), "\x00")); msg != "" {
			b.WriteString(": " + msg)
		}
	}
	if le.MatchedDN != "" {
		b.WriteString(" (matched DN " + le.MatchedDN + ")")
	}
	return b.String()
}
