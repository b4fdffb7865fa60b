// Package sambatest runs a real Samba Active Directory domain controller on
// a loopback address, for integration tests, cross-module end-to-end tests
// and demos.
//
// The first start on a machine provisions the domain hrsync.test once into
// a template directory under os.TempDir() (about 5 s, guarded by a file
// lock so concurrent test processes share it). Every DC is then a copy of
// that template with its own smb.conf, listening only on its own address
// 127.0.0.N (2..250, allocated across processes with per-address lock
// files), with a freshly generated CA and server certificate, so clients
// verify LDAPS properly. A copied DC answers in about a second.
//
// Samba needs root and the Debian packages samba, samba-ad-dc,
// samba-ad-provision (and iproute2 for the ip command).
//
// In tests, New fails the test when a prerequisite is missing and stops the
// DC when the test ends:
//
//	func TestSomething(t *testing.T) {
//		dc := sambatest.New(t)
//		ou, err := dc.CreateOU(t.Context(), "TestSomething")
//		require.NoError(t, err)
//		conn, err := dc.Dial(t.Context()) // bound as Administrator
//		...
//	}
//
// A second DC of the same domain joins a first started with
// Options.Joinable (samba-tool domain join, DNS backend NONE, on its own
// address). The DCs replicate by DRS; having no DNS to find each other by
// name, tests force a pull with Replicate. Kill and Restart stop a DC and
// bring it back, as an outage:
//
//	dc1 := sambatest.NewWith(t, sambatest.Options{Joinable: true})
//	dc2 := sambatest.NewJoined(t, dc1)
//	require.NoError(t, dc1.Kill())
//	... // work against dc2
//	require.NoError(t, dc1.Restart(ctx))
//	require.NoError(t, dc1.Replicate(ctx, dc2))
//
// Long-running programs use Start and Stop:
//
//	dc, err := sambatest.Start(ctx, sambatest.Options{})
//	if err != nil {
//		return err
//	}
//	defer dc.Stop()
//	fmt.Println(dc.URL, dc.BindDN, dc.CAFile)
package sambatest
