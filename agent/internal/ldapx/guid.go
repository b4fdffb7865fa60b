package ldapx

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// GUIDString converts AD's 16-byte objectGUID to the canonical form
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in lower case. AD stores the first
// three groups little-endian.
func GUIDString(b []byte) (string, error) {
	if len(b) != 16 {
		return "", fmt.Errorf("objectGUID has %d bytes, want 16", len(b))
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b[0:4]),
		binary.LittleEndian.Uint16(b[4:6]),
		binary.LittleEndian.Uint16(b[6:8]),
		b[8:10], b[10:16]), nil
}

// GUIDBytes converts a canonical GUID string, in either case and optionally
// in braces, to AD's 16-byte objectGUID.
func GUIDBytes(s string) ([]byte, error) {
	t := strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(t) != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return nil, fmt.Errorf("GUID %q: want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	raw, err := hex.DecodeString(t[0:8] + t[9:13] + t[14:18] + t[19:23] + t[24:36])
	if err != nil {
		return nil, fmt.Errorf("GUID %q: %w", s, err)
	}
	b := make([]byte, 16)
	binary.LittleEndian.PutUint32(b[0:4], binary.BigEndian.Uint32(raw[0:4]))
	binary.LittleEndian.PutUint16(b[4:6], binary.BigEndian.Uint16(raw[4:6]))
	binary.LittleEndian.PutUint16(b[6:8], binary.BigEndian.Uint16(raw[6:8]))
	copy(b[8:], raw[8:])
	return b, nil
}

// GUIDFilter returns a filter matching the object whose objectGUID is the
// canonical string s, with every byte escaped as \xx.
func GUIDFilter(s string) (string, error) {
	b, err := GUIDBytes(s)
	if err != nil {
		return "", err
	}
	var f strings.Builder
	f.WriteString("(objectGUID=")
	for _, c := range b {
		fmt.Fprintf(&f, `\%02x`, c)
	}
	f.WriteString(")")
	return f.String(), nil
}

// SIDString converts a binary objectSid to its S-1-5-21-... form.
func SIDString(b []byte) (string, error) {
	if len(b) < 8 || len(b) != 8+4*int(b[1]) {
		return "", fmt.Errorf("objectSid has %d bytes: malformed", len(b))
	}
	var authority uint64
	for _, c := range b[2:8] {
		authority = authority<<8 | uint64(c)
	}
	var s strings.Builder
	s.WriteString("S-" + strconv.Itoa(int(b[0])) + "-" + strconv.FormatUint(authority, 10))
	for i := 0; i < int(b[1]); i++ {
		s.WriteString("-" + strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return s.String(), nil
}
