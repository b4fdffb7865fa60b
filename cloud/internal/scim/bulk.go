package scim

import (
	"fmt"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Schema URNs.
const (
	BulkRequestSchema    = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	CoreUserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// Default limits, as Entra's bulkUpload endpoint enforces them.
const (
	DefaultMaxOperations       = 50
	DefaultMaxBytes      int64 = 1 << 20
)

// Limits bound one request. Zero fields take the defaults.
type Limits struct {
	MaxOperations int
	MaxBytes      int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxOperations <= 0 {
		l.MaxOperations = DefaultMaxOperations
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}

// BulkRequest is a validated request.
type BulkRequest struct {
	Operations []Operation
}

// Operation is one POST /Users operation.
type Operation struct {
	// Index is the position in the request's Operations array (0-based).
	Index  int
	BulkID string // "" when absent
	Record Record
}

// Record is a user flattened into source attributes.
type Record struct {
	ExternalID string
	// Attrs maps source attribute names (externalId, name.givenName,
	// emails[type eq "work"].value, <URN>:<attribute>…) to values. Absent
	// and null attributes are not in the map.
	Attrs map[string]expr.Value
}

// ParseBulkRequest validates a bulkUpload body and flattens its users. On
// failure the error is an *Error: 413 when the body or the operation count
// is over the limit, otherwise 400 listing every problem found.
func ParseBulkRequest(body []byte, lim Limits) (*BulkRequest, error) {
	lim = lim.withDefaults()
	if int64(len(body)) > lim.MaxBytes {
		return nil, single(413, "", "", "request body is %d bytes, the limit is %d", len(body), lim.MaxBytes)
	}
	root, err := decodeJSON(body)
	if err != nil {
		return nil, err
	}
	if root.kind != jObject {
		return nil, single(400, TypeInvalidSyntax, "", "request body must be a JSON object, got %s", root.kind)
	}
	ps := newProblems()
	var schemas, ops *jval
	for _, m := range uniqueMembers(root, "", ps) {
		switch strings.ToLower(m.key) {
		case "schemas":
			schemas = &m.val
		case "operations":
			ops = &m.val
		case "failonerrors":
			if m.val.kind != jNull && (m.val.kind != jNumber || !isInteger(m.val.text)) {
				ps.add(m.key, TypeInvalidValue, "must be an integer or null, got %s", describe(m.val))
			}
		default:
			ps.add(m.key, TypeInvalidSyntax, "unknown attribute")
		}
	}
	requireSchema(schemas, "schemas", BulkRequestSchema, ps)
	var req BulkRequest
	switch {
	case ops == nil:
		ps.add("Operations", TypeInvalidValue, "is required")
	case ops.kind != jArray:
		ps.add("Operations", TypeInvalidValue, "must be an array, got %s", ops.kind)
	case len(ops.elems) > lim.MaxOperations:
		return nil, single(413, TypeTooMany, "Operations", "%d operations, the limit is %d per request", len(ops.elems), lim.MaxOperations)
	case len(ops.elems) == 0:
		ps.add("Operations", TypeInvalidValue, "must contain at least one operation")
	default:
		req.Operations = parseOperations(ops.elems, ps)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return &req, nil
}

func parseOperations(elems []jval, ps *problems) []Operation {
	out := make([]Operation, 0, len(elems))
	bulkIDs := map[string]int{}
	externalIDs := map[string]int{}
	for i, e := range elems {
		path := fmt.Sprintf("Operations[%d]", i)
		ps.op = i
		op, ok := parseOperation(e, path, ps)
		op.Index = i
		ps.identify(i, op.BulkID, op.Record.ExternalID)
		if op.BulkID != "" {
			if first, dup := bulkIDs[op.BulkID]; dup {
				ps.add(path+".bulkId", TypeUniqueness, "%q is already used by Operations[%d]", op.BulkID, first)
			} else {
				bulkIDs[op.BulkID] = i
			}
		}
		if id := op.Record.ExternalID; id != "" {
			if first, dup := externalIDs[id]; dup {
				ps.add(path+".data.externalId", TypeUniqueness, "%q is already used by Operations[%d]", id, first)
			} else {
				externalIDs[id] = i
			}
		}
		if ok {
			out = append(out, op)
		}
	}
	ps.op = -1
	return out
}

func parseOperation(v jval, path string, ps *problems) (Operation, bool) {
	var op Operation
	if v.kind != jObject {
		ps.add(path, TypeInvalidSyntax, "must be an object, got %s", v.kind)
		return op, false
	}
	var method, opPath, data *jval
	for _, m := range uniqueMembers(v, path, ps) {
		mp := join(path, m.key)
		switch strings.ToLower(m.key) {
		case "method":
			method = &m.val
		case "path":
			opPath = &m.val
		case "data":
			data = &m.val
		case "bulkid":
			if s, ok := stringValue(m.val, mp, ps); ok {
				if s == "" {
					ps.add(mp, TypeInvalidValue, "must not be empty")
				}
				op.BulkID = s
			}
		case "version":
			stringValue(m.val, mp, ps)
		default:
			ps.add(mp, TypeInvalidSyntax, "unknown attribute")
		}
	}
	if s, ok := requiredString(method, path+".method", ps); ok && !strings.EqualFold(s, "POST") {
		ps.add(path+".method", TypeInvalidValue, "must be POST, got %q", s)
	}
	if s, ok := requiredString(opPath, path+".path", ps); ok && s != "/Users" {
		ps.add(path+".path", TypeInvalidPath, "must be /Users, got %q", s)
	}
	switch {
	case data == nil:
		ps.add(path+".data", TypeInvalidValue, "is required")
		return op, false
	case data.kind != jObject:
		ps.add(path+".data", TypeInvalidValue, "must be an object, got %s", data.kind)
		return op, false
	}
	op.Record = parseUser(*data, path+".data", ps)
	return op, true
}

// requireSchema checks that v is an array of strings containing want.
func requireSchema(v *jval, path, want string, ps *problems) []string {
	switch {
	case v == nil || v.kind == jNull:
		ps.add(path, TypeInvalidValue, "is required and must contain %q", want)
		return nil
	case v.kind != jArray:
		ps.add(path, TypeInvalidValue, "must be an array of strings, got %s", v.kind)
		return nil
	}
	var list []string
	for i, e := range v.elems {
		if s, ok := stringValue(e, fmt.Sprintf("%s[%d]", path, i), ps); ok {
			list = append(list, s)
		}
	}
	if !containsFold(list, want) {
		ps.add(path, TypeInvalidValue, "must contain %q", want)
	}
	return list
}
