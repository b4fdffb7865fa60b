package expr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
)

// MaxRandomLength is the longest RandomString, as in Entra.
const MaxRandomLength = 256

// The character classes of RandomString. The special characters are the
// non-alphanumeric characters Active Directory's password complexity rules
// count.
const (
	randDigits  = "0123456789"
	randSpecial = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
	randUpper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	randLower   = "abcdefghijklmnopqrstuvwxyz"
)

// fnGuid returns a new random (version 4) GUID, lower-case and hyphenated.
func fnGuid(c *callCtx, _ []Value) (Value, error) {
	id, err := uuid.NewRandomFromReader(c.rand())
	if err != nil {
		return Null(), fmt.Errorf("read randomness: %w", err)
	}
	return String(id.String()), nil
}

// randomSpec is a validated RandomString request.
type randomSpec struct {
	length  int
	classes [4]string // digits, special, upper, lower, minus avoided characters
	minimum [4]int
}

var randomParams = [...]string{"Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase"}

// prepRandomString checks constant arguments when the expression compiles.
func prepRandomString(args []Node) (any, error) {
	vals := make([]Value, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case *NumberLit:
			vals[i] = String(a.Value)
		case *StringLit:
			vals[i] = String(a.Value)
		case *Empty:
		default:
			return nil, nil // computed at run time: checked then
		}
	}
	_, err := newRandomSpec(vals)
	return nil, err
}

func newRandomSpec(args []Value) (randomSpec, error) {
	var sp randomSpec
	n, err := integer(args[0], randomParams[0])
	if err != nil {
		return sp, err
	}
	if n < 1 || n > MaxRandomLength {
		return sp, argErr("Length must be 1 to %d, got %d", MaxRandomLength, n)
	}
	sp.length = n
	avoid := ""
	if len(args) > 5 && !args[5].IsNull() {
		if avoid, err = scalar(args[5]); err != nil {
			return sp, err
		}
	}
	sum := 0
	for i, set := range []string{randDigits, randSpecial, randUpper, randLower} {
		m, err := integer(args[i+1], randomParams[i+1])
		if err != nil {
			return sp, err
		}
		if m < 0 || m > MaxRandomLength {
			return sp, argErr("%s must be 0 to %d, got %d", randomParams[i+1], MaxRandomLength, m)
		}
		sp.minimum[i] = m
		sum += m
		sp.classes[i] = strings.Map(func(r rune) rune {
			if strings.ContainsRune(avoid, r) {
				return -1
			}
			return r
		}, set)
		if m > 0 && sp.classes[i] == "" {
			return sp, argErr("%s is %d but CharactersToAvoid excludes every such character", randomParams[i+1], m)
		}
	}
	if sum > n {
		return sp, argErr("the minimums add up to %d, more than Length %d", sum, n)
	}
	return sp, nil
}

// fnRandomString: RandomString(Length, MinimumNumbers,
// MinimumSpecialCharacters, MinimumCapital, MinimumLowerCase,
// CharactersToAvoid). Each minimum is met; the remaining characters come
// from the classes with a minimum above zero (from all four when every
// minimum is zero), so RandomString(3, 3, 0, 0, 0) is three digits. The
// order is shuffled. Randomness comes from Env.Rand.
func fnRandomString(c *callCtx, args []Value) (Value, error) {
	sp, err := newRandomSpec(args)
	if err != nil {
		return Null(), err
	}
	r := c.rand()
	pool := ""
	for i, set := range sp.classes {
		if sp.minimum[i] > 0 {
			pool += set
		}
	}
	if pool == "" {
		pool = strings.Join(sp.classes[:], "")
	}
	if pool == "" {
		return Null(), argErr("CharactersToAvoid excludes every character")
	}
	out := make([]byte, 0, sp.length)
	for i, set := range sp.classes {
		for range sp.minimum[i] {
			k, err := randIndex(r, len(set))
			if err != nil {
				return Null(), err
			}
			out = append(out, set[k])
		}
	}
	for len(out) < sp.length {
		k, err := randIndex(r, len(pool))
		if err != nil {
			return Null(), err
		}
		out = append(out, pool[k])
	}
	for i := len(out) - 1; i > 0; i-- { // Fisher–Yates
		j, err := randIndex(r, i+1)
		if err != nil {
			return Null(), err
		}
		out[i], out[j] = out[j], out[i]
	}
	return String(string(out)), nil
}

// randIndex returns a uniform integer in [0, n) by rejection sampling. A
// source that keeps giving rejected values is broken, not unlucky.
func randIndex(r io.Reader, n int) (int, error) {
	limit := uint64(1<<32) - uint64(1<<32)%uint64(n)
	var b [4]byte
	for range 64 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, fmt.Errorf("read randomness: %w", err)
		}
		if v := uint64(binary.LittleEndian.Uint32(b[:])); v < limit {
			return int(v % uint64(n)), nil
		}
	}
	return 0, errors.New("read randomness: the source is not random")
}
