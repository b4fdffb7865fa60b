package proxy

import (
	"context"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/proxytest"
)

func TestSelect(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name       string
		configured string
		password   string
		getenv     func(string) string
		target     string
		want       string // redacted URL, "" for direct
		src        Source
		err        string
	}{
		{"nothing anywhere is direct", "", "", env(), "cloud.example.com:443", "", SourceNone, ""},
		{"configured", "http://proxy.corp:3128", "", env(), "cloud.example.com:443", "http://proxy.corp:3128", SourceConfig, ""},
		{"configured wins over the environment", "http://proxy.corp:3128", "", env("HTTPS_PROXY", "http://other:8080"), "cloud.example.com:443", "http://proxy.corp:3128", SourceConfig, ""},
		{"direct turns the environment off", Direct, "", env("HTTPS_PROXY", "http://other:8080"), "cloud.example.com:443", "", SourceNone, ""},
		{"HTTPS_PROXY", "", "", env("HTTPS_PROXY", "http://other:8080"), "cloud.example.com:443", "http://other:8080", SourceEnvironment, ""},
		{"https_proxy lower case", "", "", env("https_proxy", "other:8080"), "cloud.example.com:443", "http://other:8080", SourceEnvironment, ""},
		{"HTTP_PROXY does not apply to the TLS stream", "", "", env("HTTP_PROXY", "http://other:8080"), "cloud.example.com:443", "", SourceNone, ""},
		{"NO_PROXY matches", "", "", env("HTTPS_PROXY", "http://other:8080", "NO_PROXY", ".example.com"), "cloud.example.com:443", "", SourceNone, ""},
		{"NO_PROXY does not match", "", "", env("HTTPS_PROXY", "http://other:8080", "NO_PROXY", ".corp"), "cloud.example.com:443", "http://other:8080", SourceEnvironment, ""},
		{"NO_PROXY does not apply to a configured proxy", "http://proxy.corp:3128", "", env("NO_PROXY", "*"), "cloud.example.com:443", "http://proxy.corp:3128", SourceConfig, ""},
		{"password file replaces the URL's", "http://svc:old@proxy.corp:3128", "new", env(), "cloud.example.com:443", "http://svc:xxxxx@proxy.corp:3128", SourceConfig, ""},
		{"password for an environment proxy", "", "pw", env("HTTPS_PROXY", "http://svc@other:8080"), "cloud.example.com:443", "http://svc:xxxxx@other:8080", SourceEnvironment, ""},
		{"password without a user", "http://proxy.corp:3128", "pw", env(), "cloud.example.com:443", "", SourceConfig, "names no user"},
		{"https proxy unsupported", "https://proxy.corp:3128", "", env(), "cloud.example.com:443", "", SourceConfig, `scheme "https"`},
		{"socks unsupported from the environment", "", "", env("HTTPS_PROXY", "socks5://other:1080"), "cloud.example.com:443", "", SourceEnvironment, "HTTPS_PROXY: scheme"},
		{"port required", "http://proxy.corp", "", env(), "cloud.example.com:443", "", SourceConfig, "needs a host and a port"},
		{"bad URL hides the password", "http://u:sec%zzret@proxy:1", "", env(), "cloud.example.com:443", "", SourceConfig, "not a URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, src, err := Select(tc.configured, tc.password, tc.getenv, tc.target)
			require.Equal(t, tc.src, src)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.NotContains(t, err.Error(), "sec")
				require.NotContains(t, err.Error(), "pw")
				return
			}
			require.NoError(t, err)
			if tc.want == "" {
				require.Nil(t, u)
				return
			}
			require.Equal(t, tc.want, u.Redacted())
			if tc.password != "" {
				p, _ := u.User.Password()
				require.Equal(t, tc.password, p)
			}
		})
	}
}

// echoServer answers every connection by echoing it.
func echoServer(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln
}

func TestDialerThroughTinyproxy(t *testing.T) {
	echo := echoServer(t)
	port := echo.Addr().(*net.TCPAddr).Port
	p := proxytest.New(t, proxytest.Options{User: "hrsync", Password: "pr0xy-s3cret", ConnectPorts: []int{port}})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name    string
		proxy   string
		target  string
		wantErr error
		msg     string
	}{
		{"tunnel", p.URL(), echo.Addr().String(), nil, ""},
		{"no credentials", "http://" + p.Addr, echo.Addr().String(), ErrAuth, "no credentials are configured"},
		{"wrong password", "http://hrsync:wrong-pw@" + p.Addr, echo.Addr().String(), ErrAuth, `rejected user "hrsync"`},
		{"port not allowed", p.URL(), net.JoinHostPort("127.0.0.1", strconv.Itoa(port+1)), ErrRefused, "403"},
		{"proxy down", "http://hrsync:pr0xy-s3cret@" + closedAddr, echo.Addr().String(), ErrUnreachable, closedAddr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseURL(tc.proxy)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, err := (&Dialer{Proxy: u}).DialContext(ctx, tc.target)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.ErrorContains(t, err, tc.msg)
				require.NotContains(t, err.Error(), "pr0xy-s3cret")
				require.NotContains(t, err.Error(), "wrong-pw")
				return
			}
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.Write([]byte("ping"))
			require.NoError(t, err)
			buf := make([]byte, 4)
			_, err = io.ReadFull(conn, buf)
			require.NoError(t, err)
			require.Equal(t, "ping", string(buf))
		})
	}
	require.Contains(t, p.Connects(), echo.Addr().String())
}

func TestDialerGivesUpOnASilentProxy(t *testing.T) {
	// A proxy that accepts and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	u, err := ParseURL("http://" + ln.Addr().String())
	require.NoError(t, err)
	start := time.Now()
	_, err = (&Dialer{Proxy: u, Timeout: 200 * time.Millisecond}).DialContext(context.Background(), "cloud.example.com:443")
	require.ErrorIs(t, err, ErrUnreachable)
	require.ErrorContains(t, err, "no answer to CONNECT")
	require.Less(t, time.Since(start), 3*time.Second)
}
