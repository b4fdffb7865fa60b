package scim

import (
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// extension flattens a schema extension object: the enterprise extension
// by its known attributes, any other URN generically. A custom attribute
// flattens to "<urn>:<name>", the name a mapping references as
// [<urn>:<name>]; so the URN and the names are checked for characters
// that would make that reference ambiguous or impossible to write.
func (u *userParser) extension(urn string, v jval, path string) {
	switch {
	case strings.EqualFold(urn, CoreUserSchema):
		u.ps.add(path, TypeInvalidSyntax, "core attributes must not be nested under the core schema URN")
		return
	case v.kind == jNull:
		return
	case v.kind != jObject:
		u.ps.add(path, TypeInvalidValue, "must be an object, got %s", v.kind)
		return
	case strings.EqualFold(urn, EnterpriseUserSchema):
		u.enterprise(v, path)
		return
	}
	if why := checkURN(urn); why != "" {
		u.ps.add(path, TypeInvalidSyntax, "is not a schema URN: %s", why)
		return
	}
	for _, m := range uniqueExtMembers(v, path, u.ps) {
		mp := path + ":" + m.key
		if !validAttrName(m.key) {
			u.ps.add(mp, TypeInvalidSyntax, "invalid attribute name: it must start with a letter and hold only letters, digits, '-' and '_' (RFC 7643 §2.1)")
			continue
		}
		if val, ok := u.customValue(m.val, mp); ok {
			u.attrs[urn+":"+m.key] = val
		}
	}
}

func (u *userParser) enterprise(v jval, path string) {
	for _, m := range uniqueExtMembers(v, path, u.ps) {
		mp := path + ":" + m.key
		lk := strings.ToLower(m.key)
		switch {
		case enterpriseStrings[lk] != "":
			if s, ok := stringValue(m.val, mp, u.ps); ok {
				u.set(EnterpriseUserSchema+":"+enterpriseStrings[lk], s)
			}
		case lk == "manager":
			u.manager(m.val, mp)
		default:
			u.ps.add(mp, TypeInvalidSyntax, "unknown attribute")
		}
	}
}

// manager flattens manager.value, the manager's externalId.
func (u *userParser) manager(v jval, path string) {
	if v.kind == jNull {
		return
	}
	if v.kind != jObject {
		u.ps.add(path, TypeInvalidValue, "must be an object, got %s", v.kind)
		return
	}
	for _, m := range uniqueMembers(v, path, u.ps) {
		mp := join(path, m.key)
		f := managerFields[strings.ToLower(m.key)]
		if f == "" {
			u.ps.add(mp, TypeInvalidSyntax, "unknown attribute")
			continue
		}
		if s, ok := stringValue(m.val, mp, u.ps); ok && f == "value" {
			u.set(EnterpriseUserSchema+":manager", s)
		}
	}
}

// customValue converts a custom extension attribute: scalars become
// strings, arrays of scalars multi-valued values; null is absent.
func (u *userParser) customValue(v jval, path string) (expr.Value, bool) {
	switch v.kind {
	case jNull:
		return expr.Null(), false
	case jObject:
		u.ps.add(path, TypeInvalidValue, "must be a string, number, boolean or array of them, got object")
		return expr.Null(), false
	case jArray:
		vals := make([]string, 0, len(v.elems))
		for i, e := range v.elems {
			s, ok := scalarText(e)
			if !ok {
				u.ps.add(fmt.Sprintf("%s[%d]", path, i), TypeInvalidValue, "must be a string, number or boolean, got %s", e.kind)
				continue
			}
			if u.checkNUL(s, fmt.Sprintf("%s[%d]", path, i)) {
				vals = append(vals, s)
			}
		}
		return expr.Multi(vals), len(vals) > 0
	}
	s, _ := scalarText(v)
	return expr.String(s), u.checkNUL(s, path)
}

func (u *userParser) checkNUL(s, path string) bool {
	if strings.ContainsRune(s, 0) {
		u.ps.add(path, TypeInvalidValue, "must not contain NUL characters")
		return false
	}
	return true
}

// checkURN says why urn cannot name a custom extension ("" when it can):
// "urn:" NID ":" NSS (RFC 8141) without characters that a mapping's
// [attribute] reference cannot hold, and not ending in ':', which would
// make "<urn>:<name>" ambiguous.
func checkURN(urn string) string {
	parts := strings.SplitN(urn, ":", 3)
	if len(parts) < 3 || parts[1] == "" || parts[2] == "" {
		return `it must have the form urn:<namespace>:<name>`
	}
	if strings.HasSuffix(urn, ":") {
		return "it must not end with ':'"
	}
	for _, r := range urn {
		if !urnRune(r) {
			return fmt.Sprintf("character %q is not allowed", r)
		}
	}
	return ""
}

// urnRune reports the characters RFC 8141 allows in a URN (percent-encoded
// octets stay encoded), minus none that matter here: '[', ']', '"', space
// and controls are all outside the set.
func urnRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("-._~!$&'()*+,;=:@/%", r)
}

// validAttrName reports whether name is an RFC 7643 ATTRNAME:
// ALPHA *( "-" / "_" / DIGIT / ALPHA ).
func validAttrName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_'):
		default:
			return false
		}
	}
	return true
}
