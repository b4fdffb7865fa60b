package ldapx_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

func TestClassify(t *testing.T) {
	serverErr := func(code uint16, msg string) error {
		return &ldap.Error{ResultCode: code, Err: errors.New(msg)}
	}
	tests := []struct {
		name       string
		err        error
		code       agentv1.ErrorCode
		resultCode uint32
		contains   string
	}{
		{"entry exists", serverErr(68, "00002071: samldb: samAccountName 'jdoe' already in use!"), agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, 68, "00002071: samldb"},
		{"no such object", &ldap.Error{ResultCode: 32, Err: errors.New("0000208D: NameErr"), MatchedDN: "OU=People,DC=hrsync,DC=test"}, agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, 32, "matched DN OU=People"},
		{"referral", serverErr(10, "0000202B: RefErr"), agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, 10, "RefErr"},
		{"constraint", serverErr(19, "0000052D: Constraint violation - check_password_restrictions: the password is too short"), agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION, 19, "0000052D"},
		{"value exists", serverErr(20, ""), agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION, 20, "Attribute Or Value Exists"},
		{"access", serverErr(50, "00000005: SecErr"), agentv1.ErrorCode_ERROR_CODE_INSUFFICIENT_ACCESS, 50, "SecErr"},
		{"credentials", serverErr(49, "80090308: LdapErr: data 52e"), agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS, 49, "data 52e"},
		{"inappropriate auth", serverErr(48, ""), agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS, 48, ""},
		{"syntax", serverErr(21, ""), agentv1.ErrorCode_ERROR_CODE_INVALID_ATTRIBUTE_SYNTAX, 21, ""},
		{"undefined type", serverErr(17, ""), agentv1.ErrorCode_ERROR_CODE_UNDEFINED_ATTRIBUTE, 17, ""},
		{"no such attribute", serverErr(16, "attribute 'foo' was not found in the schema!"), agentv1.ErrorCode_ERROR_CODE_UNDEFINED_ATTRIBUTE, 16, "schema"},
		{"object class", serverErr(65, ""), agentv1.ErrorCode_ERROR_CODE_OBJECT_CLASS_VIOLATION, 65, ""},
		{"invalid dn", serverErr(34, "00002032: ldb_add: invalid dn"), agentv1.ErrorCode_ERROR_CODE_INVALID_DN, 34, "invalid dn"},
		{"naming", serverErr(64, ""), agentv1.ErrorCode_ERROR_CODE_INVALID_DN, 64, ""},
		{"unwilling", serverErr(53, "0000001F: SvcErr"), agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, 53, "SvcErr"},
		{"busy", serverErr(51, ""), agentv1.ErrorCode_ERROR_CODE_BUSY, 51, ""},
		{"unavailable", serverErr(52, ""), agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 52, ""},
		{"time limit", serverErr(3, ""), agentv1.ErrorCode_ERROR_CODE_TIMEOUT, 3, ""},
		{"server down", serverErr(81, ""), agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 81, ""},
		{"other", serverErr(80, "00000057: LdapErr"), agentv1.ErrorCode_ERROR_CODE_INTERNAL, 80, "00000057"},
		{"operations error", serverErr(1, ""), agentv1.ErrorCode_ERROR_CODE_INTERNAL, 1, ""},
		{"network", ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: connection closed")), agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, "connection closed"},
		{"refused", ldap.NewError(ldap.ErrorNetwork, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, "refused"},
		{"net timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, agentv1.ErrorCode_ERROR_CODE_TIMEOUT, 0, "timeout"},
		{"network timeout inside ldap", ldap.NewError(ldap.ErrorNetwork, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}), agentv1.ErrorCode_ERROR_CODE_TIMEOUT, 0, ""},
		{"eof", io.EOF, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, "EOF"},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, ""},
		{"canceled", fmt.Errorf("search: %w", context.Canceled), agentv1.ErrorCode_ERROR_CODE_CANCELLED, 0, "canceled"},
		{"deadline", context.DeadlineExceeded, agentv1.ErrorCode_ERROR_CODE_TIMEOUT, 0, "deadline"},
		{"unknown CA", x509.UnknownAuthorityError{}, agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, "TLS verification"},
		{"hostname", ldap.NewError(ldap.ErrorNetwork, x509.HostnameError{Certificate: &x509.Certificate{}, Host: "10.0.0.1"}), agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, 0, "TLS verification"},
		{"filter compile", ldap.NewError(ldap.ErrorFilterCompile, errors.New("bad filter")), agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, 0, ""},
		{"plain", errors.New("boom"), agentv1.ErrorCode_ERROR_CODE_INTERNAL, 0, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ldapx.Classify("modify CN=x", tc.err)
			var de *direrr.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.code, de.Code)
			require.Equal(t, tc.resultCode, de.LDAPResultCode)
			require.Contains(t, de.Message, "modify CN=x: ")
			require.Contains(t, de.Message, tc.contains)
		})
	}
}

func TestClassifyKeepsClassified(t *testing.T) {
	inner := direrr.New(agentv1.ErrorCode_ERROR_CODE_AMBIGUOUS_MATCH, "two users")
	err := fmt.Errorf("create: %w", inner)
	require.Same(t, err, ldapx.Classify("again", err))
	require.NoError(t, ldapx.Classify("nothing", nil))
}
