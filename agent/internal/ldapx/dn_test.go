package ldapx_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
)

func TestEscapeFilterValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "E12345", "E12345"},
		{"diacritics", "Zoë Ñúñez", `Zo\c3\ab \c3\91\c3\ba\c3\b1ez`},
		{"apostrophe and comma", "O'Brien, Siobhán", `O'Brien, Siobh\c3\a1n`},
		{"filter specials", `Weird *()\ Name`, `Weird \2a\28\29\5c Name`},
		{"injection", `x)(objectClass=*`, `x\29\28objectClass=\2a`},
		{"nul", "a\x00b", `a\00b`},
		{"dn specials untouched", `#Hash+Plus "Quoted" <x>;y=z`, `#Hash+Plus "Quoted" <x>;y=z`},
		{"spaces kept", "  lead trail  ", "  lead trail  "},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ldapx.EscapeFilterValue(tc.in)
			require.Equal(t, tc.want, got)
			// The escaped value compiles inside a filter and decodes back.
			packet, err := ldap.CompileFilter("(cn=" + got + ")")
			require.NoError(t, err)
			require.Equal(t, tc.in, packet.Children[1].Data.String())
		})
	}
}

func TestEscapeDNValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Jane Doe", "Jane Doe"},
		{"diacritics", "Zoë Ñúñez", "Zoë Ñúñez"},
		{"apostrophe and comma", "O'Brien, Siobhán", `O'Brien\, Siobhán`},
		{"filter specials untouched but backslash", `Weird *()\ Name`, `Weird *()\\ Name`},
		{"all specials", `#Hash+Plus "Quoted" <x>;y=z`, `\#Hash\+Plus \"Quoted\" \<x\>\;y\=z`},
		{"hash not first", "a#b", "a#b"},
		{"leading and trailing space", " Lead Trail ", `\ Lead Trail\ `},
		{"double spaces", "  Lead Trail  ", `\  Lead Trail \ `},
		{"single space", " ", `\ `},
		{"nul", "a\x00b", `a\00b`},
		{"control", "tab\tx", `tab\09x`},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ldapx.EscapeDNValue(tc.in)
			require.Equal(t, tc.want, got)
			if tc.in == "" {
				return
			}
			// Round trip through a full DN.
			value, parent, err := ldapx.SplitDN(ldapx.BuildDN(tc.in, "OU=People,DC=hrsync,DC=test"))
			require.NoError(t, err)
			require.Equal(t, tc.in, value)
			require.Equal(t, "OU=People,DC=hrsync,DC=test", parent)
		})
	}
}

func TestSplitDN(t *testing.T) {
	tests := []struct {
		name, dn, value, parent string
		wantErr                 bool
	}{
		{"simple", "CN=Jane Doe,OU=People,DC=hrsync,DC=test", "Jane Doe", "OU=People,DC=hrsync,DC=test", false},
		// As Samba returns them: ; and = hex-escaped.
		{"samba hex escapes", `CN=\#Hash\+Plus \"Quoted\" \<x\>\3By\3Dz,OU=S\2CT,DC=hrsync,DC=test`, `#Hash+Plus "Quoted" <x>;y=z`, `OU=S\2CT,DC=hrsync,DC=test`, false},
		{"escaped comma", `CN=O'Brien\, Siobhán,OU=People,DC=hrsync,DC=test`, "O'Brien, Siobhán", "OU=People,DC=hrsync,DC=test", false},
		{"escaped backslash before comma", `CN=a\\,OU=x`, `a\`, "OU=x", false},
		{"spaces", `CN=\  Lead Trail \ ,OU=x`, "  Lead Trail  ", "OU=x", false},
		{"nul", `CN=a\00b,OU=x`, "a\x00b", "OU=x", false},
		{"root", "DC=test", "test", "", false},
		{"garbage", "not a dn", "", "", true},
		{"multi-valued RDN", "CN=a+SN=b,OU=x", "", "", true},
		{"empty", "", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			value, parent, err := ldapx.SplitDN(tc.dn)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.value, value)
			require.Equal(t, tc.parent, parent)
		})
	}
}

func TestEqualDN(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"same", "OU=A,DC=hrsync,DC=test", "OU=A,DC=hrsync,DC=test", true},
		{"case", "ou=a,dc=HRSYNC,dc=test", "OU=A,DC=hrsync,DC=test", true},
		{"spaces after commas", "OU=A, DC=hrsync, DC=test", "OU=A,DC=hrsync,DC=test", true},
		{"hex and plain escapes", `OU=a\3Db,DC=test`, `OU=a\=b,DC=test`, true},
		{"diacritics fold", "OU=Zoë,DC=test", "OU=ZOË,DC=test", true},
		{"different", "OU=A,DC=hrsync,DC=test", "OU=B,DC=hrsync,DC=test", false},
		{"parent of", "OU=A,DC=hrsync,DC=test", "DC=hrsync,DC=test", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ldapx.EqualDN(tc.a, tc.b))
			require.Equal(t, tc.want, ldapx.EqualDN(tc.b, tc.a))
		})
	}
}

func TestDomainDN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hrsync.test", "DC=hrsync,DC=test"},
		{"corp.example.com.", "DC=corp,DC=example,DC=com"},
		{"single", "DC=single"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, ldapx.DomainDN(tc.in))
		})
	}
}
