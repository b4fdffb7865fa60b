package sambatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const (
	// templateName names the cached provision under os.TempDir(). Bump the
	// version when the provisioning arguments change.
	templateName = "hrsync-samba-template-v1"
	// completeFile marks a finished template. It holds the samba version
	// and the directory the template was provisioned in.
	completeFile = ".hrsync-template-complete"
	// passwordFile holds the Administrator password of the template.
	passwordFile = ".hrsync-admin-password"

	realm      = "HRSYNC.TEST"
	domainName = "hrsync.test"
	netbios    = "HRSYNC"
	hostName   = "hrsyncdc"
	baseDN     = "DC=hrsync,DC=test"
)

// template is a provisioned domain that instances copy.
type template struct {
	dir      string
	password string
}

// copyTemplate copies the template in dir into instanceDir, provisioning
// it first when it is missing, incomplete or made by another samba
// version. A lock file next to dir serialises concurrent processes, so no
// copy reads a template being replaced.
func copyTemplate(ctx context.Context, dir, instanceDir string) (*template, error) {
	unlock, err := lockWait(ctx, dir+".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	tmpl, err := ensureTemplate(ctx, dir)
	if err != nil {
		return nil, err
	}
	if err := copyTree(ctx, dir, instanceDir); err != nil {
		return nil, err
	}
	return tmpl, nil
}

// ensureTemplate returns the template in dir, provisioning it if needed.
// The caller holds the template lock.
func ensureTemplate(ctx context.Context, dir string) (*template, error) {
	version, err := sambaVersion(ctx)
	if err != nil {
		return nil, err
	}
	want := version + "\n" + dir + "\n"
	if got, err := os.ReadFile(filepath.Join(dir, completeFile)); err == nil && string(got) == want {
		return readTemplate(dir)
	}

	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("remove stale template: %w", err)
	}
	password, err := adminPassword()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "samba-tool", "domain", "provision",
		"--use-rfc2307",
		"--dns-backend=NONE",
		"--server-role=dc",
		"--targetdir="+dir,
		"--realm="+realm,
		"--domain="+netbios,
		"--host-name="+hostName,
		"--adminpass="+password,
		"--option=interfaces=lo",
		"--option=bind interfaces only=yes",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("samba-tool domain provision into %s: %w\n%s", dir, err, tail(out, 4096))
	}
	if err := os.WriteFile(filepath.Join(dir, passwordFile), []byte(password), 0o600); err != nil {
		return nil, fmt.Errorf("write template password: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, completeFile), []byte(want), 0o600); err != nil {
		return nil, fmt.Errorf("mark template complete: %w", err)
	}
	return readTemplate(dir)
}

func readTemplate(dir string) (*template, error) {
	password, err := os.ReadFile(filepath.Join(dir, passwordFile))
	if err != nil {
		return nil, fmt.Errorf("read template password: %w", err)
	}
	return &template{dir: dir, password: string(password)}, nil
}

func sambaVersion(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "samba", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("samba --version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// adminPassword returns a random password that meets Samba's default
// complexity policy: upper and lower case letters, digits and a symbol.
func adminPassword() (string, error) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate admin password: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	// The fixed suffix guarantees every character class whatever the draw.
	return string(b) + "-Aa1", nil
}

// lockWait takes an exclusive lock on path, polling until ctx is done.
func lockWait(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			return func() { f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// copyTree copies the template into dir with cp -a, which keeps the
// ownership, modes and ACLs samba checks on the sysvol share.
func copyTree(ctx context.Context, from, to string) error {
	out, err := exec.CommandContext(ctx, "cp", "-a", from+"/.", to).CombinedOutput()
	if err != nil {
		return fmt.Errorf("copy template: %w: %s", err, bytes.TrimSpace(out))
	}
	for _, name := range []string{completeFile, passwordFile} {
		if err := os.Remove(filepath.Join(to, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("copy template: %w", err)
		}
	}
	return nil
}

// tail returns at most the last n bytes of b, starting at a line.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
