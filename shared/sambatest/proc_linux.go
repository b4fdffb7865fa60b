package sambatest

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// supported reports whether this platform can run a DC.
const supported = true

// processAttrs starts samba in its own process group, so Stop can signal
// every process it forks, and kills it if the starting thread dies.
func processAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends SIGKILL (force) or SIGTERM to the process group pgid.
// A group that no longer exists is not an error.
func signalGroup(pgid int, force bool) error {
	sig := syscall.SIGTERM
	if force {
		sig = syscall.SIGKILL
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal process group %d: %w", pgid, err)
	}
	return nil
}

// tryLock takes an exclusive flock on f without blocking. It returns false
// when another open file holds the lock.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return false, nil
	default:
		return false, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
}
