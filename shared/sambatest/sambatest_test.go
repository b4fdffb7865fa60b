package sambatest_test

import (
	"crypto/tls"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/sambatest"
)

// TestTwoDCs starts two DCs at once and checks each serves its own domain
// copy on its own address, verified against its own CA.
func TestTwoDCs(t *testing.T) {
	var (
		wg  sync.WaitGroup
		dcs [2]*sambatest.DC
	)
	for i := range dcs {
		wg.Go(func() { dcs[i] = sambatest.New(t) })
	}
	wg.Wait()
	require.NotEqual(t, dcs[0].Addr, dcs[1].Addr)

	for i, dc := range dcs {
		require.Equal(t, "ldaps://"+dc.Addr+":636", dc.URL)
		require.Equal(t, "DC=hrsync,DC=test", dc.BaseDN)
		require.Equal(t, "hrsync.test", dc.Domain)

		ou, err := dc.CreateOU(t.Context(), "TwoDCs")
		require.NoError(t, err, "DC %d", i)
		require.Equal(t, "OU=TwoDCs,DC=hrsync,DC=test", ou)

		odd, err := dc.CreateOU(t.Context(), "#Odd=Name, Inc.")
		require.NoError(t, err, "DC %d", i)
		parsed, err := ldap.ParseDN(odd)
		require.NoError(t, err)
		require.Equal(t, "#Odd=Name, Inc.", parsed.RDNs[0].Attributes[0].Value)

		conn, err := dc.Dial(t.Context())
		require.NoError(t, err)
		res, err := conn.Search(ldap.NewSearchRequest(ou, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
			0, 0, false, "(objectClass=organizationalUnit)", []string{"objectGUID"}, nil))
		require.NoError(t, err)
		require.Len(t, res.Entries, 1)
		conn.Close()
	}

	// Each DC's certificate is signed by its own CA only.
	other := dcs[1].TLSConfig()
	other.ServerName = dcs[0].Addr
	_, err := tls.Dial("tcp", net.JoinHostPort(dcs[0].Addr, "636"), other)
	require.Error(t, err)
}

// TestDCOutlivesRetiredThreads: samba dies with the thread that started it
// (its parent-death signal), and other harnesses retire OS threads (a
// goroutine that returns while locked to its thread ends that thread, as
// pgtest does after initdb). A DC must survive that.
func TestDCOutlivesRetiredThreads(t *testing.T) {
	dc := sambatest.New(t)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			runtime.LockOSThread()
			time.Sleep(time.Millisecond) // spread over many threads
		})
	}
	wg.Wait()
	time.Sleep(200 * time.Millisecond) // a killed samba needs a moment to go
	conn, err := dc.Dial(t.Context())
	require.NoError(t, err, "the DC died with a retired thread")
	conn.Close()
}
