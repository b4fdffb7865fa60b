package executor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

const obrienDN = `CN=O'Brien\, Siobhán,OU=People,DC=hrsync,DC=test`

func createOp(mut func(*agentv1.CreateUser)) *agentv1.Operation {
	cu := &agentv1.CreateUser{
		ParentDn: people,
		Cn:       "O'Brien, Siobhán",
		Attributes: []*agentv1.Attribute{
			{Name: "sAMAccountName", Values: []string{"sobrien"}},
			{Name: "givenName", Values: []string{"Siobhán"}},
			{Name: "sn", Values: []string{"O'Brien"}},
			{Name: "title", Values: []string{""}},
			{Name: "displayName", Values: []string{"Siobhán O'Brien"}},
		},
		Enable: true,
		Match:  &agentv1.Match{Value: "E1)(x=*"},
	}
	if mut != nil {
		mut(cu)
	}
	return &agentv1.Operation{Kind: &agentv1.Operation_CreateUser{CreateUser: cu}}
}

// directory is the state the fake answers searches from: the users found
// by the match search, then the user read back by DN at each read.
type directory struct {
	matches  []*ldap.Entry
	readBack []*ldap.Entry
	filters  []string
}

func (d *directory) search(_ context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	d.filters = append(d.filters, req.BaseDN+" "+req.Filter)
	if req.Scope == ldap.ScopeWholeSubtree {
		return result(d.matches...), nil
	}
	if len(d.readBack) == 0 {
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, "search %s: no such object", req.BaseDN)
	}
	e := d.readBack[0]
	if len(d.readBack) > 1 {
		d.readBack = d.readBack[1:]
	}
	return result(e), nil
}

func TestCreateUser(t *testing.T) {
	created := func(uac, pwdLastSet string) *ldap.Entry {
		return user(obrienDN, map[string][]string{
			"userAccountControl": {uac}, "pwdLastSet": {pwdLastSet},
			"sAMAccountName": {"sobrien"}, "givenName": {"Siobhán"}, "sn": {"O'Brien"},
			"displayName": {"Siobhán O'Brien"}, "employeeID": {"E1)(x=*"},
		})
	}
	tests := []struct {
		name        string
		mut         func(*agentv1.CreateUser)
		dir         directory
		modifyErr   func(*ldap.ModifyRequest) error
		addErr      error
		wantCalls   []string
		wantOutcome agentv1.Outcome
		wantCode    agentv1.ErrorCode
		wantEnabled bool
		wantPwLen   int
	}{
		{
			name: "creates disabled, sets password, enables",
			dir:  directory{readBack: []*ldap.Entry{created("514", "0"), created("512", "1")}},
			wantCalls: []string{
				"add " + obrienDN,
				"modify " + obrienDN + " unicodePwd",
				"modify " + obrienDN + " userAccountControl=512",
			},
			wantOutcome: agentv1.Outcome_OUTCOME_CREATED,
			wantEnabled: true,
			wantPwLen:   16,
		},
		{
			name: "creates without enabling",
			mut:  func(cu *agentv1.CreateUser) { cu.Enable = false },
			dir:  directory{readBack: []*ldap.Entry{created("514", "0"), created("514", "1")}},
			wantCalls: []string{
				"add " + obrienDN,
				"modify " + obrienDN + " unicodePwd",
			},
			wantOutcome: agentv1.Outcome_OUTCOME_CREATED,
			wantPwLen:   16,
		},
		{
			name: "password length from the operation, at least 14",
			mut:  func(cu *agentv1.CreateUser) { cu.PasswordLength = 8 },
			dir:  directory{readBack: []*ldap.Entry{created("514", "0"), created("512", "1")}},
			wantCalls: []string{
				"add " + obrienDN,
				"modify " + obrienDN + " unicodePwd",
				"modify " + obrienDN + " userAccountControl=512",
			},
			wantOutcome: agentv1.Outcome_OUTCOME_CREATED,
			wantEnabled: true,
			wantPwLen:   14,
		},
		{
			name:        "adopts a finished user without writing",
			dir:         directory{matches: []*ldap.Entry{created("512", "133")}},
			wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED,
			wantEnabled: true,
		},
		{
			name: "adopts a user left after the add",
			dir:  directory{matches: []*ldap.Entry{created("514", "0")}, readBack: []*ldap.Entry{created("512", "133")}},
			wantCalls: []string{
				"modify " + obrienDN + " unicodePwd",
				"modify " + obrienDN + " userAccountControl=512",
			},
			wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED,
			wantEnabled: true,
			wantPwLen:   16,
		},
		{
			name: "adopts a user left after the password, keeping other bits",
			dir:  directory{matches: []*ldap.Entry{created("66050", "133")}, readBack: []*ldap.Entry{created("66048", "133")}},
			wantCalls: []string{
				"modify " + obrienDN + " userAccountControl=66048",
			},
			wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED,
			wantEnabled: true,
		},
		{
			name:        "never resets the password of an enabled account",
			dir:         directory{matches: []*ldap.Entry{created("512", "0")}},
			wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED,
			wantEnabled: true,
		},
		{
			name:        "does not disable an adopted account",
			mut:         func(cu *agentv1.CreateUser) { cu.Enable = false },
			dir:         directory{matches: []*ldap.Entry{created("512", "133")}},
			wantOutcome: agentv1.Outcome_OUTCOME_ADOPTED,
			wantEnabled: true,
		},
		{
			name:     "ambiguous match",
			dir:      directory{matches: []*ldap.Entry{created("512", "1"), created("512", "1")}},
			wantCode: agentv1.ErrorCode_ERROR_CODE_AMBIGUOUS_MATCH,
		},
		{
			name:      "existing DN of another employee",
			addErr:    direrr.New(agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, "add: LDAP result 68"),
			wantCalls: []string{"add " + obrienDN},
			wantCode:  agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS,
		},
		{
			name: "password rejected",
			dir:  directory{readBack: []*ldap.Entry{created("514", "0")}},
			modifyErr: func(*ldap.ModifyRequest) error {
				return &direrr.Error{Code: agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION, Message: "modify: 0000052D", LDAPResultCode: 19}
			},
			wantCalls: []string{"add " + obrienDN, "modify " + obrienDN + " unicodePwd"},
			wantCode:  agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION,
			wantPwLen: 16,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.conn.SearchFunc = tc.dir.search
			h.recordWrites(tc.modifyErr)
			if tc.addErr != nil {
				h.conn.AddFunc = func(_ context.Context, req *ldap.AddRequest) error {
					h.calls = append(h.calls, "add "+req.DN)
					return tc.addErr
				}
			}
			r := h.one(t, createOp(tc.mut))
			require.Equal(t, tc.wantCalls, h.calls)
			require.Equal(t, `DC=hrsync,DC=test (&(objectClass=user)(employeeID=E1\29\28x=\2a))`, tc.dir.filters[0])
			if tc.wantPwLen > 0 {
				require.Len(t, h.passwords, 1)
				require.Len(t, h.passwords[0], tc.wantPwLen)
				require.NotContains(t, strings.ToLower(h.passwords[0]), "sobrien")
			} else {
				require.Empty(t, h.passwords)
			}
			if tc.wantCode != 0 {
				requireCode(t, r, tc.wantCode, "create user")
				return
			}
			require.Nil(t, r.GetError())
			require.Equal(t, tc.wantOutcome, r.GetOutcome())
			require.Len(t, r.GetEntries(), 1)
			e := r.GetEntries()[0]
			require.Equal(t, obrienDN, e.GetDn())
			require.Equal(t, guidStr, e.GetObjectGuid())
			require.Equal(t, tc.wantEnabled, e.GetEnabled())
			require.Equal(t, map[string][]string{
				"sAMAccountName": {"sobrien"}, "givenName": {"Siobhán"}, "sn": {"O'Brien"},
				"displayName": {"Siobhán O'Brien"}, "employeeID": {"E1)(x=*"},
			}, attrMap(e))
		})
	}
}

func TestCreateUserAddRequest(t *testing.T) {
	h := newHarness(t)
	dir := &directory{readBack: []*ldap.Entry{user(obrienDN, map[string][]string{"userAccountControl": {"512"}, "pwdLastSet": {"133700000000000000"}})}}
	h.conn.SearchFunc = dir.search
	h.recordWrites(nil)
	var add *ldap.AddRequest
	h.conn.AddFunc = func(_ context.Context, req *ldap.AddRequest) error {
		add = req
		return nil
	}
	h.one(t, createOp(nil))
	require.NotNil(t, add)
	got := map[string][]string{}
	for _, a := range add.Attributes {
		got[a.Type] = a.Vals
	}
	pw := got["unicodePwd"]
	delete(got, "unicodePwd")
	require.Equal(t, map[string][]string{
		"objectClass":        {"user"},
		"sAMAccountName":     {"sobrien"},
		"givenName":          {"Siobhán"},
		"sn":                 {"O'Brien"},
		"displayName":        {"Siobhán O'Brien"},
		"employeeID":         {"E1)(x=*"}, // stamped from the match
		"userAccountControl": {"512"},
	}, got, "empty title skipped, match value stamped, enabled in the same atomic add")
	require.Len(t, pw, 1)
	plain := decodeUTF16Quoted(t, pw[0])
	require.GreaterOrEqual(t, len(plain), 14)
	require.NotContains(t, strings.ToLower(plain), "sobrien")
	require.Empty(t, h.passwords, "no separate password write")
}

// TestCreateUserFallsBackWhenThePasswordIsRefusedInTheAdd: a DC that will
// not take unicodePwd in an add gets the classic unit.
func TestCreateUserFallsBackWhenThePasswordIsRefusedInTheAdd(t *testing.T) {
	h := newHarness(t)
	dir := &directory{readBack: []*ldap.Entry{user(obrienDN, map[string][]string{"userAccountControl": {"514"}, "pwdLastSet": {"0"}})}}
	h.conn.SearchFunc = dir.search
	h.recordWrites(nil)
	var adds []*ldap.AddRequest
	h.conn.AddFunc = func(_ context.Context, req *ldap.AddRequest) error {
		adds = append(adds, req)
		for _, a := range req.Attributes {
			if a.Type == "unicodePwd" {
				// ldapx.Conn classifies what go-ldap returns.
				return ldapx.Classify("add", &ldap.Error{ResultCode: ldap.LDAPResultUnwillingToPerform, Err: errors.New("0000001F: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM)")})
			}
		}
		return nil
	}
	r := h.one(t, createOp(nil))
	require.Nil(t, r.GetError())
	require.Len(t, adds, 2)
	for _, a := range adds[1].Attributes {
		require.NotEqual(t, "unicodePwd", a.Type)
		if a.Type == "userAccountControl" {
			require.Equal(t, []string{"514"}, a.Vals, "added disabled")
		}
	}
	require.Len(t, h.passwords, 1, "then the password is set separately")
}

func decodeUTF16Quoted(t *testing.T, s string) string {
	t.Helper()
	b := []byte(s)
	require.Zero(t, len(b)%2)
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	q := string(utf16.Decode(u))
	require.True(t, strings.HasPrefix(q, `"`) && strings.HasSuffix(q, `"`), "unicodePwd is a quoted UTF-16LE string")
	return strings.Trim(q, `"`)
}
