package executor_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

func TestFindUser(t *testing.T) {
	sid := string([]byte{1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0})
	tests := []struct {
		name       string
		fu         *agentv1.FindUser
		found      []*ldap.Entry
		wantBase   string
		wantFilter string
		wantAttrs  []map[string][]string
	}{
		{
			name:       "by GUID",
			fu:         &agentv1.FindUser{By: &agentv1.FindUser_ObjectGuid{ObjectGuid: guidStr}, Attributes: []string{"sn", "objectSid"}},
			found:      []*ldap.Entry{user(janeDN, map[string][]string{"SN": {"Doe"}, "objectSid": {sid}, "userAccountControl": {"512"}})},
			wantBase:   baseDN,
			wantFilter: `(&(objectClass=user)(objectGUID=\50\48\11\33\d5\4e\5a\49\a3\ff\7b\45\18\34\5b\0e))`,
			wantAttrs:  []map[string][]string{{"sn": {"Doe"}, "objectSid": {"S-1-5-32-544"}}},
		},
		{
			name: "by match, several",
			fu: &agentv1.FindUser{
				BaseDn:     people,
				By:         &agentv1.FindUser_Match{Match: &agentv1.Match{Attribute: "displayName", Value: "Zoë Ñúñez*"}},
				Attributes: []string{"displayName", "objectGUID"},
			},
			found: []*ldap.Entry{
				user(janeDN, map[string][]string{"displayName": {"Zoë Ñúñez*"}, "userAccountControl": {"512"}}),
				user("CN=Other,"+people, map[string][]string{"userAccountControl": {"514"}}),
			},
			wantBase:   people,
			wantFilter: `(&(objectClass=user)(displayName=Zo\c3\ab \c3\91\c3\ba\c3\b1ez\2a))`,
			wantAttrs: []map[string][]string{
				{"displayName": {"Zoë Ñúñez*"}, "objectGUID": {guidStr}},
				{"objectGUID": {guidStr}},
			},
		},
		{
			name:       "none",
			fu:         &agentv1.FindUser{By: &agentv1.FindUser_Match{Match: &agentv1.Match{Value: "E404"}}},
			wantBase:   baseDN,
			wantFilter: `(&(objectClass=user)(employeeID=E404))`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.conn.SearchFunc = func(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
				require.Equal(t, tc.wantBase, req.BaseDN)
				require.Equal(t, tc.wantFilter, req.Filter)
				require.Equal(t, ldap.ScopeWholeSubtree, req.Scope)
				return result(tc.found...), nil
			}
			r := h.one(t, &agentv1.Operation{Kind: &agentv1.Operation_FindUser{FindUser: tc.fu}})
			require.Nil(t, r.GetError())
			require.Equal(t, agentv1.Outcome_OUTCOME_READ, r.GetOutcome())
			require.Len(t, r.GetEntries(), len(tc.wantAttrs))
			for i, e := range r.GetEntries() {
				require.Equal(t, tc.found[i].DN, e.GetDn())
				require.Equal(t, guidStr, e.GetObjectGuid())
				require.Equal(t, tc.wantAttrs[i], attrMap(e))
			}
			if len(tc.found) > 1 {
				require.True(t, r.GetEntries()[0].GetEnabled())
				require.False(t, r.GetEntries()[1].GetEnabled())
			}
		})
	}
}

func TestExportUsers(t *testing.T) {
	page := func(n int) []*ldap.Entry {
		var out []*ldap.Entry
		for i := range n {
			out = append(out, user(fmt.Sprintf("CN=u%d,%s", i, people), map[string][]string{"userAccountControl": {"512"}, "sn": {"x"}}))
		}
		return out
	}
	tests := []struct {
		name      string
		pageSize  uint32
		wantSize  uint32
		pages     [][]*ldap.Entry
		failAfter int // fail after this many pages; 0 never
		wantSizes []int
		wantError bool
	}{
		{name: "several pages", pageSize: 2, wantSize: 2, pages: [][]*ldap.Entry{page(2), page(2), page(1)}, wantSizes: []int{2, 2, 1}},
		{name: "default page size, empty", wantSize: 500, pages: [][]*ldap.Entry{nil}, wantSizes: []int{0}},
		{name: "failure after a page", pageSize: 2, wantSize: 2, pages: [][]*ldap.Entry{page(2), page(2)}, failAfter: 1, wantSizes: []int{2}, wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.conn.SearchPagesFunc = func(ctx context.Context, req *ldap.SearchRequest, size uint32, fn func([]*ldap.Entry, bool) error) error {
				require.Equal(t, tc.wantSize, size)
				require.Equal(t, "(&(objectCategory=person)(objectClass=user))", req.Filter)
				require.Equal(t, people, req.BaseDN)
				for i, p := range tc.pages {
					if tc.failAfter > 0 && i == tc.failAfter {
						return direrr.New(agentv1.ErrorCode_ERROR_CODE_BUSY, "search: busy")
					}
					if err := fn(p, i < len(tc.pages)-1); err != nil {
						return err
					}
				}
				return nil
			}
			results := h.run(t, &agentv1.Operation{Kind: &agentv1.Operation_ExportUsers{ExportUsers: &agentv1.ExportUsers{
				BaseDn: people, PageSize: tc.pageSize, Attributes: []string{"sn"},
			}}})
			var sizes []int
			for i, r := range results {
				if tc.wantError && i == len(results)-1 {
					requireCode(t, r, agentv1.ErrorCode_ERROR_CODE_BUSY, "export users")
					continue
				}
				require.Nil(t, r.GetError())
				require.Equal(t, agentv1.Outcome_OUTCOME_READ, r.GetOutcome())
				sizes = append(sizes, len(r.GetEntries()))
				for _, e := range r.GetEntries() {
					require.Equal(t, map[string][]string{"sn": {"x"}}, attrMap(e))
				}
			}
			require.Equal(t, tc.wantSizes, sizes)
		})
	}
}
