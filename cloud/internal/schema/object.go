package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/scope"
)

// Object is what hrsync keeps of Entra's user object mapping: the
// attribute mapping, the scoping filters and the object-level actions.
type Object struct {
	// Name is the object mapping's display name.
	Name string `json:"name,omitempty"`
	// SourceDirectory and TargetDirectory are the synchronization rule's
	// directory names ("Workday", "Active Directory").
	SourceDirectory string `json:"sourceDirectory,omitempty"`
	TargetDirectory string `json:"targetDirectory,omitempty"`
	// SourceObject and TargetObject name the object types ("worker",
	// "user").
	SourceObject string `json:"sourceObject,omitempty"`
	TargetObject string `json:"targetObject,omitempty"`
	// FlowTypes are the target actions the job may take.
	FlowTypes FlowTypes `json:"flowTypes"`
	// Mapping is the attribute mapping.
	Mapping mapping.Mapping `json:"mapping"`
	// Scope is Graph's filter groups: a record outside it is out of scope,
	// and a provisioned object that leaves it is deprovisioned.
	Scope scope.Filter `json:"scope"`
	// InputScope is Graph's inputFilterGroups: a record outside it is
	// skipped before anything else, and its object is left alone (never
	// deprovisioned for it).
	InputScope scope.Filter `json:"inputScope"`
}

// FlowTypes are the actions on target objects an object mapping allows
// (Graph objectFlowTypes). Without Add the job never creates objects
// ("update-only"); without Delete it never deprovisions them.
type FlowTypes struct {
	Add    bool `json:"add"`
	Update bool `json:"update"`
	Delete bool `json:"delete"`
}

// AllFlowTypes is Graph's default: Add, Update, Delete.
func AllFlowTypes() FlowTypes { return FlowTypes{Add: true, Update: true, Delete: true} }

// String renders the flags as Graph does: "Add, Update, Delete", or "None".
func (f FlowTypes) String() string {
	var parts []string
	for _, p := range []struct {
		on   bool
		name string
	}{{f.Add, "Add"}, {f.Update, "Update"}, {f.Delete, "Delete"}} {
		if p.on {
			parts = append(parts, p.name)
		}
	}
	if len(parts) == 0 {
		return "None"
	}
	return strings.Join(parts, ", ")
}

// ParseFlowTypes reads Graph's objectFlowTypes: comma-separated Add, Update
// and Delete, or None. The empty string is Graph's default, all three.
func ParseFlowTypes(s string) (FlowTypes, error) {
	if strings.TrimSpace(s) == "" {
		return AllFlowTypes(), nil
	}
	var f FlowTypes
	for _, part := range strings.Split(s, ",") {
		switch p := strings.TrimSpace(part); p {
		case "Add":
			f.Add = true
		case "Update":
			f.Update = true
		case "Delete":
			f.Delete = true
		case "None":
		default:
			if i := slices.IndexFunc([]string{"Add", "Update", "Delete", "None"}, func(k string) bool { return strings.EqualFold(k, p) }); i >= 0 {
				return FlowTypes{}, fmt.Errorf("%w: flow type %q is spelled %q", ErrInvalid, p, []string{"Add", "Update", "Delete", "None"}[i])
			}
			return FlowTypes{}, fmt.Errorf("%w: flow type %q (expected Add, Update, Delete or None)", ErrInvalid, p)
		}
	}
	return f, nil
}
