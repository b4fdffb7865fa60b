package executor_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/executor"
	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/slapdtest"
)

// TestReferralUniqueness runs uniqueness checks and searches through the
// executor against two OpenLDAP directories, where the domain's directory
// a refers to b for ou=remote, as a parent domain refers to a child.
// (FindUser and the writes filter on AD's user class and are proven
// against Samba; chasing itself is proven at the ldapx level.)
func TestReferralUniqueness(t *testing.T) {
	const pw = "Forest-Pw-2"
	a := slapdtest.New(t, slapdtest.Options{Password: pw})
	b := slapdtest.New(t, slapdtest.Options{Password: pw})
	ctx := t.Context()
	guid := func(n byte) string { return "objectGUID=" + string(slices.Repeat([]byte{n}, 16)) }
	require.NoError(t, a.AddEntry(ctx, "ou=local,"+a.Suffix, "organizationalUnit"))
	require.NoError(t, a.AddEntry(ctx, "cn=ann,ou=local,"+a.Suffix, "inetOrgPerson ADAccount", "sn=A", guid(1),
		"sAMAccountName=ann", "employeeID=E1"))
	require.NoError(t, b.AddEntry(ctx, "ou=remote,"+b.Suffix, "organizationalUnit"))
	require.NoError(t, b.AddEntry(ctx, "cn=ben,ou=remote,"+b.Suffix, "inetOrgPerson ADAccount", "sn=B", guid(2),
		"sAMAccountName=ben", "employeeID=E2"))
	require.NoError(t, a.AddReferral(ctx, "ou=remote,"+a.Suffix, b.URL+"/ou=remote,"+b.Suffix))

	base := ldapx.Config{URLs: []string{a.URL}, BindDN: a.BindDN, Password: a.Password,
		CAPEM: append(slices.Clone(a.CAPEM), b.CAPEM...)}
	newExecutor := func(t *testing.T, off bool) *executor.Executor {
		ch, err := ldapx.NewChaser(ldapx.ChaseConfig{Off: off, AllowedHosts: []string{"127.0.0.1"},
			Dial: func(ctx context.Context, target string) (ldapx.Conn, error) {
				c := base
				c.URLs = []string{target}
				return ldapx.Dial(ctx, c)
			}})
		require.NoError(t, err)
		ex, err := executor.New(executor.Config{
			Domains: map[string]executor.Domain{"hrsync.test": {
				Dial:   func(ctx context.Context) (ldapx.Conn, error) { return ldapx.Dial(ctx, base) },
				Chaser: ch,
			}},
			Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		require.NoError(t, err)
		t.Cleanup(ex.Close)
		return ex
	}
	exec := func(t *testing.T, ex *executor.Executor, op *agentv1.Operation) *agentv1.Result {
		t.Helper()
		op.OpId, op.Attempt, op.Domain = "op", 1, "hrsync.test"
		var results []*agentv1.Result
		ex.Execute(ctx, op, func(r *agentv1.Result) { results = append(results, r) })
		require.Len(t, results, 1)
		return results[0]
	}
	lookup := func(values ...string) *agentv1.Operation {
		return &agentv1.Operation{Kind: &agentv1.Operation_LookupValues{LookupValues: &agentv1.LookupValues{
			Attribute: "sAMAccountName", Values: values}}}
	}
	dns := func(r *agentv1.Result) []string {
		var out []string
		for _, e := range r.GetEntries() {
			out = append(out, e.GetDn())
		}
		slices.Sort(out)
		return out
	}

	tests := []struct {
		name string
		off  bool
		op   *agentv1.Operation
		want []string
	}{
		{"value only in the referred directory is taken", false, lookup("ben", "ben2"), []string{"cn=ben,ou=remote," + a.Suffix}},
		{"values in both directories", false, lookup("ann", "ben"), []string{"cn=ann,ou=local," + a.Suffix, "cn=ben,ou=remote," + a.Suffix}},
		{"free value", false, lookup("carl"), nil},
		{"chasing off sees the home directory only", true, lookup("ann", "ben"), []string{"cn=ann,ou=local," + a.Suffix}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := exec(t, newExecutor(t, tc.off), tc.op)
			require.Nil(t, r.GetError(), "%v", r.GetError())
			require.Equal(t, tc.want, dns(r))
		})
	}

	t.Run("chasing off reports a referred base as a clear error", func(t *testing.T) {
		op := lookup("ben")
		op.GetLookupValues().BaseDn = "ou=remote," + a.Suffix
		r := exec(t, newExecutor(t, true), op)
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, r.GetError().GetCode())
		require.Contains(t, r.GetError().GetMessage(), "not followed: referral chasing is off")
	})
}
