package cfgerr

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestField(t *testing.T) {
	err := errors.Join(Field("a.b", "bad %q", "x"), Field("c", "read: %w", fs.ErrNotExist))
	require.EqualError(t, err, "a.b: bad \"x\"\nc: read: file does not exist")
	var fe *FieldError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "a.b", fe.Field)
	require.ErrorIs(t, err, fs.ErrNotExist)
}
