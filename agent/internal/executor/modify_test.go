package executor_test

import (
	"context"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

const janeDN = "CN=Jane Doe,OU=People,DC=hrsync,DC=test"

func TestModifyUser(t *testing.T) {
	current := func(dn string) *ldap.Entry {
		return user(dn, map[string][]string{
			"userAccountControl": {"66048"}, // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
			"title":              {"Engineer"},
			"otherTelephone":     {"2", "1"},
		})
	}
	on, off := true, false
	tests := []struct {
		name        string
		mu          *agentv1.ModifyUser
		wantCalls   []string
		wantOutcome agentv1.Outcome
		wantFilter  string
	}{
		{
			name: "nothing differs",
			mu: &agentv1.ModifyUser{
				Changes: []*agentv1.Attribute{
					{Name: "title", Values: []string{"Engineer"}},
					{Name: "otherTelephone", Values: []string{"1", "2"}}, // order does not matter
					{Name: "description"},                                // absent, delete is a no-op
					{Name: "department", Values: []string{""}},           // empty value means delete
				},
				Enabled:     &on,
				NewCn:       "Jane Doe",
				NewParentDn: "ou=people,dc=HRSYNC,dc=test",
			},
			wantOutcome: agentv1.Outcome_OUTCOME_UNCHANGED,
		},
		{
			name: "attributes and state in one modify",
			mu: &agentv1.ModifyUser{
				Changes: []*agentv1.Attribute{
					{Name: "title", Values: []string{"engineer"}}, // case is a change
					{Name: "otherTelephone"},
					{Name: "description"},
				},
				Enabled: &off,
			},
			wantCalls:   []string{"modify " + janeDN + " title=engineer otherTelephone= userAccountControl=66050"},
			wantOutcome: agentv1.Outcome_OUTCOME_MODIFIED,
		},
		{
			name:        "rename only",
			mu:          &agentv1.ModifyUser{NewCn: "Jane Doe-Smith, Jr."},
			wantCalls:   []string{`moddn ` + janeDN + ` CN=Jane Doe-Smith\, Jr. `},
			wantOutcome: agentv1.Outcome_OUTCOME_MODIFIED,
		},
		{
			name:        "move only",
			mu:          &agentv1.ModifyUser{NewParentDn: "OU=Leavers,DC=hrsync,DC=test"},
			wantCalls:   []string{"moddn " + janeDN + " CN=Jane Doe OU=Leavers,DC=hrsync,DC=test"},
			wantOutcome: agentv1.Outcome_OUTCOME_MODIFIED,
		},
		{
			name: "everything, in order",
			mu: &agentv1.ModifyUser{
				Changes:     []*agentv1.Attribute{{Name: "title", Values: []string{"Manager"}}},
				NewCn:       "#Jane",
				NewParentDn: "OU=Managers,DC=hrsync,DC=test",
			},
			wantCalls: []string{
				"modify " + janeDN + " title=Manager",
				`moddn ` + janeDN + ` CN=\#Jane OU=Managers,DC=hrsync,DC=test`,
			},
			wantOutcome: agentv1.Outcome_OUTCOME_MODIFIED,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var filters []string
			h.conn.SearchFunc = func(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
				if req.Scope == ldap.ScopeBaseObject {
					// The new parent exists.
					require.Equal(t, tc.mu.GetNewParentDn(), req.BaseDN)
					return result(ldap.NewEntry(req.BaseDN, nil)), nil
				}
				filters = append(filters, req.Filter)
				require.Equal(t, baseDN, req.BaseDN)
				return result(current(janeDN)), nil
			}
			h.recordWrites(nil)
			tc.mu.Target = &agentv1.ObjectRef{ObjectGuid: guidStr, Dn: "CN=stale hint," + baseDN}
			r := h.one(t, &agentv1.Operation{Kind: &agentv1.Operation_ModifyUser{ModifyUser: tc.mu}})
			require.Nil(t, r.GetError())
			require.Equal(t, tc.wantCalls, h.calls)
			require.Equal(t, tc.wantOutcome, r.GetOutcome())
			require.Equal(t, `(&(objectClass=user)(objectGUID=\50\48\11\33\d5\4e\5a\49\a3\ff\7b\45\18\34\5b\0e))`, filters[0])
			if tc.wantOutcome == agentv1.Outcome_OUTCOME_MODIFIED {
				require.Len(t, filters, 2, "read back by GUID after the change")
			}
			require.Len(t, r.GetEntries(), 1)
			require.Equal(t, guidStr, r.GetEntries()[0].GetObjectGuid())
		})
	}
}

func TestModifyUserByDNHint(t *testing.T) {
	h := newHarness(t)
	h.conn.SearchFunc = func(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
		if req.Scope == ldap.ScopeBaseObject {
			require.Equal(t, janeDN, req.BaseDN)
		}
		return result(user(janeDN, map[string][]string{"userAccountControl": {"514"}})), nil
	}
	h.recordWrites(nil)
	on := true
	r := h.one(t, &agentv1.Operation{Kind: &agentv1.Operation_ModifyUser{ModifyUser: &agentv1.ModifyUser{
		Target: &agentv1.ObjectRef{Dn: janeDN}, Enabled: &on,
	}}})
	require.Nil(t, r.GetError())
	require.Equal(t, []string{"modify " + janeDN + " userAccountControl=512"}, h.calls)
}

func TestModifyUserMissing(t *testing.T) {
	h := newHarness(t)
	h.conn.SearchFunc = func(context.Context, *ldap.SearchRequest) (*ldap.SearchResult, error) {
		return result(), nil
	}
	r := h.one(t, &agentv1.Operation{Kind: &agentv1.Operation_ModifyUser{ModifyUser: &agentv1.ModifyUser{
		Target:  &agentv1.ObjectRef{ObjectGuid: guidStr},
		Changes: []*agentv1.Attribute{{Name: "title", Values: []string{"x"}}},
	}}})
	requireCode(t, r, agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, guidStr)
}

func TestModifyUserMoveToMissingParent(t *testing.T) {
	h := newHarness(t)
	h.conn.SearchFunc = func(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
		if req.Scope == ldap.ScopeBaseObject {
			return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, "search %s: LDAP result 32", req.BaseDN)
		}
		return result(user(janeDN, map[string][]string{"userAccountControl": {"512"}})), nil
	}
	h.recordWrites(nil)
	r := h.one(t, &agentv1.Operation{Kind: &agentv1.Operation_ModifyUser{ModifyUser: &agentv1.ModifyUser{
		Target: &agentv1.ObjectRef{ObjectGuid: guidStr}, NewParentDn: "OU=Nowhere," + baseDN,
	}}})
	requireCode(t, r, agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, "new parent")
	require.Empty(t, h.calls)
}
