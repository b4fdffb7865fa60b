package rpcerr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		code  codes.Code
		class Class
	}{
		{"unauthenticated", fmt.Errorf("token: %w", ErrUnauthenticated), codes.Unauthenticated, Reenroll},
		{"denied", ErrPermissionDenied, codes.PermissionDenied, Reenroll},
		{"too old", fmt.Errorf("protocol 0: %w", ErrUpgradeRequired), codes.FailedPrecondition, Upgrade},
		{"protocol", ErrProtocol, codes.InvalidArgument, Retry},
		{"unavailable", ErrUnavailable, codes.Unavailable, Retry},
		{"invalid request", fmt.Errorf("csr: %w", ErrInvalidRequest), codes.InvalidArgument, Retry},
		{"already exists", fmt.Errorf("agent a: %w", ErrAlreadyExists), codes.AlreadyExists, Retry},
		{"deadline", context.DeadlineExceeded, codes.DeadlineExceeded, Retry},
		{"other", errors.New("boom"), codes.Internal, Retry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := ToStatus(tc.err)
			require.Equal(t, tc.code, status.Code(st))
			require.Contains(t, status.Convert(st).Message(), tc.err.Error())
			require.Equal(t, tc.class, Classify(st))
		})
	}
	require.NoError(t, ToStatus(nil))
	require.Equal(t, Retry, Classify(errors.New("plain network error")))
}
