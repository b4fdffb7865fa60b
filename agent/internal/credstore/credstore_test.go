//go:build !windows

package credstore

import (
	"fmt"
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

// TestCheckPrivateOwner checks a private file as its owner and as another
// user would run the agent (no root needed to own a file as someone else).
func TestCheckPrivateOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o600))
	require.NoError(t, CheckPrivate(path), "private and owned by the running user")
	other := os.Geteuid() + 1
	err := checkPrivateFor(path, other)
	require.ErrorIs(t, err, ErrInsecure)
	require.Contains(t, err.Error(), fmt.Sprintf("owned by uid %d, not by uid %d", os.Geteuid(), other))
}
