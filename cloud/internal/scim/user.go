package scim

import (
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Core User attributes we flatten, by lower-cased name → canonical name.
var (
	coreStrings = canon("externalId", "userName", "displayName", "nickName", "title", "userType",
		"preferredLanguage", "locale", "timezone")
	nameFields = canon("formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix")
	// coreIgnored are RFC 7643 User attributes that are accepted but not
	// flattened: nothing maps them from an HR source.
	coreIgnored = canon("id", "meta", "password", "profileUrl", "ims", "photos", "entitlements",
		"roles", "x509Certificates", "groups")
	enterpriseStrings = canon("employeeNumber", "costCenter", "organization", "division", "department")
	managerFields     = canon("value", "displayName", "$ref")
)

// multiAttr describes a multi-valued complex attribute: the string
// sub-attributes flattened per type and for the primary entry.
type multiAttr struct {
	name   string
	fields map[string]string
}

var multiAttrs = map[string]multiAttr{
	"emails":       {name: "emails", fields: canon("value")},
	"phonenumbers": {name: "phoneNumbers", fields: canon("value")},
	"addresses": {name: "addresses", fields: canon("streetAddress", "locality", "region", "postalCode",
		"country", "formatted")},
}

func canon(names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = n
	}
	return m
}

// userParser flattens one operation's data object.
type userParser struct {
	ps    *problems
	attrs map[string]expr.Value
}

func (u *userParser) set(key, value string) { u.attrs[key] = expr.String(value) }

func parseUser(data jval, path string, ps *problems) Record {
	u := &userParser{ps: ps, attrs: map[string]expr.Value{}}
	members := uniqueMembers(data, path, ps)
	var schemas *jval
	for _, m := range members {
		if strings.EqualFold(m.key, "schemas") {
			schemas = &m.val
		}
	}
	listed := requireSchema(schemas, path+".schemas", CoreUserSchema, ps)
	sawExternalID := false
	for _, m := range members {
		mp := join(path, m.key)
		lk := strings.ToLower(m.key)
		switch {
		case lk == "schemas":
		case strings.HasPrefix(lk, "urn:"):
			urn := m.key
			if i := indexFold(listed, urn); i >= 0 {
				urn = listed[i] // flattened names use the spelling of schemas
			} else if schemas != nil && schemas.kind == jArray && !strings.EqualFold(urn, CoreUserSchema) {
				ps.add(path+".schemas", TypeInvalidValue, "must list %q, which data contains", m.key)
			}
			u.extension(urn, m.val, mp)
		case coreStrings[lk] != "":
			if lk == "externalid" {
				sawExternalID = m.val.kind != jNull
			}
			if s, ok := stringValue(m.val, mp, ps); ok {
				u.set(coreStrings[lk], s)
			}
		case lk == "active":
			if b, ok := boolValue(m.val, mp, ps); ok {
				u.set("active", boolText(b))
			}
		case lk == "name":
			u.object(m.val, mp, nameFields, "name.")
		case multiAttrs[lk].name != "":
			u.multi(multiAttrs[lk], m.val, mp)
		case coreIgnored[lk] != "":
		default:
			ps.add(mp, TypeInvalidSyntax, "unknown attribute")
		}
	}
	id, isString := u.attrs["externalId"]
	switch {
	case !sawExternalID:
		ps.add(path+".externalId", TypeInvalidValue, "is required")
	case isString && strings.TrimSpace(id.AsString()) == "":
		ps.add(path+".externalId", TypeInvalidValue, "must not be empty or blank")
	}
	return Record{ExternalID: id.AsString(), Attrs: u.attrs}
}

// object flattens a single-valued complex attribute of string fields.
func (u *userParser) object(v jval, path string, fields map[string]string, prefix string) {
	if v.kind == jNull {
		return
	}
	if v.kind != jObject {
		u.ps.add(path, TypeInvalidValue, "must be an object, got %s", v.kind)
		return
	}
	for _, m := range uniqueMembers(v, path, u.ps) {
		mp := join(path, m.key)
		f := fields[strings.ToLower(m.key)]
		if f == "" {
			u.ps.add(mp, TypeInvalidSyntax, "unknown attribute")
			continue
		}
		if s, ok := stringValue(m.val, mp, u.ps); ok {
			u.set(prefix+f, s)
		}
	}
}

// multi flattens emails, phoneNumbers or addresses: for each type the first
// entry of that type gives attr[type eq "<type>"].<field>, and the primary
// entry gives attr[primary eq true].<field>.
func (u *userParser) multi(spec multiAttr, v jval, path string) {
	if v.kind == jNull {
		return
	}
	if v.kind != jArray {
		u.ps.add(path, TypeInvalidValue, "must be an array, got %s", v.kind)
		return
	}
	seenTypes := map[string]bool{}
	primaryAt := -1
	for i, e := range v.elems {
		ep := fmt.Sprintf("%s[%d]", path, i)
		if e.kind != jObject {
			u.ps.add(ep, TypeInvalidValue, "must be an object, got %s", e.kind)
			continue
		}
		typ, primary, values := u.multiEntry(spec, e, ep)
		if primary {
			if primaryAt >= 0 {
				u.ps.add(ep+".primary", TypeInvalidValue, "only one entry may be primary, and %s[%d] already is", path, primaryAt)
			} else {
				primaryAt = i
				for f, s := range values {
					u.set(spec.name+"[primary eq true]."+f, s)
				}
			}
		}
		if typ != "" && !seenTypes[typ] {
			seenTypes[typ] = true
			for f, s := range values {
				u.set(fmt.Sprintf("%s[type eq %q].%s", spec.name, typ, f), s)
			}
		}
	}
}

func (u *userParser) multiEntry(spec multiAttr, e jval, path string) (typ string, primary bool, values map[string]string) {
	values = map[string]string{}
	for _, m := range uniqueMembers(e, path, u.ps) {
		mp := join(path, m.key)
		lk := strings.ToLower(m.key)
		switch {
		case lk == "type":
			typ, _ = stringValue(m.val, mp, u.ps)
		case lk == "primary":
			primary, _ = boolValue(m.val, mp, u.ps)
		case lk == "display":
			stringValue(m.val, mp, u.ps)
		case spec.fields[lk] != "":
			if s, ok := stringValue(m.val, mp, u.ps); ok {
				values[spec.fields[lk]] = s
			}
		default:
			u.ps.add(mp, TypeInvalidSyntax, "unknown attribute")
		}
	}
	return typ, primary, values
}
