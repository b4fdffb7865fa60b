package executor_test

import (
	"context"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// TestCreateUserMatchChecked: when the cloud already knows no user holds the
// match value, the agent adds without searching first; a taken DN is looked
// at (an earlier attempt's user is adopted) and only then is the subtree
// searched.
func TestCreateUserMatchChecked(t *testing.T) {
	done := user(obrienDN, map[string][]string{"userAccountControl": {"512"}, "pwdLastSet": {"133"}, "employeeID": {"E1)(x=*"},
		"sAMAccountName": {"sobrien"}, "givenName": {"Siobhán"}, "sn": {"O'Brien"}, "displayName": {"Siobhán O'Brien"}})
	left := user(obrienDN, map[string][]string{"userAccountControl": {"514"}, "pwdLastSet": {"0"}, "employeeID": {"E1)(x=*"}, "sAMAccountName": {"sobrien"}})
	elsewhere := user("CN=Moved,OU=Old,DC=hrsync,DC=test", map[string][]string{"userAccountControl": {"512"}, "pwdLastSet": {"133"}, "employeeID": {"E1)(x=*"}})
	tests := []struct {
		name string
		// atDN is a user an earlier attempt left at the target DN: the add
		// fails and a base read finds it.
		atDN *ldap.Entry
		// dnTaken makes the add fail with entryAlreadyExists.
		dnTaken     bool
		matches     []*ldap.Entry
		wantSubtree bool
		wantCalls   []string
		wantOutcome agentv1.Outcome
		wantCode    agentv1.ErrorCode
	}{
		{name: "adds without searching first", wantCalls: []string{"add " + obrienDN}, wantOutcome: agentv1.Outcome_OUTCOME_CREATED},
		{name: "adopts what an earlier attempt left at the DN", atDN: left,
			wantCalls: []string{"add " + obrienDN, "modify " + obrienDN + " unicodePwd", "modify " + obrienDN + " userAccountControl=512"}, wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED},
		{name: "a taken DN searches the subtree and adopts the one match", dnTaken: true, matches: []*ldap.Entry{elsewhere},
			wantSubtree: true, wantCalls: []string{"add " + obrienDN}, wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED},
		{name: "a taken DN with no match keeps the add's error", dnTaken: true,
			wantSubtree: true, wantCalls: []string{"add " + obrienDN}, wantCode: agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS},
		{name: "a taken DN with two matches is ambiguous", dnTaken: true, matches: []*ldap.Entry{elsewhere, elsewhere},
			wantSubtree: true, wantCalls: []string{"add " + obrienDN}, wantCode: agentv1.ErrorCode_ERROR_CODE_AMBIGUOUS_MATCH},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.recordWrites(nil)
			added, subtree, searchedFirst := false, false, false
			h.conn.AddFunc = func(_ context.Context, req *ldap.AddRequest) error {
				h.calls = append(h.calls, "add "+req.DN)
				if tc.dnTaken || tc.atDN != nil {
					return direrr.New(agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, "add: LDAP result 68")
				}
				added = true
				return nil
			}
			h.conn.SearchFunc = func(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
				if len(h.calls) == 0 {
					searchedFirst = true
				}
				if req.Scope == ldap.ScopeWholeSubtree {
					subtree = true
					return result(tc.matches...), nil
				}
				switch {
				case added:
					return result(done), nil
				case tc.atDN != nil:
					return result(tc.atDN), nil
				case req.BaseDN == obrienDN:
					return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, "search: no such object")
				}
				return result(done), nil // a read back after an adopt
			}
			r := h.one(t, createOp(func(cu *agentv1.CreateUser) { cu.MatchChecked = true }))
			require.Equal(t, tc.wantSubtree, subtree, "subtree search")
			require.False(t, searchedFirst, "searched before the add")
			require.Equal(t, tc.wantCalls, h.calls)
			if tc.wantCode != 0 {
				requireCode(t, r, tc.wantCode, "create user")
				return
			}
			require.Nil(t, r.GetError())
			require.Equal(t, tc.wantOutcome, r.GetOutcome())
		})
	}
}
