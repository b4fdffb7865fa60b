//go:build !linux

package sambatest

import (
	"errors"
	"os"
	"syscall"
)

// supported reports whether this platform can run a DC.
const supported = false

func processAttrs() *syscall.SysProcAttr { return nil }

func signalGroup(int, bool) error { return errors.ErrUnsupported }

func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }
