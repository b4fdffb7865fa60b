package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// Character classes of initial passwords. Quotes, backslash and space are
// left out so the password survives any copy and paste; AD's complexity
// rule wants three of the four classes and we always use all four.
const (
	lowers  = "abcdefghijkmnopqrstuvwxyz"
	uppers  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	digits  = "23456789"
	symbols = "!#$%&()*+,-./:;<=>?@[]^_{|}~"
)

var passwordClasses = []string{lowers, uppers, digits, symbols}

// generatePassword returns a random password of length characters with at
// least one of each class. AD also rejects a password that contains the
// account name or a token of three or more characters of the display
// name, so such draws are repeated.
func generatePassword(r io.Reader, length int, avoid []string) (string, error) {
	all := strings.Join(passwordClasses, "")
	for range 64 {
		pw := make([]byte, length)
		for i := range pw {
			set := all
			if i < len(passwordClasses) {
				set = passwordClasses[i]
			}
			n, err := uniform(r, len(set))
			if err != nil {
				return "", err
			}
			pw[i] = set[n]
		}
		// Fisher-Yates, so the guaranteed classes are not always first.
		for i := len(pw) - 1; i > 0; i-- {
			j, err := uniform(r, i+1)
			if err != nil {
				return "", err
			}
			pw[i], pw[j] = pw[j], pw[i]
		}
		if !containsToken(string(pw), avoid) {
			return string(pw), nil
		}
	}
	return "", errors.New("generate password: every draw contained a name of the account")
}

// uniform returns a uniformly random integer in [0, n), n <= 256.
func uniform(r io.Reader, n int) (int, error) {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, fmt.Errorf("generate password: read random source: %w", err)
		}
		if int(b[0]) < limit {
			return int(b[0]) % n, nil
		}
	}
}

// nameTokens splits names the way AD's complexity check does: on
// delimiters, keeping tokens of at least three characters.
func nameTokens(names ...string) []string {
	var out []string
	for _, n := range names {
		for _, tok := range strings.FieldsFunc(n, func(r rune) bool {
			return strings.ContainsRune(",.-_# \t", r)
		}) {
			if len([]rune(tok)) >= 3 {
				out = append(out, tok)
			}
		}
	}
	return out
}

func containsToken(pw string, tokens []string) bool {
	lower := strings.ToLower(pw)
	for _, t := range tokens {
		if strings.Contains(lower, strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// encodePassword returns the unicodePwd value for pw: the password in
// double quotes, encoded UTF-16LE.
func encodePassword(pw string) []byte {
	units := utf16.Encode([]rune(`"` + pw + `"`))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// setPassword sets a random initial password on dn. The password exists
// only in this function and the request; errors never contain it.
func (r *run) setPassword(ctx context.Context, dn string, length int, names ...string) error {
	r.e.randMu.Lock()
	pw, err := generatePassword(r.e.cfg.Rand, length, nameTokens(names...))
	r.e.randMu.Unlock()
	if err != nil {
		return err
	}
	req := ldap.NewModifyRequest(dn, nil)
	req.Replace("unicodePwd", []string{string(encodePassword(pw))})
	if err := r.conn.Modify(ctx, req); err != nil {
		return fmt.Errorf("set initial password: %w", err)
	}
	r.log.DebugContext(ctx, "initial password set", keyDN, dn)
	return nil
}
