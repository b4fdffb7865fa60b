//go:build !windows

package credstore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetGetAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "credentials")
	cs := New(dir)
	_, err := cs.Get("corp.example.com")
	require.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, cs.Set("Corp.Example.com.", "s3cret pass"))
	pw, err := cs.Get("corp.example.com")
	require.NoError(t, err)
	require.Equal(t, "s3cret pass", pw)
	fi, err := os.Stat(cs.Path("corp.example.com"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())

	require.NoError(t, cs.Set("corp.example.com", "rotated"))
	pw, err = cs.Get("corp.example.com")
	require.NoError(t, err)
	require.Equal(t, "rotated", pw)

	tests := []struct {
		name string
		mode os.FileMode
	}{
		{"group readable", 0o640},
		{"world readable", 0o604},
		{"group writable", 0o620},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.Chmod(cs.Path("corp.example.com"), tc.mode))
			_, err := cs.Get("corp.example.com")
			require.ErrorIs(t, err, ErrInsecure)
			require.Contains(t, err.Error(), cs.Path("corp.example.com"), "the error names the file")
		})
	}
	require.Error(t, cs.Set("../etc", "x"))
	require.Error(t, cs.Set("corp.example.com", ""))
}

func TestCheckPrivateOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a file owned by someone else")
	}
	path := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o600))
	require.NoError(t, os.Chown(path, 65534, 65534))
	err := CheckPrivate(path)
	require.ErrorIs(t, err, ErrInsecure)
	require.Contains(t, err.Error(), "owned by uid 65534")
}
