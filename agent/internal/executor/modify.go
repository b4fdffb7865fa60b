package executor

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// modifyUser changes attributes, then the account state, then the DN. It
// reads the current values first and sends only what differs, so running
// it again changes nothing and reports UNCHANGED.
func (r *run) modifyUser(ctx context.Context, mu *agentv1.ModifyUser) (agentv1.Outcome, []*agentv1.Entry, error) {
	changes, err := attributes("modify_user.changes", mu.GetChanges(), true)
	if err != nil {
		return 0, nil, err
	}
	readNames := names(changes)
	e, err := r.target(ctx, mu.GetTarget(), readNames)
	if err != nil {
		return 0, nil, fmt.Errorf("modify user: %w", err)
	}
	guid, err := ldapx.GUIDString(e.GetRawAttributeValue(attrGUID))
	if err != nil {
		return 0, nil, fmt.Errorf("modify user: %s: %w", e.DN, err)
	}

	req := ldap.NewModifyRequest(e.DN, nil)
	for _, c := range changes {
		current := e.GetEqualFoldAttributeValues(c.name)
		switch {
		case sameValues(current, c.values):
		case len(c.values) == 0:
			// Replace with no values deletes, and unlike Delete it does not
			// fail when another writer removed the attribute meanwhile.
			req.Replace(c.name, nil)
		default:
			req.Replace(c.name, c.values)
		}
	}
	if mu.Enabled != nil {
		uac, ok := uacOf(e)
		if !ok {
			return 0, nil, fmt.Errorf("modify user: %s has no userAccountControl", e.DN)
		}
		want := uac | uacAccountDisable
		if mu.GetEnabled() {
			want = uac &^ uacAccountDisable
		}
		if want != uac {
			req.Replace(attrUAC, []string{fmt.Sprint(want)})
		}
	}
	modified := false
	if len(req.Changes) > 0 {
		if err := r.conn.Modify(ctx, req); err != nil {
			return 0, nil, fmt.Errorf("modify user: %w", err)
		}
		r.log.DebugContext(ctx, "user modified", keyDN, e.DN)
		modified = true
	}

	moved, err := r.rename(ctx, e.DN, mu.GetNewCn(), mu.GetNewParentDn())
	if err != nil {
		return 0, nil, fmt.Errorf("modify user: %w", err)
	}
	if !modified && !moved {
		entry, err := toEntry(e, readNames)
		if err != nil {
			return 0, nil, err
		}
		return agentv1.Outcome_OUTCOME_UNCHANGED, []*agentv1.Entry{entry}, nil
	}
	if e, err = r.byGUID(ctx, guid, readNames); err != nil {
		return 0, nil, fmt.Errorf("modify user: read back: %w", err)
	}
	entry, err := toEntry(e, readNames)
	if err != nil {
		return 0, nil, err
	}
	return agentv1.Outcome_OUTCOME_MODIFIED, []*agentv1.Entry{entry}, nil
}

// target reads the object ref names: by GUID, or by DN when there is no
// GUID.
func (r *run) target(ctx context.Context, ref *agentv1.ObjectRef, readNames []string) (*ldap.Entry, error) {
	if guid := ref.GetObjectGuid(); guid != "" {
		return r.byGUID(ctx, guid, readNames)
	}
	return r.byDN(ctx, ref.GetDn(), readNames)
}

// rename renames and moves dn in one ModifyDN when newCN or newParent
// differ from the current ones; empty means "keep". A CN differing only
// in case is a rename.
func (r *run) rename(ctx context.Context, dn, newCN, newParent string) (bool, error) {
	cn, parent, err := ldapx.SplitDN(dn)
	if err != nil {
		return false, fmt.Errorf("%s: %w", dn, err)
	}
	rename := newCN != "" && newCN != cn
	move := newParent != "" && !ldapx.EqualDN(newParent, parent)
	if !rename && !move {
		return false, nil
	}
	if newCN == "" {
		newCN = cn
	}
	superior := ""
	if move {
		// Check the new parent first: AD answers noSuchObject for a missing
		// one, but Samba answers "other" (80), which says nothing.
		if _, err := r.search(ctx, newParent, ldap.ScopeBaseObject, "(objectClass=*)", nil); err != nil {
			return false, fmt.Errorf("new parent: %w", err)
		}
		superior = newParent
	}
	req := ldap.NewModifyDNRequest(dn, "CN="+ldapx.EscapeDNValue(newCN), true, superior)
	if err := r.conn.ModifyDN(ctx, req); err != nil {
		return false, err
	}
	r.log.DebugContext(ctx, "user renamed or moved", keyDN, dn)
	return true, nil
}

// sameValues compares value sets, ignoring order but not case: a change
// of case is a change worth writing.
func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
