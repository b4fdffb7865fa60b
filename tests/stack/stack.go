// Package stack runs hrsync the way it is deployed: a Samba AD domain
// controller, hrsync-cloud and hrsync-agent as separate processes, with
// mutual TLS between cloud and agent. Every agent is enrolled as an admin
// would: a bootstrap token from the admin API, `hrsync-agent credentials
// set`, `hrsync-agent register`, then `hrsync-agent run`. The end-to-end
// tests and `make demo` use it.
//
//	bins, _ := stack.Build(ctx, dir)
//	dc, _ := sambatest.Start(ctx, sambatest.Options{})
//	cloud, _ := stack.StartCloud(ctx, bins, stack.CloudOptions{DataDir: dir + "/cloud"})
//	agent, _ := stack.StartAgent(ctx, bins, stack.AgentOptions{Dir: dir + "/agent", Cloud: cloud, DC: dc})
package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Binaries are the built programs.
type Binaries struct {
	Cloud, Agent, Ctl string
}

// RepoRoot finds the repository root (the directory holding go.work).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.work not found above the working directory")
		}
		dir = parent
	}
}

// Build compiles the binaries into outDir.
func Build(ctx context.Context, outDir string) (Binaries, error) {
	root, err := RepoRoot()
	if err != nil {
		return Binaries{}, err
	}
	b := Binaries{
		Cloud: filepath.Join(outDir, "hrsync-cloud"),
		Agent: filepath.Join(outDir, "hrsync-agent"),
		Ctl:   filepath.Join(outDir, "hrsyncctl"),
	}
	for pkg, out := range map[string]string{"./cloud/cmd/hrsync-cloud": b.Cloud, "./agent/cmd/hrsync-agent": b.Agent, "./cloud/cmd/hrsyncctl": b.Ctl} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
		}
	}
	return b, nil
}

// FreeAddr returns a free 127.0.0.1 port.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// process is a child process with its output in a log file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
}

func startProcess(name, logPath string, env []string, bin string, args ...string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// Running reports whether the process has not exited.
func (p *process) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Kill ends the process at once (SIGKILL), as a crash would.
func (p *process) Kill() error {
	if !p.Running() {
		return nil
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
	return nil
}

// Freeze stops the process where it is (SIGSTOP): it neither runs nor
// answers, but its connections stay open. Kill or Thaw it afterwards.
func (p *process) Freeze() error {
	if !p.Running() {
		return fmt.Errorf("%s is not running", p.name)
	}
	return syscall.Kill(-p.cmd.Process.Pid, syscall.SIGSTOP)
}

// Thaw resumes a frozen process (SIGCONT).
func (p *process) Thaw() error {
	return syscall.Kill(-p.cmd.Process.Pid, syscall.SIGCONT)
}

// Stop asks the process to stop (SIGTERM) and waits up to timeout.
func (p *process) Stop(timeout time.Duration) error {
	if !p.Running() {
		return nil
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.exited:
		var ee *exec.ExitError
		if p.waitErr != nil && !errors.As(p.waitErr, &ee) {
			return p.waitErr
		}
		if ee != nil && ee.ExitCode() != 0 {
			return fmt.Errorf("%s exited with %d; log tail:\n%s", p.name, ee.ExitCode(), p.LogTail(20))
		}
		return nil
	case <-time.After(timeout):
		_ = p.Kill()
		return fmt.Errorf("%s did not stop within %s", p.name, timeout)
	}
}

// LogTail returns the last n lines of the process log.
func (p *process) LogTail(n int) string {
	b, _ := os.ReadFile(p.logPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Log returns the whole process log.
func (p *process) Log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// waitFor polls cond until it holds, the process dies or ctx ends.
func waitFor(ctx context.Context, p *process, what string, cond func() bool) error {
	for {
		if cond() {
			return nil
		}
		if p != nil && !p.Running() {
			return fmt.Errorf("%s exited while waiting for %s; log tail:\n%s", p.name, what, p.LogTail(30))
		}
		select {
		case <-ctx.Done():
			tail := ""
			if p != nil {
				tail = "; log tail:\n" + p.LogTail(30)
			}
			return fmt.Errorf("waiting for %s: %w%s", what, ctx.Err(), tail)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
