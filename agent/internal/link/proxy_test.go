package link

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/agent/internal/proxy"
	"github.com/hrsync/hrsync/shared/proxytest"
)

func TestStreamThroughProxy(t *testing.T) {
	var p *proxytest.Proxy
	h := start(t, func(c *Config) {
		// The proxy lets CONNECT reach the fake cloud's port only.
		_, port, _ := net.SplitHostPort(c.Addr)
		n, _ := strconv.Atoi(port)
		p = proxytest.New(t, proxytest.Options{User: "hrsync", Password: "pr0xy-s3cret", ConnectPorts: []int{n}})
		u, err := proxy.ParseURL(p.URL())
		require.NoError(t, err)
		c.Dialer = (&proxy.Dialer{Proxy: u}).DialContext
	})
	require.Eventually(t, func() bool { st, _ := h.sup.State(); return st == StateConnected }, 10*time.Second, 10*time.Millisecond)
	h.fc.Send(op("op-proxied", 1, 1))
	require.Eventually(t, func() bool { return len(h.fc.Results()) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{h.fc.Addr}, p.Connects(), "the stream's one connection went through the proxy")
	require.Equal(t, 1, p.Established())
}

func TestProxyFailuresAreClear(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     string
	}{
		{"wrong password", "wrong-pw", `proxy authentication failed: `},
		{"no password", "", `no credentials are configured`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p *proxytest.Proxy
			h := start(t, func(c *Config) {
				_, port, _ := net.SplitHostPort(c.Addr)
				n, _ := strconv.Atoi(port)
				p = proxytest.New(t, proxytest.Options{User: "hrsync", Password: "pr0xy-s3cret", ConnectPorts: []int{n}})
				raw := "http://" + p.Addr
				if tc.password != "" {
					raw = "http://hrsync:" + tc.password + "@" + p.Addr
				}
				u, err := proxy.ParseURL(raw)
				require.NoError(t, err)
				c.Dialer = (&proxy.Dialer{Proxy: u}).DialContext
			})
			var last error
			require.Eventually(t, func() bool { _, last = h.sup.State(); return last != nil }, 10*time.Second, 10*time.Millisecond)
			t.Log(last)
			require.ErrorContains(t, last, tc.want)
			require.NotContains(t, last.Error(), "wrong-pw")
			require.NotContains(t, last.Error(), "pr0xy-s3cret")
			require.Empty(t, h.fc.Hellos(), "nothing reached the cloud")
			require.NotEmpty(t, p.Connects())
			require.Zero(t, p.Established())
		})
	}
}
