package executor_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/executor"
	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/sambatest"
)

// sambaEnv runs operations against a real Samba AD DC and inspects the
// directory directly.
type sambaEnv struct {
	dc  *sambatest.DC
	ex  *executor.Executor
	raw *ldap.Conn
	seq uint64
}

// TestSamba exercises the executor against a real domain controller. Each
// subtest works in its own OU and runs every operation twice.
func TestSamba(t *testing.T) {
	dc := sambatest.New(t)
	ex, err := executor.New(executor.Config{
		Domains: map[string]executor.Domain{
			dc.Domain: {Dial: func(ctx context.Context) (ldapx.Conn, error) {
				return ldapx.Dial(ctx, ldapx.Config{URLs: []string{dc.URL}, BindDN: dc.BindDN, Password: dc.Password, CAPEM: dc.CAPEM})
			}},
		},
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	require.NoError(t, err)
	raw, err := dc.Dial(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	env := &sambaEnv{dc: dc, ex: ex, raw: raw}

	t.Run("create users with awkward names", env.testCreateNames)
	t.Run("modify lifecycle", env.testModifyLifecycle)
	t.Run("existing CN of another employee", env.testExistingCN)
	t.Run("resume a create interrupted after the add", env.testResume)
	t.Run("ambiguous match", env.testAmbiguous)
	t.Run("match checked by the cloud", env.testMatchChecked)
	t.Run("delete a disabled user", env.testDelete)
	t.Run("export in pages", env.testExport)
	t.Run("concurrent operations", env.testConcurrent)
	t.Run("errors from the directory", env.testErrors)
	t.Run("lookup values for uniqueness", env.testLookupValues)
}

// exec runs op and returns its results.
func (env *sambaEnv) exec(t *testing.T, op *agentv1.Operation) []*agentv1.Result {
	t.Helper()
	env.seq++
	op.OpId, op.Attempt, op.Seq, op.Domain = fmt.Sprintf("op-%d", env.seq), 1, env.seq, env.dc.Domain
	var results []*agentv1.Result
	env.ex.Execute(t.Context(), op, func(r *agentv1.Result) { results = append(results, r) })
	require.NotEmpty(t, results)
	return results
}

// ok runs op, requires one successful result with outcome and returns its
// entries.
func (env *sambaEnv) ok(t *testing.T, op *agentv1.Operation, outcome agentv1.Outcome) []*agentv1.Entry {
	t.Helper()
	results := env.exec(t, op)
	require.Len(t, results, 1)
	require.Nil(t, results[0].GetError(), "%v", results[0].GetError())
	require.Equal(t, outcome, results[0].GetOutcome())
	return results[0].GetEntries()
}

// fails runs op and requires it to fail with code.
func (env *sambaEnv) fails(t *testing.T, op *agentv1.Operation, code agentv1.ErrorCode) *agentv1.Error {
	t.Helper()
	results := env.exec(t, op)
	require.Len(t, results, 1)
	require.Equal(t, code, results[0].GetError().GetCode(), "%v", results[0].GetError())
	return results[0].GetError()
}

func (env *sambaEnv) ou(t *testing.T, name string) string {
	t.Helper()
	dn, err := env.dc.CreateOU(t.Context(), name)
	require.NoError(t, err)
	return dn
}

// read returns the raw attributes of the user with objectGUID guid.
func (env *sambaEnv) read(t *testing.T, guid string, attrs ...string) *ldap.Entry {
	t.Helper()
	f, err := ldapx.GUIDFilter(guid)
	require.NoError(t, err)
	res, err := env.raw.Search(ldap.NewSearchRequest(env.dc.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, f, attrs, nil))
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	return res.Entries[0]
}

// count returns how many users have the employeeID.
func (env *sambaEnv) count(t *testing.T, employeeID string) int {
	t.Helper()
	res, err := env.raw.Search(ldap.NewSearchRequest(env.dc.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, "(&(objectClass=user)(employeeID="+ldapx.EscapeFilterValue(employeeID)+"))", []string{"cn"}, nil))
	require.NoError(t, err)
	return len(res.Entries)
}

func (env *sambaEnv) uac(t *testing.T, guid string) int {
	t.Helper()
	n, err := strconv.Atoi(env.read(t, guid, "userAccountControl").GetAttributeValue("userAccountControl"))
	require.NoError(t, err)
	return n
}

func createUser(parent, cn, employeeID, sam string, enable bool) *agentv1.Operation {
	return &agentv1.Operation{Kind: &agentv1.Operation_CreateUser{CreateUser: &agentv1.CreateUser{
		ParentDn: parent,
		Cn:       cn,
		Attributes: []*agentv1.Attribute{
			{Name: "sAMAccountName", Values: []string{sam}},
			{Name: "userPrincipalName", Values: []string{sam + "@hrsync.test"}},
			{Name: "displayName", Values: []string{cn}},
			{Name: "sn", Values: []string{cn}},
			{Name: "title", Values: nil},
		},
		Enable: enable,
		Match:  &agentv1.Match{Attribute: "employeeID", Value: employeeID},
	}}}
}

func modifyUser(guid string, mut func(*agentv1.ModifyUser)) *agentv1.Operation {
	mu := &agentv1.ModifyUser{Target: &agentv1.ObjectRef{ObjectGuid: guid}}
	mut(mu)
	return &agentv1.Operation{Kind: &agentv1.Operation_ModifyUser{ModifyUser: mu}}
}

func (env *sambaEnv) testCreateNames(t *testing.T) {
	ou := env.ou(t, "CreateNames")
	names := []string{
		"Zoë Ñúñez",
		"O'Brien, Siobhán",
		`Weird *()\ Name`,
		`#Hash+Plus "Quoted" <x>;y=z`,
		"  Leading and trailing  ",
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			employeeID := fmt.Sprintf("N%d-é*)", i)
			op := createUser(ou, name, employeeID, fmt.Sprintf("names%d", i), true)
			first := env.ok(t, op, agentv1.Outcome_OUTCOME_CREATED)
			require.Len(t, first, 1)
			e := first[0]
			cn, parent, err := ldapx.SplitDN(e.GetDn())
			require.NoError(t, err)
			require.Equal(t, name, cn)
			require.True(t, ldapx.EqualDN(ou, parent), "%s under %s", e.GetDn(), ou)
			require.True(t, e.GetEnabled())
			require.Equal(t, map[string][]string{
				"sAMAccountName":    {fmt.Sprintf("names%d", i)},
				"userPrincipalName": {fmt.Sprintf("names%d@hrsync.test", i)},
				"displayName":       {name},
				"sn":                {name},
				"employeeID":        {employeeID},
			}, attrMap(e))

			raw := env.read(t, e.GetObjectGuid(), "pwdLastSet", "userAccountControl", "cn")
			require.NotEqual(t, "0", raw.GetAttributeValue("pwdLastSet"), "a password was set")
			require.NotEmpty(t, raw.GetAttributeValue("pwdLastSet"))
			require.Equal(t, "512", raw.GetAttributeValue("userAccountControl"))
			require.Equal(t, name, raw.GetAttributeValue("cn"))

			again := env.ok(t, op, agentv1.Outcome_OUTCOME_ADOPTED)
			require.Equal(t, e.GetObjectGuid(), again[0].GetObjectGuid())
			require.Equal(t, e.GetDn(), again[0].GetDn())
			require.Equal(t, 1, env.count(t, employeeID), "never a second object")

			// The special characters survive filter escaping too.
			found := env.ok(t, &agentv1.Operation{Kind: &agentv1.Operation_FindUser{FindUser: &agentv1.FindUser{
				BaseDn:     ou,
				By:         &agentv1.FindUser_Match{Match: &agentv1.Match{Attribute: "displayName", Value: name}},
				Attributes: []string{"employeeID"},
			}}}, agentv1.Outcome_OUTCOME_READ)
			require.Len(t, found, 1)
			require.Equal(t, e.GetObjectGuid(), found[0].GetObjectGuid())
			require.Equal(t, []string{employeeID}, attrMap(found[0])["employeeID"])
		})
	}
}

func (env *sambaEnv) testModifyLifecycle(t *testing.T) {
	ou := env.ou(t, "Lifecycle")
	moved := env.ou(t, "Lifecycle Moved")
	created := env.ok(t, createUser(ou, "Life Cycle", "L1", "lifecycle", true), agentv1.Outcome_OUTCOME_CREATED)
	guid := created[0].GetObjectGuid()

	// An administrator set DONT_EXPIRE_PASSWORD; the executor must keep it.
	m := ldap.NewModifyRequest(created[0].GetDn(), nil)
	m.Replace("userAccountControl", []string{strconv.Itoa(0x10200)})
	require.NoError(t, env.raw.Modify(m))

	on, off := true, false
	steps := []struct {
		name    string
		mut     func(*agentv1.ModifyUser)
		check   func(t *testing.T, e *agentv1.Entry)
		wantUAC int
	}{
		{
			name: "set title",
			mut: func(mu *agentv1.ModifyUser) {
				mu.Changes = []*agentv1.Attribute{{Name: "title", Values: []string{"Engineer"}}, {Name: "description"}}
			},
			check: func(t *testing.T, e *agentv1.Entry) {
				require.Equal(t, map[string][]string{"title": {"Engineer"}}, attrMap(e))
			},
			wantUAC: 0x10200,
		},
		{
			name:    "disable",
			mut:     func(mu *agentv1.ModifyUser) { mu.Enabled = &off },
			check:   func(t *testing.T, e *agentv1.Entry) { require.False(t, e.GetEnabled()) },
			wantUAC: 0x10202,
		},
		{
			name:    "enable",
			mut:     func(mu *agentv1.ModifyUser) { mu.Enabled = &on },
			check:   func(t *testing.T, e *agentv1.Entry) { require.True(t, e.GetEnabled()) },
			wantUAC: 0x10200,
		},
		{
			name: "delete title",
			mut:  func(mu *agentv1.ModifyUser) { mu.Changes = []*agentv1.Attribute{{Name: "title", Values: []string{""}}} },
			check: func(t *testing.T, e *agentv1.Entry) {
				require.Empty(t, e.GetAttributes())
			},
			wantUAC: 0x10200,
		},
		{
			name: "move",
			mut:  func(mu *agentv1.ModifyUser) { mu.NewParentDn = moved },
			check: func(t *testing.T, e *agentv1.Entry) {
				cn, parent, err := ldapx.SplitDN(e.GetDn())
				require.NoError(t, err)
				require.Equal(t, "Life Cycle", cn)
				require.True(t, ldapx.EqualDN(moved, parent))
			},
			wantUAC: 0x10200,
		},
		{
			name: "rename",
			mut:  func(mu *agentv1.ModifyUser) { mu.NewCn = "Cycle, Life #2" },
			check: func(t *testing.T, e *agentv1.Entry) {
				cn, parent, err := ldapx.SplitDN(e.GetDn())
				require.NoError(t, err)
				require.Equal(t, "Cycle, Life #2", cn)
				require.True(t, ldapx.EqualDN(moved, parent))
			},
			wantUAC: 0x10200,
		},
		{
			name: "rename and move back with a title",
			mut: func(mu *agentv1.ModifyUser) {
				mu.NewCn, mu.NewParentDn = "Life Cycle", ou
				mu.Changes = []*agentv1.Attribute{{Name: "title", Values: []string{"Manager"}}}
				mu.Target.Dn = "CN=stale," + moved // ignored: the GUID wins
			},
			check: func(t *testing.T, e *agentv1.Entry) {
				require.True(t, ldapx.EqualDN("CN=Life Cycle,"+ou, e.GetDn()), e.GetDn())
				require.Equal(t, map[string][]string{"title": {"Manager"}}, attrMap(e))
			},
			wantUAC: 0x10200,
		},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			op := modifyUser(guid, step.mut)
			e := env.ok(t, op, agentv1.Outcome_OUTCOME_MODIFIED)
			require.Len(t, e, 1)
			require.Equal(t, guid, e[0].GetObjectGuid())
			step.check(t, e[0])
			require.Equal(t, step.wantUAC, env.uac(t, guid))

			again := env.ok(t, op, agentv1.Outcome_OUTCOME_UNCHANGED)
			step.check(t, again[0])
			require.Equal(t, step.wantUAC, env.uac(t, guid))
		})
	}
	require.Equal(t, 1, env.count(t, "L1"))
}

func (env *sambaEnv) testExistingCN(t *testing.T) {
	ou := env.ou(t, "ExistingCN")
	env.ok(t, createUser(ou, "Pat Smith", "P1", "psmith1", true), agentv1.Outcome_OUTCOME_CREATED)
	pe := env.fails(t, createUser(ou, "Pat Smith", "P2", "psmith2", true), agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS)
	require.EqualValues(t, ldap.LDAPResultEntryAlreadyExists, pe.GetLdapResultCode())
	require.False(t, pe.GetRetryable())
	require.Equal(t, 0, env.count(t, "P2"))

	// The same account name under another CN is refused too.
	env.fails(t, createUser(ou, "Pat Smith 2", "P3", "psmith1", true), agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS)
}

func (env *sambaEnv) testResume(t *testing.T) {
	ou := env.ou(t, "Resume")
	// What an attempt that died right after its add leaves: a disabled
	// user with the match value and no password.
	dn := ldapx.BuildDN("Half Done", ou)
	add := ldap.NewAddRequest(dn, nil)
	add.Attribute("objectClass", []string{"user"})
	add.Attribute("sAMAccountName", []string{"halfdone"})
	add.Attribute("employeeID", []string{"R1"})
	add.Attribute("userAccountControl", []string{"514"})
	require.NoError(t, env.raw.Add(add))

	op := createUser(ou, "Half Done", "R1", "halfdone", true)
	e := env.ok(t, op, agentv1.Outcome_OUTCOME_ADOPTED)
	require.True(t, e[0].GetEnabled())
	raw := env.read(t, e[0].GetObjectGuid(), "pwdLastSet")
	require.NotEqual(t, "0", raw.GetAttributeValue("pwdLastSet"))
	env.ok(t, op, agentv1.Outcome_OUTCOME_ADOPTED)
	require.Equal(t, 1, env.count(t, "R1"))
}

func (env *sambaEnv) testAmbiguous(t *testing.T) {
	ou := env.ou(t, "Ambiguous")
	for i := range 2 {
		add := ldap.NewAddRequest(fmt.Sprintf("CN=Twin %d,%s", i, ou), nil)
		add.Attribute("objectClass", []string{"user"})
		add.Attribute("sAMAccountName", []string{fmt.Sprintf("twin%d", i)})
		add.Attribute("employeeID", []string{"A1"})
		require.NoError(t, env.raw.Add(add))
	}
	pe := env.fails(t, createUser(ou, "Twin 3", "A1", "twin3", true), agentv1.ErrorCode_ERROR_CODE_AMBIGUOUS_MATCH)
	require.Contains(t, pe.GetMessage(), "2 users")
	require.Equal(t, 2, env.count(t, "A1"))
}

func (env *sambaEnv) testExport(t *testing.T) {
	ou := env.ou(t, "Export")
	want := map[string]bool{}
	for i := range 5 {
		e := env.ok(t, createUser(ou, fmt.Sprintf("Export %d", i), fmt.Sprintf("X%d", i), fmt.Sprintf("export%d", i), i%2 == 0),
			agentv1.Outcome_OUTCOME_CREATED)
		want[e[0].GetObjectGuid()] = true
	}
	op := &agentv1.Operation{Kind: &agentv1.Operation_ExportUsers{ExportUsers: &agentv1.ExportUsers{
		BaseDn: ou, PageSize: 2, Attributes: []string{"employeeID", "sAMAccountName"},
	}}}
	for range 2 {
		results := env.exec(t, op)
		var sizes []int
		got := map[string]bool{}
		enabled := 0
		for i, r := range results {
			require.Nil(t, r.GetError())
			require.EqualValues(t, i, r.GetChunk())
			require.Equal(t, i < len(results)-1, r.GetMore())
			require.Equal(t, agentv1.Outcome_OUTCOME_READ, r.GetOutcome())
			sizes = append(sizes, len(r.GetEntries()))
			for _, e := range r.GetEntries() {
				got[e.GetObjectGuid()] = true
				require.Len(t, e.GetAttributes(), 2)
				if e.GetEnabled() {
					enabled++
				}
			}
		}
		require.Equal(t, []int{2, 2, 1}, sizes)
		require.Equal(t, want, got)
		require.Equal(t, 3, enabled)
	}
}

func (env *sambaEnv) testErrors(t *testing.T) {
	ou := env.ou(t, "Errors")
	e := env.ok(t, createUser(ou, "Err User", "E1", "erruser", false), agentv1.Outcome_OUTCOME_CREATED)
	require.False(t, e[0].GetEnabled())

	t.Run("modify a missing GUID", func(t *testing.T) {
		pe := env.fails(t, modifyUser("0badc0de-0000-4000-8000-000000000000", func(mu *agentv1.ModifyUser) {
			mu.Changes = []*agentv1.Attribute{{Name: "title", Values: []string{"x"}}}
		}), agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT)
		require.Contains(t, pe.GetMessage(), "0badc0de-0000-4000-8000-000000000000")
	})
	t.Run("undefined attribute", func(t *testing.T) {
		env.fails(t, modifyUser(e[0].GetObjectGuid(), func(mu *agentv1.ModifyUser) {
			mu.Changes = []*agentv1.Attribute{{Name: "hrsyncNoSuchAttribute", Values: []string{"x"}}}
		}), agentv1.ErrorCode_ERROR_CODE_UNDEFINED_ATTRIBUTE)
	})
	t.Run("missing parent", func(t *testing.T) {
		env.fails(t, createUser("OU=Nowhere,"+ou, "Lost", "E2", "lost", true), agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT)
	})
	t.Run("move to a missing OU", func(t *testing.T) {
		env.fails(t, modifyUser(e[0].GetObjectGuid(), func(mu *agentv1.ModifyUser) {
			mu.NewParentDn = "OU=Nowhere," + ou
		}), agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT)
	})
	t.Run("wrong password", func(t *testing.T) {
		bad, err := executor.New(executor.Config{
			Domains: map[string]executor.Domain{env.dc.Domain: {Dial: func(ctx context.Context) (ldapx.Conn, error) {
				return ldapx.Dial(ctx, ldapx.Config{URLs: []string{env.dc.URL}, BindDN: env.dc.BindDN, Password: "Not-The-Pa55word", CAPEM: env.dc.CAPEM})
			}}},
			Logger: slog.New(slog.DiscardHandler),
		})
		require.NoError(t, err)
		op := modifyUser(e[0].GetObjectGuid(), func(*agentv1.ModifyUser) {})
		op.Domain = env.dc.Domain
		var r *agentv1.Result
		bad.Execute(t.Context(), op, func(res *agentv1.Result) { r = res })
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS, r.GetError().GetCode())
		require.NotContains(t, r.GetError().GetMessage(), "Not-The-Pa55word")
	})
}

func (env *sambaEnv) testConcurrent(t *testing.T) {
	ou := env.ou(t, "Concurrent")
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []*agentv1.Result
	)
	for i := range 4 {
		wg.Go(func() {
			op := createUser(ou, fmt.Sprintf("Parallel %d", i), fmt.Sprintf("C%d", i), fmt.Sprintf("parallel%d", i), true)
			op.OpId, op.Domain = fmt.Sprintf("par-%d", i), env.dc.Domain
			env.ex.Execute(t.Context(), op, func(r *agentv1.Result) {
				mu.Lock()
				defer mu.Unlock()
				results = append(results, r)
			})
		})
	}
	wg.Wait()
	require.Len(t, results, 4)
	for _, r := range results {
		require.Nil(t, r.GetError(), "%v", r.GetError())
		require.Equal(t, agentv1.Outcome_OUTCOME_CREATED, r.GetOutcome())
	}
}

func (env *sambaEnv) testLookupValues(t *testing.T) {
	ou := env.ou(t, "lookup")
	a := env.ok(t, createUser(ou, "Ana Lookup", "LK1", "ana.lookup", true), agentv1.Outcome_OUTCOME_CREATED)[0]
	env.ok(t, createUser(ou, `Bo (Lookup)*\`, "LK2", "bo.lookup", true), agentv1.Outcome_OUTCOME_CREATED)

	tests := []struct {
		name      string
		attribute string
		values    []string
		want      []string // values found
	}{
		{"one taken, case-insensitive", "sAMAccountName", []string{"ANA.LOOKUP", "ana.lookup2"}, []string{"ana.lookup"}},
		{"none taken", "sAMAccountName", []string{"nobody.here"}, nil},
		{"filter metacharacters are values, not wildcards", "displayName", []string{`Bo (Lookup)*\`, "*", "Bo*"}, []string{`Bo (Lookup)*\`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			found := env.ok(t, &agentv1.Operation{Kind: &agentv1.Operation_LookupValues{LookupValues: &agentv1.LookupValues{
				Attribute: tc.attribute, Values: tc.values}}}, agentv1.Outcome_OUTCOME_READ)
			var got []string
			for _, e := range found {
				require.NotEmpty(t, e.GetObjectGuid())
				for _, attr := range e.GetAttributes() {
					got = append(got, attr.GetValues()...)
				}
			}
			require.ElementsMatch(t, tc.want, got)
		})
	}
	found := env.ok(t, &agentv1.Operation{Kind: &agentv1.Operation_LookupValues{LookupValues: &agentv1.LookupValues{
		Attribute: "sAMAccountName", Values: []string{"ana.lookup"}}}}, agentv1.Outcome_OUTCOME_READ)
	require.Equal(t, a.GetObjectGuid(), found[0].GetObjectGuid(), "the holder is named, so the cloud can ignore the object itself")

	env.fails(t, &agentv1.Operation{Kind: &agentv1.Operation_LookupValues{LookupValues: &agentv1.LookupValues{
		Attribute: "sAMAccountName)(x=y", Values: []string{"a"}}}}, agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST)
	env.fails(t, &agentv1.Operation{Kind: &agentv1.Operation_LookupValues{LookupValues: &agentv1.LookupValues{
		Attribute: "sAMAccountName"}}}, agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST)
}

func (env *sambaEnv) testMatchChecked(t *testing.T) {
	ou := env.ou(t, "Checked")
	op := createUser(ou, "Checked One", "MC1", "checked1", true)
	op.GetCreateUser().MatchChecked = true
	e := env.ok(t, op, agentv1.Outcome_OUTCOME_CREATED)
	require.True(t, e[0].GetEnabled())
	// A retry of the same operation finds its user at the DN.
	env.ok(t, op, agentv1.Outcome_OUTCOME_ADOPTED)
	require.Equal(t, 1, env.count(t, "MC1"))
	// The DN taken by someone else's user: the add's error stands.
	other := createUser(ou, "Checked One", "MC2", "checked2", true)
	other.GetCreateUser().MatchChecked = true
	env.fails(t, other, agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS)
	require.Equal(t, 0, env.count(t, "MC2"))
}

func (env *sambaEnv) testDelete(t *testing.T) {
	ou := env.ou(t, "Delete")
	enabled := env.ok(t, createUser(ou, "Still Here", "D1", "stillhere", true), agentv1.Outcome_OUTCOME_CREATED)
	del := func(guid string) *agentv1.Operation {
		return &agentv1.Operation{Kind: &agentv1.Operation_DeleteUser{DeleteUser: &agentv1.DeleteUser{Target: &agentv1.ObjectRef{ObjectGuid: guid}}}}
	}
	pe := env.fails(t, del(enabled[0].GetObjectGuid()), agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM)
	require.Contains(t, pe.GetMessage(), "is enabled")
	require.Equal(t, 1, env.count(t, "D1"), "an enabled account is never deleted")

	gone := env.ok(t, createUser(ou, "Leaver", "D2", "leaver2", false), agentv1.Outcome_OUTCOME_CREATED)
	e := env.ok(t, del(gone[0].GetObjectGuid()), agentv1.Outcome_OUTCOME_DELETED)
	require.Equal(t, gone[0].GetDn(), e[0].GetDn())
	require.Equal(t, 0, env.count(t, "D2"))
	env.ok(t, del(gone[0].GetObjectGuid()), agentv1.Outcome_OUTCOME_UNCHANGED) // a retry is harmless
	env.fails(t, &agentv1.Operation{Kind: &agentv1.Operation_DeleteUser{DeleteUser: &agentv1.DeleteUser{Target: &agentv1.ObjectRef{Dn: gone[0].GetDn()}}}},
		agentv1.ErrorCode_ERROR_CODE_INVALID_REQUEST)
}
