package sambatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReclaim plays a process that died without stopping its DC: its lock
// file names a live process group holding files in an instance directory.
func TestReclaim(t *testing.T) {
	lockDir := t.TempDir()
	dir, err := os.MkdirTemp(t.TempDir(), instancePrefix)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sam.ldb"), nil, 0o600))

	orphan := exec.Command("sh", "-c", "exec 3<sam.ldb; exec sleep 60")
	orphan.Dir = dir
	orphan.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, orphan.Start())
	exited := make(chan struct{})
	go func() { orphan.Wait(); close(exited) }()
	t.Cleanup(func() { orphan.Process.Kill() })
	require.Eventually(t, func() bool { return holdsFilesIn(orphan.Process.Pid, dir) }, 5*time.Second, 10*time.Millisecond)

	// A record naming a live process that holds nothing there is left alone.
	bystander := exec.Command("sleep", "60")
	bystander.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, bystander.Start())
	t.Cleanup(func() { bystander.Process.Kill(); bystander.Wait() })

	for _, tc := range []struct {
		name     string
		pgid     int
		wantKill bool
	}{
		{"orphaned samba", orphan.Process.Pid, true},
		{"unrelated process", bystander.Process.Pid, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lockFile := filepath.Join(lockDir, "127.0.0.9.lock")
			require.NoError(t, os.WriteFile(lockFile, []byte(strconv.Itoa(tc.pgid)+" "+dir+"\n"), 0o600))
			lease, err := tryLease(lockDir, "127.0.0.9")
			require.NoError(t, err)
			require.NotNil(t, lease)
			require.NoError(t, lease.reclaim())
			require.NoError(t, lease.release())

			if tc.wantKill {
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					t.Fatal("orphan still running")
				}
			} else {
				require.NoError(t, bystander.Process.Signal(syscall.Signal(0)), "bystander was signalled")
			}
			b, err := os.ReadFile(lockFile)
			require.NoError(t, err)
			require.Empty(t, b)
		})
	}
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestLeaseExclusive(t *testing.T) {
	lockDir := t.TempDir()
	first, err := tryLease(lockDir, "127.0.0.9")
	require.NoError(t, err)
	require.NotNil(t, first)
	second, err := tryLease(lockDir, "127.0.0.9")
	require.NoError(t, err)
	require.Nil(t, second, "an address is leased once")
	require.NoError(t, first.release())
	third, err := tryLease(lockDir, "127.0.0.9")
	require.NoError(t, err)
	require.NotNil(t, third)
	require.NoError(t, third.release())
}
