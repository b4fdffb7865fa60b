package scim

import (
	"strconv"
	"strings"
)

// uniqueMembers returns the members of obj, reporting and dropping
// duplicates. SCIM attribute names are case-insensitive (RFC 7643 §2.1).
func uniqueMembers(obj jval, path string, ps *problems) []jmember {
	return uniqueMembersSep(obj, path, ".", ps)
}

// uniqueExtMembers is uniqueMembers for the members of a schema extension,
// whose paths read <urn>:<attribute>.
func uniqueExtMembers(obj jval, path string, ps *problems) []jmember {
	return uniqueMembersSep(obj, path, ":", ps)
}

func uniqueMembersSep(obj jval, path, sep string, ps *problems) []jmember {
	seen := make(map[string]bool, len(obj.members))
	out := make([]jmember, 0, len(obj.members))
	for _, m := range obj.members {
		k := strings.ToLower(m.key)
		if seen[k] {
			p := m.key
			if path != "" {
				p = path + sep + m.key
			}
			ps.add(p, TypeInvalidSyntax, "duplicate attribute (attribute names are case-insensitive)")
			continue
		}
		seen[k] = true
		out = append(out, m)
	}
	return out
}

// stringValue checks that v is a string (null counts as absent: ok false,
// no problem) without NUL characters.
func stringValue(v jval, path string, ps *problems) (string, bool) {
	switch v.kind {
	case jNull:
		return "", false
	case jString:
		if strings.ContainsRune(v.text, 0) {
			ps.add(path, TypeInvalidValue, "must not contain NUL characters")
			return "", false
		}
		return v.text, true
	}
	ps.add(path, TypeInvalidValue, "must be a string, got %s", v.kind)
	return "", false
}

// requiredString is stringValue for a member that must be present.
func requiredString(v *jval, path string, ps *problems) (string, bool) {
	if v == nil || v.kind == jNull {
		ps.add(path, TypeInvalidValue, "is required")
		return "", false
	}
	return stringValue(*v, path, ps)
}

// boolValue checks that v is a boolean (null: absent).
func boolValue(v jval, path string, ps *problems) (bool, bool) {
	switch v.kind {
	case jNull:
		return false, false
	case jBool:
		return v.b, true
	}
	ps.add(path, TypeInvalidValue, "must be a boolean, got %s", v.kind)
	return false, false
}

// scalarText renders a string, number or boolean as a source value:
// numbers plainly (1e3 → 1000), booleans as .NET renders them.
func scalarText(v jval) (string, bool) {
	switch v.kind {
	case jString:
		return v.text, true
	case jBool:
		return boolText(v.b), true
	case jNumber:
		if strings.ContainsAny(v.text, "eE") {
			f, err := strconv.ParseFloat(v.text, 64)
			if err == nil {
				return strconv.FormatFloat(f, 'f', -1, 64), true
			}
		}
		return v.text, true
	}
	return "", false
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func describe(v jval) string {
	if s, ok := scalarText(v); ok && v.kind != jString {
		return v.kind.String() + " " + s
	}
	return v.kind.String()
}

func isInteger(text string) bool {
	_, err := strconv.ParseInt(text, 10, 64)
	return err == nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func containsFold(list []string, want string) bool { return indexFold(list, want) >= 0 }

// indexFold returns the index of the first entry of list equal to want
// under case folding, or -1.
func indexFold(list []string, want string) int {
	for i, s := range list {
		if strings.EqualFold(s, want) {
			return i
		}
	}
	return -1
}
