package ldapx_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
	"github.com/hrsync/hrsync/shared/slapdtest"
)

// forest is two OpenLDAP directories that accept the same credentials,
// where a refers to b for ou=remote.
type forest struct {
	a, b *slapdtest.Server
}

func newForest(t *testing.T) *forest {
	t.Helper()
	const pw = "Forest-Pw-1"
	f := &forest{a: slapdtest.New(t, slapdtest.Options{Password: pw}), b: slapdtest.New(t, slapdtest.Options{Password: pw})}
	ctx := t.Context()
	a, b := f.a, f.b
	require.NoError(t, a.AddEntry(ctx, "ou=local,"+a.Suffix, "organizationalUnit"))
	require.NoError(t, a.AddEntry(ctx, "cn=alice,ou=local,"+a.Suffix, "inetOrgPerson", "sn=A", "mail=alice@a.test"))
	require.NoError(t, b.AddEntry(ctx, "ou=remote,"+b.Suffix, "organizationalUnit"))
	require.NoError(t, b.AddEntry(ctx, "cn=bob,ou=remote,"+b.Suffix, "inetOrgPerson", "sn=B", "mail=bob@b.test"))
	require.NoError(t, a.AddReferral(ctx, "ou=remote,"+a.Suffix, b.URL+"/ou=remote,"+b.Suffix))
	return f
}

// addLoop makes ou=loop refer from each directory to the other.
func (f *forest) addLoop(t *testing.T) {
	t.Helper()
	a, b := f.a, f.b
	require.NoError(t, a.AddReferral(t.Context(), "ou=loop,"+a.Suffix, b.URL+"/ou=loop,"+b.Suffix))
	require.NoError(t, b.AddReferral(t.Context(), "ou=loop,"+b.Suffix, a.URL+"/ou=loop,"+a.Suffix))
}

// conn returns a Conn to a that chases referrals as cfg says; Dial binds
// with a's credentials to the referred server.
func (f *forest) conn(t *testing.T, cfg ldapx.ChaseConfig) ldapx.Conn {
	t.Helper()
	base := ldapx.Config{URLs: []string{f.a.URL}, BindDN: f.a.BindDN, Password: f.a.Password,
		CAPEM: append(slices.Clone(f.a.CAPEM), f.b.CAPEM...)}
	cfg.Dial = func(ctx context.Context, target string) (ldapx.Conn, error) {
		c := base
		c.URLs = []string{target}
		return ldapx.Dial(ctx, c)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	ch, err := ldapx.NewChaser(cfg)
	require.NoError(t, err)
	t.Cleanup(ch.Close)
	home, err := ldapx.Dial(t.Context(), base)
	require.NoError(t, err)
	c := ch.Wrap(home)
	t.Cleanup(func() { c.Close() })
	return c
}

// on reads dn from s directly: its attribute values, nil when missing.
func on(t *testing.T, s *slapdtest.Server, dn, attr string) []string {
	t.Helper()
	raw, err := s.Dial(t.Context())
	require.NoError(t, err)
	defer raw.Close()
	res, err := raw.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{attr}, []ldap.Control{ldap.NewControlManageDsaIT(true)}))
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) || ldap.IsErrorWithCode(err, ldap.LDAPResultReferral) {
		return nil
	}
	require.NoError(t, err)
	return res.Entries[0].GetAttributeValues(attr)
}

func mails(entries []*ldap.Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.GetAttributeValues("mail")...)
	}
	slices.Sort(out)
	return out
}

func TestChaseReferrals(t *testing.T) {
	f := newForest(t)
	a, b := f.a, f.b
	allowed := []string{"127.0.0.1"}
	conn := f.conn(t, ldapx.ChaseConfig{AllowedHosts: allowed})
	ctx := t.Context()
	remote := "ou=remote," + a.Suffix

	t.Run("writes through a land in b", func(t *testing.T) {
		add := ldap.NewAddRequest("cn=carol,"+remote, nil)
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("sn", []string{"C"})
		add.Attribute("mail", []string{"carol@b.test"})
		require.NoError(t, conn.Add(ctx, add))
		require.Equal(t, []string{"carol@b.test"}, on(t, b, "cn=carol,"+remote, "mail"))
		require.Nil(t, on(t, a, "cn=carol,"+remote, "mail"), "a holds only the referral")

		mod := ldap.NewModifyRequest("cn=carol,"+remote, nil)
		mod.Replace("mail", []string{"carol2@b.test"})
		require.NoError(t, conn.Modify(ctx, mod))
		require.Equal(t, []string{"carol2@b.test"}, on(t, b, "cn=carol,"+remote, "mail"))

		require.NoError(t, conn.ModifyDN(ctx, ldap.NewModifyDNRequest("cn=carol,"+remote, "cn=carola", true, "")))
		require.Equal(t, []string{"carol2@b.test"}, on(t, b, "cn=carola,"+remote, "mail"))

		require.NoError(t, conn.Del(ctx, ldap.NewDelRequest("cn=carola,"+remote, nil)))
		require.Nil(t, on(t, b, "cn=carola,"+remote, "mail"))
	})

	t.Run("a directory error after the referral keeps its code", func(t *testing.T) {
		mod := ldap.NewModifyRequest("cn=nobody,"+remote, nil)
		mod.Replace("mail", []string{"x@b.test"})
		err := conn.Modify(ctx, mod)
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, direrr.CodeOf(err), "%v", err)
		require.ErrorContains(t, err, "after referral to "+b.URL)
	})

	search := func(base string) *ldap.SearchRequest {
		return ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=inetOrgPerson)", []string{"mail"}, nil)
	}

	t.Run("search from a returns b's entries", func(t *testing.T) {
		res, err := conn.Search(ctx, search(a.Suffix))
		require.NoError(t, err)
		require.Equal(t, []string{"alice@a.test", "bob@b.test"}, mails(res.Entries))
		require.Empty(t, res.Referrals)
	})

	t.Run("search based inside the referred subtree", func(t *testing.T) {
		res, err := conn.Search(ctx, search(remote))
		require.NoError(t, err)
		require.Equal(t, []string{"bob@b.test"}, mails(res.Entries))
		one := search(remote)
		one.Scope = ldap.ScopeSingleLevel
		res, err = conn.Search(ctx, one)
		require.NoError(t, err)
		require.Equal(t, []string{"bob@b.test"}, mails(res.Entries))
	})

	t.Run("paged search continues in b", func(t *testing.T) {
		for i := range 3 {
			require.NoError(t, a.AddEntry(ctx, "cn=p"+string(rune('0'+i))+",ou=local,"+a.Suffix, "inetOrgPerson", "sn=P", "mail=p"+string(rune('0'+i))+"@a.test"))
		}
		var got []*ldap.Entry
		var mores []bool
		err := conn.SearchPages(ctx, search(a.Suffix), 2, func(entries []*ldap.Entry, more bool) error {
			got = append(got, entries...)
			mores = append(mores, more)
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, []string{"alice@a.test", "bob@b.test", "p0@a.test", "p1@a.test", "p2@a.test"}, mails(got))
		require.False(t, mores[len(mores)-1])
		for _, m := range mores[:len(mores)-1] {
			require.True(t, m, "more is false only on the very last page: %v", mores)
		}
	})

	t.Run("loop a to b to a stops", func(t *testing.T) {
		f.addLoop(t)
		add := ldap.NewAddRequest("cn=x,ou=loop,"+a.Suffix, nil)
		add.Attribute("objectClass", []string{"organizationalRole"})
		err := conn.Add(ctx, add)
		var de *direrr.Error
		require.ErrorAs(t, err, &de)
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, de.Code)
		require.EqualValues(t, ldap.LDAPResultClientLoop, de.LDAPResultCode)
		require.ErrorContains(t, err, "referral loop")

		_, err = conn.Search(ctx, search("ou=loop,"+a.Suffix))
		require.ErrorContains(t, err, "referral loop")
	})
}

func TestChaseRefused(t *testing.T) {
	f := newForest(t)
	a := f.a
	ctx := t.Context()
	add := func() *ldap.AddRequest {
		req := ldap.NewAddRequest("cn=dave,ou=remote,"+a.Suffix, nil)
		req.Attribute("objectClass", []string{"organizationalRole"})
		return req
	}
	search := ldap.NewSearchRequest(a.Suffix, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=inetOrgPerson)", []string{"mail"}, nil)

	tests := []struct {
		name       string
		cfg        ldapx.ChaseConfig
		resultCode uint32
		contains   string
	}{
		{"chasing off", ldapx.ChaseConfig{Off: true, AllowedHosts: []string{"127.0.0.1"}}, ldap.LDAPResultReferral, "referral chasing is off"},
		{"host not allowed", ldapx.ChaseConfig{AllowedHosts: []string{"dc1.corp.example.com", "*.example.com"}}, ldap.LDAPResultReferral, "host 127.0.0.1 of " + f.b.URL + "/cn=dave,ou=remote," + a.Suffix + " is not an allowed referral host"},
		{"hop limit", ldapx.ChaseConfig{AllowedHosts: []string{"127.0.0.1"}, MaxHops: -1}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := f.conn(t, tc.cfg)
			err := conn.Add(ctx, add())
			if tc.contains == "" {
				require.NoError(t, err, "the default limit allows one hop")
				return
			}
			var de *direrr.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, de.Code)
			require.Equal(t, tc.resultCode, de.LDAPResultCode)
			require.ErrorContains(t, err, tc.contains)
			require.ErrorContains(t, err, "add cn=dave,ou=remote,"+a.Suffix)

			res, err := conn.Search(ctx, search)
			if tc.cfg.Off {
				require.NoError(t, err, "with chasing off a search sees a's entries only")
				require.Equal(t, []string{"alice@a.test"}, mails(res.Entries))
				return
			}
			require.ErrorContains(t, err, "not an allowed referral host")
		})
	}

	t.Run("hop limit of one stops the loop at the second referral", func(t *testing.T) {
		f.addLoop(t)
		conn := f.conn(t, ldapx.ChaseConfig{AllowedHosts: []string{"127.0.0.1"}, MaxHops: 1})
		req := ldap.NewAddRequest("cn=x,ou=loop,"+a.Suffix, nil)
		req.Attribute("objectClass", []string{"organizationalRole"})
		err := conn.Add(ctx, req)
		var de *direrr.Error
		require.ErrorAs(t, err, &de)
		require.EqualValues(t, ldap.LDAPResultReferralLimitExceeded, de.LDAPResultCode)
	})
}

func TestSkipReference(t *testing.T) {
	tests := []struct {
		ref  string
		skip bool
	}{
		{"ldaps://hrsync.test/CN=Configuration,DC=hrsync,DC=test", true},
		{"ldap://corp.example.com/CN=Schema,CN=Configuration,DC=corp,DC=example,DC=com", false},
		{"ldap://DomainDnsZones.corp.example.com/DC=DomainDnsZones,DC=corp,DC=example,DC=com", true},
		{"ldap://ForestDnsZones.corp.example.com/DC=ForestDnsZones,DC=corp,DC=example,DC=com", true},
		{"ldap://child.corp.example.com/DC=child,DC=corp,DC=example,DC=com", false},
		{"ldaps://127.0.0.1:1636/ou=remote,dc=hrsync,dc=test??sub", false},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			require.Equal(t, tc.skip, ldapx.SkipReference(tc.ref))
		})
	}
}
