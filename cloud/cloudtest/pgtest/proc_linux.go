package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a started server process (the postmaster), the leader of its
// own process group.
type process struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
	waitErr error         // set before exited is closed
}

// startProcess starts bin as owner in its own process group, with a
// parent-death signal so the kernel kills it if this process dies first.
func startProcess(owner *credential, dir, logPath, bin string, args ...string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	p, err := spawn(context.Background(), owner, dir, logf, bin, args...)
	if err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		<-p.exited
		logf.Close()
	}()
	return p, nil
}

// runOnce runs bin like startProcess and waits for it.
func runOnce(ctx context.Context, owner *credential, dir, bin string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	p, err := spawn(ctx, owner, dir, &out, bin, args...)
	if err != nil {
		return nil, err
	}
	<-p.exited
	return out.Bytes(), p.waitErr
}

func spawn(ctx context.Context, owner *credential, dir string, out io.Writer, bin string, args ...string) (*process, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	// A clean environment: no PG* variables of the developer's, no locale
	// that might be missing.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "TZ=UTC"}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if owner != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: owner.uid, Gid: owner.gid}
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// child exits, not the process, so that thread stays locked to
		// this goroutine, which lives as long as the child.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			runtime.UnlockOSThread()
			started <- err
			return
		}
		started <- nil
		p.waitErr = cmd.Wait()
		close(p.exited)
		// Returning while locked retires the thread; the child is gone.
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgtest: start %s: %w", filepath.Base(bin), err)
	}
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop asks for a fast shutdown and kills the process group after grace.
func (p *process) stop(grace time.Duration) {
	_ = syscall.Kill(p.pid(), syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(grace):
	}
	p.kill()
}

// kill kills the whole process group (the postmaster and its backends) and
// waits for the postmaster.
func (p *process) kill() {
	_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
	<-p.exited
}

// newServerDir creates this server's directory under root, records which
// process owns it, and hands it to the server's OS user.
func newServerDir(root string, owner *credential) (string, error) {
	dir, err := os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	start, err := processStart(os.Getpid())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ownerFile), []byte(fmt.Sprintf("%d %s\n", os.Getpid(), start)), 0o644)
	}
	if err == nil {
		err = os.Mkdir(filepath.Join(dir, "sock"), 0o700)
	}
	if err == nil && owner != nil {
		for _, d := range []string{dir, filepath.Join(dir, "sock")} {
			if err = os.Chown(d, int(owner.uid), int(owner.gid)); err != nil {
				break
			}
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("pgtest: server directory: %w", err)
	}
	return dir, nil
}

// ownerFile in a server directory holds the owning process's pid and start
// time (to tell it from a later process that reuses the pid).
const ownerFile = "owner"

// sweepStale removes the server directories under root whose owning
// process is gone, killing a server still running there first. Servers of
// live test processes (other packages running in parallel) stay.
func sweepStale(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() || ownerAlive(dir) {
			continue
		}
		killServer(filepath.Join(dir, "data"))
		_ = os.RemoveAll(dir)
	}
}

func ownerAlive(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		// A directory being set up has no owner file for a moment.
		st, err := os.Stat(dir)
		return err == nil && time.Since(st.ModTime()) < time.Minute
	}
	var pid int
	var start string
	if _, err := fmt.Sscan(string(b), &pid, &start); err != nil {
		return false
	}
	now, err := processStart(pid)
	return err == nil && now == start
}

// killServer kills the postmaster recorded in data/postmaster.pid, and its
// process group, if that process still runs in data (the postmaster's
// working directory is its data directory; a reused pid's is not).
func killServer(data string) {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return
	}
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		return
	}
	if want, err := filepath.EvalSymlinks(data); err != nil || cwd != want {
		return
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// processStart is the start time of pid in clock ticks since boot, field 22
// of /proc/<pid>/stat.
func processStart(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	// The command name (field 2) may contain spaces; fields 3.. follow the
	// last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", fmt.Errorf("pgtest: malformed /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return "", fmt.Errorf("pgtest: malformed /proc/%d/stat", pid)
	}
	return fields[19], nil
}
