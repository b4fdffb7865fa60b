package ldapx_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
)

func TestGUID(t *testing.T) {
	tests := []struct {
		name   string
		hexAD  string // objectGUID as AD stores it
		str    string
		filter string
	}{
		{
			// Read from Samba: the first three groups are little-endian.
			name:   "samba",
			hexAD:  "50481133d54e5a49a3ff7b4518345b0e",
			str:    "33114850-4ed5-495a-a3ff-7b4518345b0e",
			filter: `(objectGUID=\50\48\11\33\d5\4e\5a\49\a3\ff\7b\45\18\34\5b\0e)`,
		},
		{
			name:   "ordered bytes",
			hexAD:  "00112233445566778899aabbccddeeff",
			str:    "33221100-5544-7766-8899-aabbccddeeff",
			filter: `(objectGUID=\00\11\22\33\44\55\66\77\88\99\aa\bb\cc\dd\ee\ff)`,
		},
		{
			name:   "zero",
			hexAD:  "00000000000000000000000000000000",
			str:    "00000000-0000-0000-0000-000000000000",
			filter: `(objectGUID=\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00)`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := hex.DecodeString(tc.hexAD)
			require.NoError(t, err)

			s, err := ldapx.GUIDString(raw)
			require.NoError(t, err)
			require.Equal(t, tc.str, s)

			back, err := ldapx.GUIDBytes(s)
			require.NoError(t, err)
			require.Equal(t, raw, back)

			f, err := ldapx.GUIDFilter(s)
			require.NoError(t, err)
			require.Equal(t, tc.filter, f)
		})
	}
}

func TestGUIDBytesForms(t *testing.T) {
	want, err := ldapx.GUIDBytes("33114850-4ed5-495a-a3ff-7b4518345b0e")
	require.NoError(t, err)
	for _, in := range []string{
		"33114850-4ED5-495A-A3FF-7B4518345B0E",
		"{33114850-4ed5-495a-a3ff-7b4518345b0e}",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := ldapx.GUIDBytes(in)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

func TestGUIDInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"no dashes", "331148504ed5495aa3ff7b4518345b0e"},
		{"short", "33114850-4ed5-495a-a3ff-7b4518345b0"},
		{"not hex", "3311485g-4ed5-495a-a3ff-7b4518345b0e"},
		{"filter injection", "33114850-4ed5-495a-a3ff-7b45183)(cn=*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ldapx.GUIDBytes(tc.in)
			require.Error(t, err)
			_, err = ldapx.GUIDFilter(tc.in)
			require.Error(t, err)
		})
	}
	for _, n := range []int{0, 15, 17} {
		_, err := ldapx.GUIDString(make([]byte, n))
		require.Error(t, err, "%d bytes", n)
	}
}

func TestSIDString(t *testing.T) {
	tests := []struct {
		name, hexSID, want string
		wantErr            bool
	}{
		{name: "domain user", hexSID: "010500000000000515000000e550fb706b1907ebfc91eb5156040000", want: "S-1-5-21-1895518437-3943111019-1374392828-1110"},
		{name: "well known", hexSID: "01020000000000052000000020020000", want: "S-1-5-32-544"},
		{name: "truncated", hexSID: "010500000000000515000000", wantErr: true},
		{name: "empty", hexSID: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := hex.DecodeString(tc.hexSID)
			require.NoError(t, err)
			got, err := ldapx.SIDString(raw)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
