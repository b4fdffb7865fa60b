package ldapx

import (
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// EscapeFilterValue escapes v for use as an assertion value in a search
// filter (RFC 4515): `*`, `(`, `)`, `\`, NUL and every byte outside ASCII
// become \xx. Escaping the bytes of UTF-8 sequences is valid and AD matches
// them as the original characters.
func EscapeFilterValue(v string) string {
	// ldap.EscapeFilter escapes exactly that set; it is checked in tests.
	return ldap.EscapeFilter(v)
}

// EscapeDNValue escapes v for use as an attribute value in a DN (RFC 4514):
// `,+"\<>;=` get a backslash, as do a leading `#`, a leading space and a
// trailing space; NUL and other control characters become \xx. `=` needs no
// escape by the RFC, but AD rejects it unescaped. ldap.EscapeDN does not
// escape `=`, so it is not used.
func EscapeDNValue(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case strings.IndexByte(`,+"\<>;=`, c) >= 0,
			c == '#' && i == 0,
			c == ' ' && (i == 0 || i == len(v)-1):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// BuildDN returns CN=<escaped cn>,<parentDN>.
func BuildDN(cn, parentDN string) string {
	return "CN=" + EscapeDNValue(cn) + "," + parentDN
}

// SplitDN returns the unescaped value of dn's first RDN (the CN of a user)
// and the parent DN exactly as written in dn.
func SplitDN(dn string) (value, parentDN string, err error) {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return "", "", fmt.Errorf("parse DN: %w", err)
	}
	if len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) != 1 {
		return "", "", fmt.Errorf("parse DN: %d RDNs: want a single-valued first RDN", len(parsed.RDNs))
	}
	value = parsed.RDNs[0].Attributes[0].Value
	if i := firstSeparator(dn); i >= 0 {
		parentDN = strings.TrimSpace(dn[i+1:])
	}
	return value, parentDN, nil
}

// firstSeparator returns the index of the first unescaped ',' or ';'.
func firstSeparator(dn string) int {
	for i := 0; i < len(dn); i++ {
		switch dn[i] {
		case '\\':
			i++ // skip the escaped character (or the first digit of \xx)
		case ',', ';':
			return i
		}
	}
	return -1
}

// EqualDN reports whether a and b name the same entry: attribute types and
// values compare case-insensitively after unescaping, as AD does. DNs that
// do not parse compare as case-insensitive strings.
func EqualDN(a, b string) bool {
	pa, errA := ldap.ParseDN(a)
	pb, errB := ldap.ParseDN(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(a, b)
	}
	return pa.EqualFold(pb)
}

// DomainDN returns the naming context of a DNS domain name:
// "corp.example.com" gives "DC=corp,DC=example,DC=com".
func DomainDN(domain string) string {
	labels := strings.Split(strings.TrimSuffix(domain, "."), ".")
	for i, l := range labels {
		labels[i] = "DC=" + EscapeDNValue(l)
	}
	return strings.Join(labels, ",")
}
