package logging

import (
	"log/slog"
	"strings"
)

// Redacted replaces a redacted value.
const Redacted = "(redacted)"

// RedactDN hides the value of a distinguished name's first RDN, which for a
// user is its CN, usually the person's name, and keeps the rest, the
// container, which says where in the directory the object is:
//
//	CN=Ånne Østergård\, Jr,OU=Staff,DC=corp,DC=example  →  CN=(redacted),OU=Staff,DC=corp,DC=example
//
// The object itself is identified by the op_id (or objectGUID) logged with
// it; the cloud's provisioning logs map those to the person.
func RedactDN(dn string) string {
	end := len(dn)
	for i := 0; i < len(dn); i++ {
		if dn[i] == '\\' {
			i++ // an escaped character, a comma included
			continue
		}
		if dn[i] == ',' {
			end = i
			break
		}
	}
	leaf, parent := dn[:end], dn[end:]
	eq := strings.IndexByte(leaf, '=')
	if eq < 0 {
		return Redacted + parent
	}
	return leaf[:eq+1] + Redacted + parent
}

// Redact is a slog ReplaceAttr function that applies RedactDN to string
// attributes named KeyDN. Every handler from New and NewHandler uses it.
func Redact(_ []string, a slog.Attr) slog.Attr {
	if a.Key == KeyDN && a.Value.Kind() == slog.KindString {
		return slog.String(KeyDN, RedactDN(a.Value.String()))
	}
	return a
}
