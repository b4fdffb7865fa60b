// Package slapdtest runs throwaway OpenLDAP slapd servers on 127.0.0.1,
// for tests that need generic LDAP directories, such as two directories
// where one refers to the other.
//
// Every server serves the suffix dc=hrsync,dc=test (configurable) from an
// mdb database in a temporary directory, over LDAPS only, with a freshly
// generated CA and a certificate for 127.0.0.1. It is bound to as the
// suffix's root DN cn=admin,<suffix>; servers started with the same
// Password accept the same credentials, like the domains of a forest.
// Besides the core, cosine and inetOrgPerson schemas, the auxiliary class
// ADAccount allows the AD attributes the agent reads (objectGUID,
// sAMAccountName, userPrincipalName, employeeID, userAccountControl) on
// any entry.
//
// slapd comes from the Debian package slapd: run scripts/install-deps.sh
// (or make deps). New fails the test, never skips it, when slapd is
// missing.
//
//	a := slapdtest.New(t, slapdtest.Options{Password: pw})
//	b := slapdtest.New(t, slapdtest.Options{Password: pw})
//	require.NoError(t, b.AddEntry(ctx, "ou=remote,"+b.Suffix, "organizationalUnit"))
//	require.NoError(t, a.AddReferral(ctx, "ou=remote,"+a.Suffix, b.URL+"/ou=remote,"+b.Suffix))
//	// A write under ou=remote on a now answers with a referral to b.
package slapdtest
