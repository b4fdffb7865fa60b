package executor

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// userAccountControl bits.
const (
	uacAccountDisable = 0x2
	uacNormalAccount  = 0x200
)

// Attributes the executor reads for itself.
const (
	attrGUID       = "objectGUID"
	attrSID        = "objectSid"
	attrUAC        = "userAccountControl"
	attrPwdLastSet = "pwdLastSet"
	attrSAM        = "sAMAccountName"
	attrDisplay    = "displayName"
)

// userFilter restricts a filter to user objects.
func userFilter(f string) string {
	return "(&(objectClass=user)" + f + ")"
}

// matchFilter finds users by an attribute value, escaped.
func matchFilter(m *agentv1.Match) string {
	return userFilter("(" + matchAttribute(m) + "=" + ldapx.EscapeFilterValue(m.GetValue()) + ")")
}

// search runs a subtree or base search and returns the entries.
func (r *run) search(ctx context.Context, base string, scope int, filter string, attrs []string) ([]*ldap.Entry, error) {
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, withInternal(attrs), nil)
	res, err := r.conn.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	return res.Entries, nil
}

// byGUID reads the user with the given objectGUID anywhere in the domain.
func (r *run) byGUID(ctx context.Context, guid string, attrs []string) (*ldap.Entry, error) {
	f, err := ldapx.GUIDFilter(guid)
	if err != nil {
		return nil, invalid("object_guid: %v", err)
	}
	entries, err := r.search(ctx, r.dom.BaseDN, ldap.ScopeWholeSubtree, userFilter(f), attrs)
	if err != nil {
		return nil, err
	}
	switch len(entries) {
	case 0:
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, "no user with objectGUID %s under %s", guid, r.dom.BaseDN)
	case 1:
		return entries[0], nil
	default:
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_INTERNAL, "%d users with objectGUID %s", len(entries), guid)
	}
}

// byDN reads the user at dn.
func (r *run) byDN(ctx context.Context, dn string, attrs []string) (*ldap.Entry, error) {
	entries, err := r.search(ctx, dn, ldap.ScopeBaseObject, "(objectClass=user)", attrs)
	if err != nil {
		return nil, err
	}
	if len(entries) != 1 {
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, "no user at %s", dn)
	}
	return entries[0], nil
}

// withInternal adds the attributes every Entry needs to a read list.
func withInternal(attrs []string) []string {
	out := append([]string{attrGUID, attrUAC}, attrs...)
	return out
}

// toEntry converts an LDAP entry to the wire form with the attributes in
// names ("*" for all returned), under the names asked for. Absent
// attributes are left out.
func toEntry(e *ldap.Entry, names []string) (*agentv1.Entry, error) {
	guid, err := ldapx.GUIDString(e.GetRawAttributeValue(attrGUID))
	if err != nil {
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_INTERNAL, "read %s: %v", e.DN, err)
	}
	uac, ok := uacOf(e)
	out := &agentv1.Entry{Dn: e.DN, ObjectGuid: guid, Enabled: ok && uac&uacAccountDisable == 0}

	seen := make(map[string]bool)
	add := func(name string, a *ldap.EntryAttribute) error {
		key := strings.ToLower(name)
		if seen[key] || a == nil || len(a.ByteValues) == 0 {
			return nil
		}
		seen[key] = true
		values, err := stringValues(a)
		if err != nil {
			return direrr.New(agentv1.ErrorCode_ERROR_CODE_INTERNAL, "read %s of %s: %v", name, e.DN, err)
		}
		out.Attributes = append(out.Attributes, &agentv1.Attribute{Name: name, Values: values})
		return nil
	}
	for _, name := range names {
		if name == "*" {
			for _, a := range e.Attributes {
				if err := add(a.Name, a); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := add(name, findAttr(e, name)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findAttr returns e's attribute name, compared case-insensitively.
func findAttr(e *ldap.Entry, name string) *ldap.EntryAttribute {
	for _, a := range e.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// stringValues returns the values of a, with binary GUIDs and SIDs in
// their canonical string forms.
func stringValues(a *ldap.EntryAttribute) ([]string, error) {
	var conv func([]byte) (string, error)
	switch {
	case strings.EqualFold(a.Name, attrGUID):
		conv = ldapx.GUIDString
	case strings.EqualFold(a.Name, attrSID):
		conv = ldapx.SIDString
	default:
		return a.Values, nil
	}
	out := make([]string, len(a.ByteValues))
	for i, b := range a.ByteValues {
		s, err := conv(b)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// uacOf returns e's userAccountControl; ok is false when it is absent or
// not a number.
func uacOf(e *ldap.Entry) (uac int64, ok bool) {
	v := e.GetEqualFoldAttributeValue(attrUAC)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// entries converts LDAP entries with toEntry.
func entries(les []*ldap.Entry, names []string) ([]*agentv1.Entry, error) {
	out := make([]*agentv1.Entry, 0, len(les))
	for _, le := range les {
		e, err := toEntry(le, names)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
