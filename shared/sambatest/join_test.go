package sambatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/sambatest"
)

// TestJoin adds a second DC to a domain and checks that an OU created on
// either reaches the other by replication.
func TestJoin(t *testing.T) {
	dc1 := sambatest.NewWith(t, sambatest.Options{Joinable: true})
	dc2 := sambatest.NewJoined(t, dc1)
	require.NotEqual(t, dc1.Addr, dc2.Addr)

	has := func(dc *sambatest.DC, dn string) bool {
		conn, err := dc.Dial(t.Context())
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil))
		return err == nil
	}
	for _, c := range []struct {
		from, to *sambatest.DC
		name     string
	}{{dc1, dc2, "FromFirst"}, {dc2, dc1, "FromSecond"}} {
		ou, err := c.from.CreateOU(t.Context(), c.name)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		require.NoError(t, c.to.Replicate(ctx, c.from))
		cancel()
		require.True(t, has(c.to, ou), "%s replicated from %s to %s", ou, c.from.Addr, c.to.Addr)
	}

	// The second DC creates security principals on its own: it has a RID
	// pool while the first is down, and the first comes back.
	require.NoError(t, dc1.Kill())
	conn, err := dc2.Dial(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	add := ldap.NewAddRequest("CN=joined-user,CN=Users,"+dc2.BaseDN, nil)
	add.Attribute("objectClass", []string{"user"})
	add.Attribute("sAMAccountName", []string{"joined-user"})
	require.NoError(t, conn.Add(add))
	require.NoError(t, dc1.Restart(t.Context()))
	require.NoError(t, dc1.Replicate(t.Context(), dc2))
	require.True(t, has(dc1, "CN=joined-user,CN=Users,"+dc1.BaseDN))
}
