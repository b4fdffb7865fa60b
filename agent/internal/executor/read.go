package executor

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// exportFilter selects user accounts, not computers.
const exportFilter = "(&(objectCategory=person)(objectClass=user))"

// findUser returns every user matching by GUID or by attribute value.
func (r *run) findUser(ctx context.Context, fu *agentv1.FindUser) (agentv1.Outcome, []*agentv1.Entry, error) {
	base := fu.GetBaseDn()
	if base == "" {
		base = r.dom.BaseDN
	}
	var filter string
	switch by := fu.GetBy().(type) {
	case *agentv1.FindUser_ObjectGuid:
		f, err := ldapx.GUIDFilter(by.ObjectGuid)
		if err != nil {
			return 0, nil, invalid("find_user.object_guid: %v", err)
		}
		filter = userFilter(f)
	case *agentv1.FindUser_Match:
		filter = matchFilter(by.Match)
	}
	found, err := r.search(ctx, base, ldap.ScopeWholeSubtree, filter, fu.GetAttributes())
	if err != nil {
		return 0, nil, fmt.Errorf("find user: %w", err)
	}
	out, err := entries(found, fu.GetAttributes())
	if err != nil {
		return 0, nil, err
	}
	return agentv1.Outcome_OUTCOME_READ, out, nil
}

// exportUsers sends every user under base_dn, one chunk per page. The
// last chunk has more unset; a failure after some chunks is reported by
// the caller as one more chunk carrying the error.
func (r *run) exportUsers(ctx context.Context, ex *agentv1.ExportUsers,
	send func(agentv1.Outcome, []*agentv1.Entry, bool, error)) (agentv1.Outcome, error) {
	base := ex.GetBaseDn()
	if base == "" {
		base = r.dom.BaseDN
	}
	size := ex.GetPageSize()
	if size == 0 {
		size = defaultPageSize
	}
	req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		exportFilter, withInternal(ex.GetAttributes()), nil)
	err := r.conn.SearchPages(ctx, req, size, func(page []*ldap.Entry, more bool) error {
		out, err := entries(page, ex.GetAttributes())
		if err != nil {
			return err
		}
		send(agentv1.Outcome_OUTCOME_READ, out, more, nil)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("export users: %w", err)
	}
	return agentv1.Outcome_OUTCOME_READ, nil
}

// lookupValues returns every object, of any class, that holds one of the
// values in the attribute, with that attribute read.
func (r *run) lookupValues(ctx context.Context, lv *agentv1.LookupValues) (agentv1.Outcome, []*agentv1.Entry, error) {
	base := lv.GetBaseDn()
	if base == "" {
		base = r.dom.BaseDN
	}
	var b strings.Builder
	b.WriteString("(|")
	for _, v := range lv.GetValues() {
		fmt.Fprintf(&b, "(%s=%s)", lv.GetAttribute(), ldapx.EscapeFilterValue(v))
	}
	b.WriteString(")")
	attrs := []string{lv.GetAttribute()}
	found, err := r.search(ctx, base, ldap.ScopeWholeSubtree, b.String(), attrs)
	if err != nil {
		return 0, nil, fmt.Errorf("lookup values: %w", err)
	}
	out, err := entries(found, attrs)
	if err != nil {
		return 0, nil, err
	}
	return agentv1.Outcome_OUTCOME_READ, out, nil
}
