package executor

import (
	"regexp"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// defaultMatchAttribute is used when a Match names no attribute.
const defaultMatchAttribute = "employeeID"

// attrName is an LDAP attribute description without options: a name or an
// OID. Checking it keeps request data from changing a filter's structure.
var attrName = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)$`)

// managed are attributes operations may not set: the executor sets them
// itself, they are derived from the DN, or AD never changes them.
var managed = map[string]string{
	"cn":                 "use cn or new_cn",
	"name":               "use cn or new_cn",
	"distinguishedname":  "use parent_dn or new_parent_dn",
	"objectclass":        "the executor creates users",
	"objectguid":         "assigned by AD",
	"objectsid":          "assigned by AD",
	"unicodepwd":         "passwords never travel in operations",
	"userpassword":       "passwords never travel in operations",
	"useraccountcontrol": "use enable or enabled",
}

func invalid(format string, args ...any) error {
	return direrr.New(agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, "invalid request: "+format, args...)
}

// validate checks what can be checked without the directory, naming the
// offending field.
func validate(op *agentv1.Operation) error {
	switch k := op.GetKind().(type) {
	case *agentv1.Operation_CreateUser:
		return validateCreate(k.CreateUser)
	case *agentv1.Operation_ModifyUser:
		return validateModify(k.ModifyUser)
	case *agentv1.Operation_FindUser:
		return validateFind(k.FindUser)
	case *agentv1.Operation_ExportUsers:
		return validateDN("export_users.base_dn", k.ExportUsers.GetBaseDn(), true)
	case *agentv1.Operation_LookupValues:
		return validateLookup(k.LookupValues)
	case *agentv1.Operation_DeleteUser:
		if k.DeleteUser.GetTarget().GetObjectGuid() == "" {
			return invalid("delete_user.target.object_guid: empty (deletes go by objectGUID only)")
		}
		return nil
	default:
		return invalid("operation.kind: unset")
	}
}

func validateCreate(cu *agentv1.CreateUser) error {
	if err := validateDN("create_user.parent_dn", cu.GetParentDn(), false); err != nil {
		return err
	}
	if cu.GetCn() == "" {
		return invalid("create_user.cn: empty")
	}
	if err := validateDN("create_user.base_dn", cu.GetBaseDn(), true); err != nil {
		return err
	}
	if err := validateMatch("create_user.match", cu.GetMatch()); err != nil {
		return err
	}
	if n := cu.GetPasswordLength(); n > maxPasswordLength {
		return invalid("create_user.password_length: %d is over %d", n, maxPasswordLength)
	}
	attrs, err := attributes("create_user.attributes", cu.GetAttributes(), false)
	if err != nil {
		return err
	}
	matchAttr := matchAttribute(cu.GetMatch())
	for _, a := range attrs {
		if strings.EqualFold(a.name, matchAttr) && !slices.Contains(a.values, cu.GetMatch().GetValue()) {
			return invalid("create_user.attributes: %s does not hold the match value", a.name)
		}
	}
	return nil
}

func validateModify(mu *agentv1.ModifyUser) error {
	t := mu.GetTarget()
	switch {
	case t.GetObjectGuid() != "":
		if _, err := ldapx.GUIDBytes(t.GetObjectGuid()); err != nil {
			return invalid("modify_user.target.object_guid: %v", err)
		}
	case t.GetDn() != "":
		if err := validateDN("modify_user.target.dn", t.GetDn(), false); err != nil {
			return err
		}
	default:
		return invalid("modify_user.target: neither object_guid nor dn")
	}
	if _, err := attributes("modify_user.changes", mu.GetChanges(), true); err != nil {
		return err
	}
	if mu.Enabled != nil {
		for _, c := range mu.GetChanges() {
			if strings.EqualFold(c.GetName(), "userAccountControl") {
				return invalid("modify_user.changes: userAccountControl together with enabled")
			}
		}
	}
	return validateDN("modify_user.new_parent_dn", mu.GetNewParentDn(), true)
}

func validateFind(fu *agentv1.FindUser) error {
	if err := validateDN("find_user.base_dn", fu.GetBaseDn(), true); err != nil {
		return err
	}
	switch by := fu.GetBy().(type) {
	case *agentv1.FindUser_ObjectGuid:
		if _, err := ldapx.GUIDBytes(by.ObjectGuid); err != nil {
			return invalid("find_user.object_guid: %v", err)
		}
	case *agentv1.FindUser_Match:
		if err := validateMatch("find_user.match", by.Match); err != nil {
			return err
		}
	default:
		return invalid("find_user.by: unset")
	}
	return validateReadAttributes("find_user.attributes", fu.GetAttributes())
}

func validateMatch(field string, m *agentv1.Match) error {
	if m.GetValue() == "" {
		return invalid("%s.value: empty", field)
	}
	if a := m.GetAttribute(); a != "" && !attrName.MatchString(a) {
		return invalid("%s.attribute: %q is not an attribute name", field, a)
	}
	return nil
}

func matchAttribute(m *agentv1.Match) string {
	if m.GetAttribute() == "" {
		return defaultMatchAttribute
	}
	return m.GetAttribute()
}

func validateDN(field, dn string, optional bool) error {
	if dn == "" {
		if optional {
			return nil
		}
		return invalid("%s: empty", field)
	}
	if _, err := ldap.ParseDN(dn); err != nil {
		return invalid("%s: %v", field, err)
	}
	return nil
}

func validateReadAttributes(field string, names []string) error {
	for i, n := range names {
		if n != "*" && !attrName.MatchString(n) {
			return invalid("%s[%d]: %q is not an attribute name", field, i, n)
		}
	}
	return nil
}

// attribute is a validated attribute with its non-empty values.
type attribute struct {
	name   string
	values []string
}

// attributes validates names, rejects duplicates and managed attributes,
// and drops empty values. Without allowEmpty, attributes left with no
// values are dropped; with it they stay, meaning "delete".
func attributes(field string, in []*agentv1.Attribute, allowEmpty bool) ([]attribute, error) {
	seen := make(map[string]bool, len(in))
	out := make([]attribute, 0, len(in))
	for i, a := range in {
		name := a.GetName()
		key := strings.ToLower(name)
		switch {
		case !attrName.MatchString(name):
			return nil, invalid("%s[%d].name: %q is not an attribute name", field, i, name)
		case managed[key] != "":
			return nil, invalid("%s[%d].name: %s is managed: %s", field, i, name, managed[key])
		case seen[key]:
			return nil, invalid("%s[%d].name: %s appears twice", field, i, name)
		}
		seen[key] = true
		var values []string
		for _, v := range a.GetValues() {
			if v != "" {
				values = append(values, v)
			}
		}
		if len(values) == 0 && !allowEmpty {
			continue
		}
		out = append(out, attribute{name: name, values: values})
	}
	return out, nil
}

// names returns the attribute names of attrs.
func names(attrs []attribute) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.name
	}
	return out
}

// maxLookupValues bounds the OR filter of one LookupValues.
const maxLookupValues = 100

func validateLookup(lv *agentv1.LookupValues) error {
	if err := validateDN("lookup_values.base_dn", lv.GetBaseDn(), true); err != nil {
		return err
	}
	if !attrName.MatchString(lv.GetAttribute()) {
		return invalid("lookup_values.attribute: %q is not an attribute name", lv.GetAttribute())
	}
	switch n := len(lv.GetValues()); {
	case n == 0:
		return invalid("lookup_values.values: empty")
	case n > maxLookupValues:
		return invalid("lookup_values.values: %d values, at most %d", n, maxLookupValues)
	}
	for i, v := range lv.GetValues() {
		if v == "" {
			return invalid("lookup_values.values[%d]: empty", i)
		}
	}
	return nil
}
