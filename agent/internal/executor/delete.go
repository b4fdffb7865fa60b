package executor

import (
	"context"
	"fmt"

	"github.com/go-ldap/ldap/v3"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// deleteUser deletes a disabled user. A user already gone is unchanged (a
// retry after the delete); an enabled one is refused with
// ERROR_CODE_UNWILLING_TO_PERFORM: the cloud disables leavers first, and
// an account someone enabled again must be looked at by a person.
func (r *run) deleteUser(ctx context.Context, du *agentv1.DeleteUser) (agentv1.Outcome, []*agentv1.Entry, error) {
	e, err := r.target(ctx, du.GetTarget(), nil)
	if direrr.CodeOf(err) == agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT {
		return agentv1.Outcome_OUTCOME_UNCHANGED, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("delete user: %w", err)
	}
	uac, ok := uacOf(e)
	if !ok {
		return 0, nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_INTERNAL, "delete user: %s has no userAccountControl", e.DN)
	}
	if uac&uacAccountDisable == 0 {
		return 0, nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM,
			"delete user: %s is enabled; only disabled accounts are deleted", e.DN)
	}
	entry, err := toEntry(e, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("delete user: %w", err)
	}
	if err := r.conn.Del(ctx, ldap.NewDelRequest(e.DN, nil)); err != nil {
		if direrr.CodeOf(err) == agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT {
			return agentv1.Outcome_OUTCOME_UNCHANGED, nil, nil
		}
		return 0, nil, fmt.Errorf("delete user: %w", err)
	}
	r.log.DebugContext(ctx, "user deleted", keyDN, e.DN)
	return agentv1.Outcome_OUTCOME_DELETED, []*agentv1.Entry{entry}, nil
}
