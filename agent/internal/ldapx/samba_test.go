package ldapx_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
	"github.com/hrsync/hrsync/shared/sambatest"
)

// TestSamba runs Conn against a real Samba AD DC.
func TestSamba(t *testing.T) {
	dc := sambatest.New(t)
	cfg := ldapx.Config{URLs: []string{dc.URL}, BindDN: dc.BindDN, Password: dc.Password, CAPEM: dc.CAPEM}

	t.Run("bind with wrong password", func(t *testing.T) {
		bad := cfg
		bad.Password = "Wrong-Pa55word!"
		_, err := ldapx.Dial(t.Context(), bad)
		var de *direrr.Error
		require.ErrorAs(t, err, &de)
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS, de.Code)
		require.EqualValues(t, ldap.LDAPResultInvalidCredentials, de.LDAPResultCode)
		require.NotContains(t, err.Error(), bad.Password)
	})

	t.Run("bind with UPN", func(t *testing.T) {
		upn := cfg
		upn.BindDN = dc.BindUPN
		conn, err := ldapx.Dial(t.Context(), upn)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	})

	conn, err := ldapx.Dial(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })

	ou, err := dc.CreateOU(t.Context(), "ldapx")
	require.NoError(t, err)
	for i := range 5 {
		req := ldap.NewAddRequest(fmt.Sprintf("OU=child%d,%s", i, ou), nil)
		req.Attribute("objectClass", []string{"organizationalUnit"})
		require.NoError(t, conn.Add(t.Context(), req))
	}

	t.Run("add existing", func(t *testing.T) {
		req := ldap.NewAddRequest("OU=child0,"+ou, nil)
		req.Attribute("objectClass", []string{"organizationalUnit"})
		err := conn.Add(t.Context(), req)
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, direrr.CodeOf(err))
		require.ErrorContains(t, err, "add OU=child0,"+ou)
	})

	t.Run("modify missing", func(t *testing.T) {
		req := ldap.NewModifyRequest("OU=missing,"+ou, nil)
		req.Replace("description", []string{"x"})
		err := conn.Modify(t.Context(), req)
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT, direrr.CodeOf(err))
	})

	search := func() *ldap.SearchRequest {
		return ldap.NewSearchRequest(ou, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
			"(objectClass=organizationalUnit)", []string{"ou"}, nil)
	}

	t.Run("paged search", func(t *testing.T) {
		var sizes []int
		var mores []bool
		err := conn.SearchPages(t.Context(), search(), 2, func(entries []*ldap.Entry, more bool) error {
			sizes = append(sizes, len(entries))
			mores = append(mores, more)
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, []int{2, 2, 1}, sizes)
		require.Equal(t, []bool{true, true, false}, mores)
	})

	t.Run("paged search stopped early", func(t *testing.T) {
		stop := errors.New("stop")
		pages := 0
		err := conn.SearchPages(t.Context(), search(), 2, func([]*ldap.Entry, bool) error {
			pages++
			return stop
		})
		require.ErrorIs(t, err, stop)
		require.Equal(t, 1, pages)
		// The connection is still usable.
		res, err := conn.Search(t.Context(), search())
		require.NoError(t, err)
		require.Len(t, res.Entries, 5)
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := conn.Search(ctx, search())
		require.Equal(t, agentv1.ErrorCode_ERROR_CODE_CANCELLED, direrr.CodeOf(err))
	})
}
