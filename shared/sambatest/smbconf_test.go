package sambatest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRewriteConf(t *testing.T) {
	in := `# Global parameters
[global]
	interfaces = lo
	Bind Interfaces Only = Yes
	private dir = /tmp/tmpl/private
	server services = s3fs, rpc, nbt, ldap
	realm = HRSYNC.TEST

[sysvol]
	path = /tmp/tmpl/state/sysvol
	read only = No
`
	want := `# Global parameters
[global]
	private dir = /tmp/dc1/private
	realm = HRSYNC.TEST
	interfaces = 127.0.0.7
	bind interfaces only = yes
	server services = ldap, cldap, kdc

[sysvol]
	path = /tmp/dc1/state/sysvol
	read only = No
`
	got := rewriteConf(in, "/tmp/tmpl", "/tmp/dc1", [][2]string{
		{"interfaces", "127.0.0.7"},
		{"bind interfaces only", "yes"},
		{"server services", "ldap, cldap, kdc"},
	})
	require.Equal(t, want, got)
}

func TestRewriteConfGlobalLast(t *testing.T) {
	got := rewriteConf("[global]\n\tinterfaces = lo\n", "/x", "/y", [][2]string{{"interfaces", "127.0.0.9"}})
	require.Equal(t, "[global]\n\tinterfaces = 127.0.0.9\n", got)
}
