package slapdtest_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/slapdtest"
)

// TestReferral starts two servers where a refers to b for ou=remote.
func TestReferral(t *testing.T) {
	const pw = "Same-Pw-1"
	a := slapdtest.New(t, slapdtest.Options{Password: pw})
	b := slapdtest.New(t, slapdtest.Options{Password: pw})
	ctx := t.Context()
	require.NoError(t, b.AddEntry(ctx, "ou=remote,"+b.Suffix, "organizationalUnit"))
	require.NoError(t, a.AddReferral(ctx, "ou=remote,"+a.Suffix, b.URL+"/ou=remote,"+b.Suffix))

	conn, err := a.Dial(ctx)
	require.NoError(t, err)
	defer conn.Close()
	req := ldap.NewAddRequest("cn=x,ou=remote,"+a.Suffix, nil)
	req.Attribute("objectClass", []string{"organizationalRole"})
	err = conn.Add(req)
	require.True(t, ldap.IsErrorWithCode(err, ldap.LDAPResultReferral), "%v", err)

	res, err := conn.Search(ldap.NewSearchRequest(a.Suffix, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", nil, nil))
	require.NoError(t, err)
	require.Equal(t, []string{b.URL + "/ou=remote," + b.Suffix + "??sub"}, res.Referrals)
}
