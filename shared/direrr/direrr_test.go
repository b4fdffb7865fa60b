package direrr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

func TestRetryable(t *testing.T) {
	retryable := map[agentv1.ErrorCode]bool{
		agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE: true,
		agentv1.ErrorCode_ERROR_CODE_BUSY:        true,
		agentv1.ErrorCode_ERROR_CODE_TIMEOUT:     true,
	}
	for v := range agentv1.ErrorCode_name {
		code := agentv1.ErrorCode(v)
		t.Run(code.String(), func(t *testing.T) {
			require.Equal(t, retryable[code], direrr.Retryable(code))
		})
	}
}

func TestCodeOf(t *testing.T) {
	exists := direrr.New(agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, "add %q", "CN=x")
	tests := []struct {
		name string
		err  error
		want agentv1.ErrorCode
	}{
		{"nil", nil, agentv1.ErrorCode_ERROR_CODE_UNSPECIFIED},
		{"direct", exists, agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS},
		{"wrapped", fmt.Errorf("create user: %w", exists), agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS},
		{"joined", errors.Join(io.EOF, exists), agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS},
		{"classified wins over context", fmt.Errorf("%w: %w", context.Canceled, exists), agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS},
		{"canceled", fmt.Errorf("search: %w", context.Canceled), agentv1.ErrorCode_ERROR_CODE_CANCELLED},
		{"deadline", fmt.Errorf("search: %w", context.DeadlineExceeded), agentv1.ErrorCode_ERROR_CODE_TIMEOUT},
		{"unknown", io.ErrUnexpectedEOF, agentv1.ErrorCode_ERROR_CODE_INTERNAL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, direrr.CodeOf(tc.err))
		})
	}
}

func TestError(t *testing.T) {
	tests := []struct {
		name string
		err  *direrr.Error
		want string
	}{
		{"message", direrr.New(agentv1.ErrorCode_ERROR_CODE_BUSY, "server %s busy", "dc1"), "server dc1 busy"},
		{"empty message", &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_BUSY}, "ERROR_CODE_BUSY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.EqualError(t, tc.err, tc.want)
		})
	}
}

func TestProtoRoundTrip(t *testing.T) {
	ldapErr := &direrr.Error{
		Code:           agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION,
		Message:        "set password: LDAP result 19: 0000052D: password too short",
		LDAPResultCode: 19,
	}
	tests := []struct {
		name      string
		err       error
		wantProto *agentv1.Error
		wantBack  *direrr.Error
	}{
		{name: "nil"},
		{
			name: "ldap",
			err:  fmt.Errorf("create user: %w", ldapErr),
			wantProto: &agentv1.Error{
				Code:           agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION,
				Message:        "create user: set password: LDAP result 19: 0000052D: password too short",
				LdapResultCode: 19,
			},
			wantBack: &direrr.Error{
				Code:           agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION,
				Message:        "create user: set password: LDAP result 19: 0000052D: password too short",
				LDAPResultCode: 19,
			},
		},
		{
			name: "retryable",
			err:  direrr.New(agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "dial: refused"),
			wantProto: &agentv1.Error{
				Code:      agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
				Message:   "dial: refused",
				Retryable: true,
			},
			wantBack: direrr.New(agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "dial: refused"),
		},
		{
			name: "in doubt",
			err: fmt.Errorf("create user: %w", &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, Message: "dc1 went away",
				InDoubtDC: "ldaps://dc1.example.com"}),
			wantProto: &agentv1.Error{
				Code:      agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE,
				Message:   "create user: dc1 went away",
				Retryable: true,
				InDoubtDc: "ldaps://dc1.example.com",
			},
			wantBack: &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, Message: "create user: dc1 went away", InDoubtDC: "ldaps://dc1.example.com"},
		},
		{
			name: "context",
			err:  fmt.Errorf("export: %w", context.DeadlineExceeded),
			wantProto: &agentv1.Error{
				Code:      agentv1.ErrorCode_ERROR_CODE_TIMEOUT,
				Message:   "export: context deadline exceeded",
				Retryable: true,
			},
			wantBack: direrr.New(agentv1.ErrorCode_ERROR_CODE_TIMEOUT, "export: context deadline exceeded"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := direrr.ToProto(tc.err)
			if tc.wantProto == nil {
				require.Nil(t, pe)
			} else {
				require.Truef(t, proto.Equal(tc.wantProto, pe), "got %v, want %v", pe, tc.wantProto)
			}
			back := direrr.FromProto(pe)
			require.Equal(t, tc.wantBack, back)
		})
	}
}
