package schema

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Fields the Graph synchronization schema defines, by object.
var (
	schemaFields        = []string{"directories", "id", "synchronizationRules", "version"}
	ruleFields          = []string{"containerFilter", "editable", "groupFilter", "id", "metadata", "name", "objectMappings", "priority", "sourceDirectoryName", "targetDirectoryName"}
	objectMappingFields = []string{"attributeMappings", "enabled", "flowTypes", "metadata", "name", "scope", "sourceObjectName", "targetObjectName"}
)

// userObject is the targetObjectName of the object mapping Import reads.
const userObject = "user"

// Import reads a synchronization schema as Entra gives it (the portal's
// "Review your schema" download, or GET …/jobs/{id}/schema) and returns the
// user object mapping: the enabled object mapping whose targetObjectName is
// "user". Every problem is reported, joined, as a *PathError naming where
// it is; anything hrsync cannot honour is an error, never dropped.
//
// An attribute mapping's expression text is used when present; otherwise
// its source tree is rendered into text. The mapping and the filters are
// compiled, so a successful Import is ready to run. directories is read
// only for the source attributes' flowNullValues flags; object mapping and
// rule metadata are accepted and ignored. Graph keeps the per-mapping half
// of "Flow null values" in no documented field; Import reads it from the
// attribute mapping's flowNullValues, and (when directories describes the
// source object) requires every source attribute the mapping reads to
// flow null values too, as Entra's two gates do.
func Import(data []byte) (Object, error) {
	var e errs
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return Object{}, &PathError{Err: fmt.Errorf("%w: %w", ErrSyntax, err)}
	}
	root, ok := e.object("", data, schemaFields...)
	if !ok {
		return Object{}, &PathError{Err: fmt.Errorf("%w: the schema must be a JSON object", ErrType)}
	}
	dirs := e.directories("directories", root["directories"])
	const rulesPath = "synchronizationRules"
	var found []candidate
	disabled := ""
	for i, rr := range e.array(rulesPath, root[rulesPath]) {
		rpath := index(rulesPath, i)
		rule, ok := e.object(rpath, rr, ruleFields...)
		if !ok {
			e.addf(rpath, "%w: expected a synchronization rule object", ErrType)
			continue
		}
		e.cloudSyncFilter(join(rpath, "containerFilter"), rule["containerFilter"])
		e.cloudSyncFilter(join(rpath, "groupFilter"), rule["groupFilter"])
		e.array(join(rpath, "metadata"), rule["metadata"])
		for j, mr := range e.array(join(rpath, "objectMappings"), rule["objectMappings"]) {
			mpath := index(join(rpath, "objectMappings"), j)
			om, ok := e.object(mpath, mr, objectMappingFields...)
			if !ok {
				e.addf(mpath, "%w: expected an object mapping object", ErrType)
				continue
			}
			enabled := e.boolean(join(mpath, "enabled"), om["enabled"], true)
			src, dst := e.str(join(mpath, "sourceObjectName"), om["sourceObjectName"]), e.str(join(mpath, "targetObjectName"), om["targetObjectName"])
			switch {
			case !strings.EqualFold(dst, userObject) && enabled:
				e.addf(mpath, "object mapping %q (%s → %s) is %w: hrsync provisions users only; disable it (\"enabled\": false) or remove it",
					e.str(join(mpath, "name"), om["name"]), src, dst, ErrUnsupported)
			case !strings.EqualFold(dst, userObject):
			case !enabled:
				disabled = mpath
			default:
				found = append(found, candidate{path: mpath, fields: om, rulePath: rpath, rule: rule})
			}
		}
	}
	switch {
	case len(found) == 0 && disabled != "":
		e.addf(join(disabled, "enabled"), "%w: the only one is disabled, so the job would provision nothing; set \"enabled\": true", ErrNoUserMapping)
	case len(found) == 0:
		e.addf(rulesPath, "%w (targetObjectName %q)", ErrNoUserMapping, userObject)
	case len(found) > 1:
		e.addf(found[1].path, "a second enabled user object mapping is %w (the first is %s): hrsync runs one per job", ErrUnsupported, found[0].path)
	}
	if len(found) == 0 {
		return Object{}, e.err()
	}
	obj := e.objectMapping(found[0], dirs)
	if err := e.err(); err != nil {
		return Object{}, err
	}
	return obj, nil
}

type candidate struct {
	path     string
	fields   map[string]raw
	rulePath string
	rule     map[string]raw
}

// cloudSyncFilter rejects a rule's containerFilter or groupFilter, which
// Entra honours for cloud sync only; null and empty ones are fine.
func (e *errs) cloudSyncFilter(path string, r raw) {
	if isNull(r) {
		return
	}
	var f map[string]any
	if err := json.Unmarshal(r, &f); err != nil {
		e.addf(path, "%w: expected an object, got %s", ErrType, kind(r))
		return
	}
	for _, v := range f {
		if l, ok := v.([]any); v != nil && (!ok || len(l) > 0) {
			e.addf(path, "a container or group filter is %w: Entra applies them to cloud sync only; use scoping filters (objectMappings[].scope)", ErrUnsupported)
			return
		}
	}
}

// dirIndex holds, per directory and object (lower-cased names), the
// flowNullValues flag of each attribute definition.
type dirIndex map[string]map[string]map[string]bool

// directories reads what Import needs of the directory definitions and
// ignores the rest of them.
func (e *errs) directories(path string, r raw) dirIndex {
	var defs []struct {
		Name    string `json:"name"`
		Objects []struct {
			Name       string `json:"name"`
			Attributes []struct {
				Name           string `json:"name"`
				FlowNullValues bool   `json:"flowNullValues"`
			} `json:"attributes"`
		} `json:"objects"`
	}
	if isNull(r) {
		return nil
	}
	if err := json.Unmarshal(r, &defs); err != nil {
		e.addf(path, "%w: expected directory definitions: %v", ErrType, err)
		return nil
	}
	idx := dirIndex{}
	for _, d := range defs {
		objs := map[string]map[string]bool{}
		for _, o := range d.Objects {
			attrs := map[string]bool{}
			for _, a := range o.Attributes {
				attrs[a.Name] = a.FlowNullValues
			}
			objs[strings.ToLower(o.Name)] = attrs
		}
		idx[strings.ToLower(d.Name)] = objs
	}
	return idx
}

// attributes returns the source object's attribute definitions, or nil
// when the schema does not describe it.
func (d dirIndex) attributes(dir, object string) map[string]bool {
	return d[strings.ToLower(dir)][strings.ToLower(object)]
}
