// Package credstore keeps the AD service-account password of each domain
// on the agent host, protected at rest; the cloud never sees them.
//
// On Windows a password is sealed with DPAPI (CryptProtectData, machine
// scope, with hrsync's entropy) and the file's ACL is limited to SYSTEM and
// Administrators. Elsewhere it is a file the running user owns with mode
// 0600 in a 0700 directory, and reading refuses a file that is group or
// world readable or owned by someone else, naming the file.
//
//	cs := credstore.New(filepath.Join(stateDir, "credentials"))
//	err := cs.Set("corp.example.com", password)
//	pw, err := cs.Get("corp.example.com")
package credstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotFound is returned by Get for a domain without a stored password.
var ErrNotFound = errors.New("no stored credentials")

// ErrInsecure is returned for a secret file others could read or replace.
var ErrInsecure = errors.New("secret file is not private to the agent's user")

// Store is a directory of sealed passwords, one file per domain.
type Store struct {
	dir string
}

// New returns the store in dir.
func New(dir string) *Store { return &Store{dir: dir} }

// Path is the file holding domain's password.
func (s *Store) Path(domain string) string {
	return filepath.Join(s.dir, strings.ToLower(strings.TrimSuffix(domain, "."))+fileSuffix)
}

// Set stores domain's password, replacing any earlier one.
func (s *Store) Set(domain, password string) error {
	if domain == "" || strings.ContainsAny(domain, `/\:`) || strings.HasPrefix(domain, ".") {
		return fmt.Errorf("domain %q is not a DNS domain name", domain)
	}
	if password == "" {
		return errors.New("empty password")
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("credentials dir: %w", err)
	}
	sealed, err := seal([]byte(password))
	if err != nil {
		return fmt.Errorf("protect password of %s: %w", domain, err)
	}
	path := s.Path(domain)
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := os.WriteFile(tmp, sealed, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := Restrict(tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("restrict %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}

// Get returns domain's password; ErrNotFound when none is stored, and
// ErrInsecure when the file's owner or mode let others read it.
func (s *Store) Get(domain string) (string, error) {
	path := s.Path(domain)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err := CheckPrivate(path); err != nil {
		return "", err
	}
	sealed, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read credentials: %w", err)
	}
	plain, err := unseal(sealed)
	if err != nil {
		return "", fmt.Errorf("unprotect %s: %w", path, err)
	}
	return string(plain), nil
}
