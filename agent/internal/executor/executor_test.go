package executor_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hrsync/hrsync/agent/internal/executor"
	"github.com/hrsync/hrsync/agent/internal/ldapx"
	"github.com/hrsync/hrsync/agent/internal/ldapx/ldaptest"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

const (
	domain  = "hrsync.test"
	baseDN  = "DC=hrsync,DC=test"
	people  = "OU=People,DC=hrsync,DC=test"
	guidStr = "33114850-4ed5-495a-a3ff-7b4518345b0e"
)

// guidRaw is guidStr as AD stores it.
var guidRaw = func() string {
	b, err := hex.DecodeString("50481133d54e5a49a3ff7b4518345b0e")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// harness runs operations against a fake connection and captures results
// and debug logs.
type harness struct {
	ex    *executor.Executor
	conn  *ldaptest.Conn
	logs  *bytes.Buffer
	dials int
	// calls records the LDAP writes in order: "add DN", "modify DN attr...",
	// "moddn DN newRDN superior".
	calls []string
	// passwords are the initial passwords sent, decoded.
	passwords []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{conn: &ldaptest.Conn{}, logs: &bytes.Buffer{}}
	ex, err := executor.New(executor.Config{
		Domains: map[string]executor.Domain{
			"HRSYNC.test.": {Dial: func(ctx context.Context) (ldapx.Conn, error) {
				h.dials++
				return h.conn, nil
			}},
		},
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Rand:   rand.NewChaCha8([32]byte{7}),
	})
	require.NoError(t, err)
	h.ex = ex
	return h
}

// record makes the fake record writes; modify is called after recording.
func (h *harness) recordWrites(modify func(*ldap.ModifyRequest) error) {
	h.conn.AddFunc = func(_ context.Context, req *ldap.AddRequest) error {
		h.calls = append(h.calls, "add "+req.DN)
		return nil
	}
	h.conn.ModifyFunc = func(_ context.Context, req *ldap.ModifyRequest) error {
		call := "modify " + req.DN
		for _, c := range req.Changes {
			call += " " + c.Modification.Type + "=" + strings.Join(c.Modification.Vals, "|")
			if c.Modification.Type == "unicodePwd" {
				pw := decodePassword(c.Modification.Vals[0])
				h.passwords = append(h.passwords, pw)
				call = "modify " + req.DN + " unicodePwd"
			}
		}
		h.calls = append(h.calls, call)
		if modify != nil {
			return modify(req)
		}
		return nil
	}
	h.conn.ModifyDNFunc = func(_ context.Context, req *ldap.ModifyDNRequest) error {
		h.calls = append(h.calls, "moddn "+req.DN+" "+req.NewRDN+" "+req.NewSuperior)
		return nil
	}
}

func (h *harness) run(t *testing.T, op *agentv1.Operation) []*agentv1.Result {
	t.Helper()
	op.OpId, op.Attempt, op.Seq, op.LeaseGeneration = "op-1", 3, 42, 7
	if op.Domain == "" {
		op.Domain = domain
	}
	var results []*agentv1.Result
	h.ex.Execute(t.Context(), op, func(r *agentv1.Result) { results = append(results, r) })
	require.NotEmpty(t, results)
	for i, r := range results {
		require.Equal(t, "op-1", r.GetOpId())
		require.EqualValues(t, 3, r.GetAttempt())
		require.EqualValues(t, 42, r.GetSeq())
		require.EqualValues(t, 7, r.GetLeaseGeneration())
		require.EqualValues(t, i, r.GetChunk())
		require.Equal(t, i < len(results)-1, r.GetMore())
	}
	// Nothing secret or personal above debug level, and passwords nowhere.
	for _, pw := range h.passwords {
		require.NotContains(t, h.logs.String(), pw)
		for _, r := range results {
			require.NotContains(t, r.GetError().GetMessage(), pw)
		}
	}
	return results
}

// one returns the single result of op.
func (h *harness) one(t *testing.T, op *agentv1.Operation) *agentv1.Result {
	t.Helper()
	results := h.run(t, op)
	require.Len(t, results, 1)
	return results[0]
}

func decodePassword(v string) string {
	b := []byte(v)
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	s := string(utf16.Decode(units))
	return strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)
}

func user(dn string, attrs map[string][]string) *ldap.Entry {
	all := map[string][]string{"objectGUID": {guidRaw}}
	for k, v := range attrs {
		all[k] = v
	}
	return ldap.NewEntry(dn, all)
}

func result(entries ...*ldap.Entry) *ldap.SearchResult {
	return &ldap.SearchResult{Entries: entries}
}

func requireCode(t *testing.T, r *agentv1.Result, code agentv1.ErrorCode, contains string) {
	t.Helper()
	require.NotNil(t, r.GetError(), "want %v, got outcome %v", code, r.GetOutcome())
	require.Equal(t, code, r.GetError().GetCode(), r.GetError().GetMessage())
	require.Contains(t, r.GetError().GetMessage(), contains)
	require.Equal(t, direrr.Retryable(code), r.GetError().GetRetryable())
	require.Equal(t, agentv1.Outcome_OUTCOME_UNSPECIFIED, r.GetOutcome())
}

func attrMap(e *agentv1.Entry) map[string][]string {
	m := map[string][]string{}
	for _, a := range e.GetAttributes() {
		m[a.GetName()] = a.GetValues()
	}
	return m
}

func TestConfig(t *testing.T) {
	dial := func(context.Context) (ldapx.Conn, error) { return nil, nil }
	tests := []struct {
		name    string
		cfg     executor.Config
		wantErr string
	}{
		{"no domains", executor.Config{}, "no domains"},
		{"nil dial", executor.Config{Domains: map[string]executor.Domain{"a.test": {}}}, "no DCs and nil Dial"},
		{"DC without dial", executor.Config{Domains: map[string]executor.Domain{"a.test": {DCs: []executor.DC{{Name: "dc1"}}}}}, "DCs[0]: want Name and Dial"},
		{"empty name", executor.Config{Domains: map[string]executor.Domain{" ": {Dial: dial}}}, "empty domain"},
		{"short password", executor.Config{Domains: map[string]executor.Domain{"a.test": {Dial: dial}}, PasswordLength: 8}, "PasswordLength 8"},
		{"ok", executor.Config{Domains: map[string]executor.Domain{"a.test": {Dial: dial}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := executor.New(tc.cfg)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	create := func(mut func(*agentv1.CreateUser)) *agentv1.Operation {
		cu := &agentv1.CreateUser{
			ParentDn: people, Cn: "Jane Doe",
			Match: &agentv1.Match{Value: "E1"},
		}
		mut(cu)
		return &agentv1.Operation{Kind: &agentv1.Operation_CreateUser{CreateUser: cu}}
	}
	modify := func(mu *agentv1.ModifyUser) *agentv1.Operation {
		return &agentv1.Operation{Kind: &agentv1.Operation_ModifyUser{ModifyUser: mu}}
	}
	find := func(fu *agentv1.FindUser) *agentv1.Operation {
		return &agentv1.Operation{Kind: &agentv1.Operation_FindUser{FindUser: fu}}
	}
	enabled := true
	tests := []struct {
		name     string
		op       *agentv1.Operation
		contains string
	}{
		{"no kind", &agentv1.Operation{}, "operation.kind"},
		{"no parent", create(func(cu *agentv1.CreateUser) { cu.ParentDn = "" }), "create_user.parent_dn: empty"},
		{"bad parent", create(func(cu *agentv1.CreateUser) { cu.ParentDn = "not a dn" }), "create_user.parent_dn"},
		{"no cn", create(func(cu *agentv1.CreateUser) { cu.Cn = "" }), "create_user.cn: empty"},
		{"no match", create(func(cu *agentv1.CreateUser) { cu.Match = nil }), "create_user.match.value: empty"},
		{"match attribute injection", create(func(cu *agentv1.CreateUser) { cu.Match.Attribute = "cn=*)(x" }), "create_user.match.attribute"},
		{"bad base", create(func(cu *agentv1.CreateUser) { cu.BaseDn = "x" }), "create_user.base_dn"},
		{"password too long", create(func(cu *agentv1.CreateUser) { cu.PasswordLength = 500 }), "create_user.password_length"},
		{"bad attribute name", create(func(cu *agentv1.CreateUser) {
			cu.Attributes = []*agentv1.Attribute{{Name: "given name", Values: []string{"x"}}}
		}), "create_user.attributes[0].name"},
		{"password attribute", create(func(cu *agentv1.CreateUser) {
			cu.Attributes = []*agentv1.Attribute{{Name: "sn", Values: []string{"x"}}, {Name: "unicodePwd", Values: []string{"x"}}}
		}), "create_user.attributes[1].name: unicodePwd is managed"},
		{"duplicate attribute", create(func(cu *agentv1.CreateUser) {
			cu.Attributes = []*agentv1.Attribute{{Name: "sn", Values: []string{"x"}}, {Name: "SN", Values: []string{"y"}}}
		}), "appears twice"},
		{"match value differs", create(func(cu *agentv1.CreateUser) {
			cu.Attributes = []*agentv1.Attribute{{Name: "employeeID", Values: []string{"E2"}}}
		}), "employeeID does not hold the match value"},
		{"modify no target", modify(&agentv1.ModifyUser{}), "modify_user.target"},
		{"modify bad guid", modify(&agentv1.ModifyUser{Target: &agentv1.ObjectRef{ObjectGuid: "nope"}}), "modify_user.target.object_guid"},
		{"modify uac and enabled", modify(&agentv1.ModifyUser{
			Target:  &agentv1.ObjectRef{ObjectGuid: guidStr},
			Changes: []*agentv1.Attribute{{Name: "userAccountControl", Values: []string{"512"}}},
			Enabled: &enabled,
		}), "userAccountControl"},
		{"modify cn", modify(&agentv1.ModifyUser{
			Target:  &agentv1.ObjectRef{ObjectGuid: guidStr},
			Changes: []*agentv1.Attribute{{Name: "cn", Values: []string{"x"}}},
		}), "use cn or new_cn"},
		{"modify bad new parent", modify(&agentv1.ModifyUser{Target: &agentv1.ObjectRef{ObjectGuid: guidStr}, NewParentDn: "x"}), "modify_user.new_parent_dn"},
		{"find no by", find(&agentv1.FindUser{}), "find_user.by"},
		{"find bad attribute", find(&agentv1.FindUser{By: &agentv1.FindUser_ObjectGuid{ObjectGuid: guidStr}, Attributes: []string{"sn", "(x)"}}), "find_user.attributes[1]"},
		{"export bad base", &agentv1.Operation{Kind: &agentv1.Operation_ExportUsers{ExportUsers: &agentv1.ExportUsers{BaseDn: "x"}}}, "export_users.base_dn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.one(t, tc.op)
			requireCode(t, r, agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST, tc.contains)
			require.Zero(t, h.dials, "an invalid request must not reach the directory")
		})
	}
}

func TestUnknownDomain(t *testing.T) {
	h := newHarness(t)
	r := h.one(t, &agentv1.Operation{Domain: "other.test", Kind: &agentv1.Operation_FindUser{
		FindUser: &agentv1.FindUser{By: &agentv1.FindUser_ObjectGuid{ObjectGuid: guidStr}},
	}})
	requireCode(t, r, agentv1.ErrorCode_ERROR_CODE_UNKNOWN_DOMAIN, "other.test")
	require.Zero(t, h.dials)
}

func TestDialFailure(t *testing.T) {
	ex, err := executor.New(executor.Config{
		Domains: map[string]executor.Domain{
			domain: {Dial: func(context.Context) (ldapx.Conn, error) {
				return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "dial ldaps://dc1: connection refused")
			}},
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	var results []*agentv1.Result
	ex.Execute(t.Context(), &agentv1.Operation{OpId: "x", Domain: domain, Kind: &agentv1.Operation_FindUser{
		FindUser: &agentv1.FindUser{By: &agentv1.FindUser_ObjectGuid{ObjectGuid: guidStr}},
	}}, func(r *agentv1.Result) { results = append(results, r) })
	require.Len(t, results, 1)
	requireCode(t, results[0], agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, "connect to domain hrsync.test: dial ldaps://dc1")
}

func TestOperationTimeout(t *testing.T) {
	h := newHarness(t)
	h.conn.SearchFunc = func(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
		deadline, ok := ctx.Deadline()
		require.True(t, ok)
		require.WithinDuration(t, time.Now().Add(20*time.Millisecond), deadline, time.Second)
		<-ctx.Done()
		return nil, ldapx.Classify("search", ctx.Err())
	}
	r := h.one(t, &agentv1.Operation{Timeout: durationpb.New(20 * time.Millisecond), Kind: &agentv1.Operation_FindUser{
		FindUser: &agentv1.FindUser{By: &agentv1.FindUser_ObjectGuid{ObjectGuid: guidStr}},
	}})
	requireCode(t, r, agentv1.ErrorCode_ERROR_CODE_TIMEOUT, "deadline")
}

func TestLogs(t *testing.T) {
	h := newHarness(t)
	h.conn.SearchFunc = func(context.Context, *ldap.SearchRequest) (*ldap.SearchResult, error) {
		return result(user("CN=Zoë Ñúñez,"+people, map[string][]string{"userAccountControl": {"512"}, "sn": {"Ñúñez"}})), nil
	}
	h.one(t, &agentv1.Operation{Kind: &agentv1.Operation_FindUser{FindUser: &agentv1.FindUser{
		By: &agentv1.FindUser_Match{Match: &agentv1.Match{Value: "E1"}}, Attributes: []string{"sn"},
	}}})
	logs := h.logs.String()
	require.Contains(t, logs, `"msg":"operation finished"`)
	require.Contains(t, logs, `"op_id":"op-1"`)
	require.Contains(t, logs, `"attempt":3`)
	require.Contains(t, logs, `"domain":"hrsync.test"`)
	require.Contains(t, logs, `"outcome":"OUTCOME_READ"`)
	require.NotContains(t, logs, "Ñúñez")
	require.NotContains(t, logs, "E1")
}

var errBoom = errors.New("boom")
