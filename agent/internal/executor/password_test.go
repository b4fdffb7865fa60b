package executor

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

func TestGeneratePassword(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1})
	for _, length := range []int{14, 16, 64, 128} {
		for range 200 {
			pw, err := generatePassword(r, length, nil)
			require.NoError(t, err)
			require.Len(t, pw, length)
			for _, class := range passwordClasses {
				require.True(t, strings.ContainsAny(pw, class), "%q lacks one of %q", pw, class)
			}
			require.False(t, strings.ContainsAny(pw, "\"'\\` "), "%q", pw)
		}
	}
}

func TestGeneratePasswordAvoidsNames(t *testing.T) {
	r := rand.NewChaCha8([32]byte{2})
	// Single characters as tokens make most draws fail, exercising the
	// retry; the digit class still has 2, 3 and 4.
	var avoid []string
	for _, c := range "56789" {
		avoid = append(avoid, string(c))
	}
	for range 100 {
		pw, err := generatePassword(r, 16, avoid)
		require.NoError(t, err)
		require.False(t, containsToken(pw, avoid), pw)
	}
}

func TestGeneratePasswordRandomFailure(t *testing.T) {
	boom := errors.New("entropy exhausted")
	_, err := generatePassword(iotest.ErrReader(boom), 16, nil)
	require.ErrorIs(t, err, boom)
}

func TestNameTokens(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"display name", []string{"Jane Doe-Smith"}, []string{"Jane", "Doe", "Smith"}},
		{"short tokens dropped", []string{"Li Wu", "al"}, nil},
		{"account and comma", []string{"jdoe", "O'Brien, Siobhán"}, []string{"jdoe", "O'Brien", "Siobhán"}},
		{"diacritics count as characters", []string{"Zoë"}, []string{"Zoë"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, nameTokens(tc.in...))
		})
	}
}

func TestContainsToken(t *testing.T) {
	require.True(t, containsToken("xxJDOExx", []string{"jdoe"}))
	require.False(t, containsToken("xxJDOxx", []string{"jdoe"}))
	require.False(t, containsToken("anything", nil))
}

func TestEncodePassword(t *testing.T) {
	require.Equal(t, []byte("\"\x00A\x00b\x001\x00!\x00\"\x00"), encodePassword("Ab1!"))
}
