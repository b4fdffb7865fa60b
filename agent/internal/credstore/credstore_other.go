//go:build !windows

package credstore

import (
	"fmt"
	"os"
	"syscall"
)

const fileSuffix = ".password"

// seal keeps the password as is: the file's owner and mode protect it.
func seal(plain []byte) ([]byte, error) { return plain, nil }

func unseal(sealed []byte) ([]byte, error) { return sealed, nil }

// Restrict makes path private to the running user (mode 0600).
func Restrict(path string) error { return os.Chmod(path, 0o600) }

// CheckPrivate refuses a secret file the running user does not own or
// that its group or others may read or write.
func CheckPrivate(path string) error { return checkPrivateFor(path, os.Geteuid()) }

// checkPrivateFor is CheckPrivate for a process running as uid.
func checkPrivateFor(path string, uid int) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("secret file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o, readable by group or others; run chmod 600 %s: %w", path, perm, path, ErrInsecure)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		return fmt.Errorf("%s is owned by uid %d, not by uid %d running the agent; chown it: %w", path, st.Uid, uid, ErrInsecure)
	}
	return nil
}
