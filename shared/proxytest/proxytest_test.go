package proxytest

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// connect sends one CONNECT through p and returns the status code.
func connect(t *testing.T, p *Proxy, target, auth string) int {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr)
	require.NoError(t, err)
	defer c.Close()
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", target, target)
	if auth != "" {
		fmt.Fprintf(c, "Proxy-Authorization: Basic %s\r\n", auth)
	}
	fmt.Fprint(c, "\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestProxyAuthenticatesAndLimitsPorts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	p := New(t, Options{User: "alice", Password: "s3cret", ConnectPorts: []int{port}})
	target := ln.Addr().String()
	good := "YWxpY2U6czNjcmV0" // alice:s3cret
	bad := "YWxpY2U6d3Jvbmc="  // alice:wrong

	tests := []struct {
		name   string
		target string
		auth   string
		want   int
	}{
		{"good credentials", target, good, http.StatusOK},
		{"no credentials", target, "", http.StatusProxyAuthRequired},
		// tinyproxy answers a wrong password with 401, not 407.
		{"wrong password", target, bad, http.StatusUnauthorized},
		{"port not allowed", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+1)), good, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, connect(t, p, tc.target, tc.auth))
		})
	}
	require.Contains(t, p.Connects(), target)
	require.Equal(t, 1, p.Established(), "only the authenticated CONNECT reached the target")
	require.Equal(t, "http://alice:s3cret@"+p.Addr, p.URL())
}
