package sambatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	firstHost = 2
	lastHost  = 250
	// addrLockDir holds one lock file per loopback address under os.TempDir().
	addrLockDir = "hrsync-samba-addrs"
)

// addrLease is a loopback address held by this process. Its lock file
// records the samba process group and instance directory, so a later
// process can clean up after one that died without stopping its DC.
type addrLease struct {
	addr string
	f    *os.File
}

// leaseAddr locks the first free address 127.0.0.N and makes sure it is
// assigned to lo.
func leaseAddr(ctx context.Context) (*addrLease, error) {
	dir := filepath.Join(os.TempDir(), addrLockDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create address lock directory: %w", err)
	}
	for n := firstHost; n <= lastHost; n++ {
		addr := "127.0.0." + strconv.Itoa(n)
		lease, err := tryLease(dir, addr)
		if err != nil {
			return nil, err
		}
		if lease == nil {
			continue
		}
		if err := lease.reclaim(); err != nil {
			lease.release()
			return nil, err
		}
		if listening(addr) {
			// Something outside our locks serves LDAPS here; leave it alone.
			lease.release()
			continue
		}
		if err := addLoopback(ctx, addr); err != nil {
			lease.release()
			return nil, err
		}
		return lease, nil
	}
	return nil, fmt.Errorf("no free loopback address in 127.0.0.%d-%d", firstHost, lastHost)
}

func tryLease(dir, addr string) (*addrLease, error) {
	f, err := os.OpenFile(filepath.Join(dir, addr+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open address lock: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		return nil, err
	}
	return &addrLease{addr: addr, f: f}, nil
}

// reclaim kills a samba left behind by a process that held this address
// and died, and removes its directory. It only signals the recorded
// process group when its leader still has files open in the recorded
// directory, so a reused pid is never hit.
func (l *addrLease) reclaim() error {
	b, err := os.ReadFile(l.f.Name())
	if err != nil {
		return fmt.Errorf("read address lock: %w", err)
	}
	pgidText, dir, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	pgid, err := strconv.Atoi(pgidText)
	if !ok || err != nil || pgid <= 1 || !strings.Contains(filepath.Base(dir), instancePrefix) {
		return nil
	}
	if holdsFilesIn(pgid, dir) {
		if err := signalGroup(pgid, true); err != nil {
			return err
		}
		waitGone(pgid, 5*time.Second)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove stale instance: %w", err)
	}
	return l.record(0, "")
}

// holdsFilesIn reports whether process pid has a file under dir open.
// samba rewrites its command line, so that cannot be checked instead.
func holdsFilesIn(pid int, dir string) bool {
	fdDir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// record writes the running instance into the lock file.
func (l *addrLease) record(pgid int, dir string) error {
	content := ""
	if pgid > 0 {
		content = strconv.Itoa(pgid) + " " + dir + "\n"
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("record instance: %w", err)
	}
	if _, err := l.f.WriteAt([]byte(content), 0); err != nil {
		return fmt.Errorf("record instance: %w", err)
	}
	return nil
}

// release clears the record and unlocks the address.
func (l *addrLease) release() error {
	err := l.record(0, "")
	return errors.Join(err, l.f.Close())
}

func waitGone(pid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// listening reports whether something accepts connections on addr:636.
func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(addr, "636"), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// addLoopback assigns addr/8 to lo; samba binds only to addresses of an
// interface. An address already present is fine.
func addLoopback(ctx context.Context, addr string) error {
	if present(addr) {
		return nil
	}
	out, err := exec.CommandContext(ctx, "ip", "addr", "add", addr+"/8", "dev", "lo").CombinedOutput()
	if err != nil {
		// ip reports "File exists" (EEXIST) with exit status 2 when another
		// process added the address between our check and the command;
		// check the interface again rather than the message.
		if present(addr) {
			return nil
		}
		return fmt.Errorf("ip addr add %s/8 dev lo: %w: %s", addr, err, bytes.TrimSpace(out))
	}
	return nil
}

// present reports whether addr is assigned to an interface.
func present(addr string) bool {
	ifaces, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range ifaces {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.String() == addr {
			return true
		}
	}
	return false
}
