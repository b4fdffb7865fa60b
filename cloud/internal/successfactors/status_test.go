package successfactors

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStatusCodes(t *testing.T) {
	active := ""
	for _, c := range "ADUPSFORT" {
		m, a, ok := EmploymentStatus(string(c))
		require.True(t, ok, string(c))
		require.NotEmpty(t, m)
		if a {
			active += string(c)
		}
	}
	require.Equal(t, "AUP", active, "Microsoft's active-ish codes")
	_, _, ok := EmploymentStatus("741")
	require.False(t, ok, "an option ID is not a code")

	pre := ""
	for _, c := range []string{"t", "f", "T", "F", "e", "d", "x", "v"} {
		m, p, ok := UserStatus(c)
		require.True(t, ok, c)
		require.NotEmpty(t, m)
		if p {
			pre += c
		}
	}
	require.Equal(t, "tfe", pre, "the statuses the pre-hire query asks for")
	_, p, ok := UserStatus("active_external_suite")
	require.True(t, ok)
	require.True(t, p)
}
