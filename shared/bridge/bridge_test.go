package bridge

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func echo(t *testing.T) string {
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
	return ln.Addr().String()
}

func roundTrip(c net.Conn, msg string, within time.Duration) (string, error) {
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	return read(c, len(msg), within)
}

func read(c net.Conn, n int, within time.Duration) (string, error) {
	_ = c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, n)
	_, err := io.ReadFull(c, buf)
	return string(buf), err
}

func TestForwardBlackholeRestore(t *testing.T) {
	b := Start(t, echo(t))
	old, err := net.Dial("tcp", b.Addr)
	require.NoError(t, err)
	defer old.Close()
	got, err := roundTrip(old, "hello", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "hello", got)

	b.Blackhole()
	_, err = roundTrip(old, "lost?", 300*time.Millisecond)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "nothing comes back through a blackhole")
	fresh, err := net.Dial("tcp", b.Addr)
	require.NoError(t, err, "new connections are accepted")
	defer fresh.Close()
	_, err = roundTrip(fresh, "new", 300*time.Millisecond)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "but not connected upstream")
	require.Equal(t, 2, b.Accepted())

	b.Restore()
	got, err = read(old, len("lost?"), 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "lost?", got, "held data is delivered after the partition")
	got, err = read(fresh, len("new"), 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "new", got)
}

func TestResetClosesConnections(t *testing.T) {
	tests := []struct {
		name      string
		blackhole bool
	}{
		{"flowing", false},
		{"while blackholed", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Start(t, echo(t))
			c, err := net.Dial("tcp", b.Addr)
			require.NoError(t, err)
			defer c.Close()
			_, err = roundTrip(c, "x", 5*time.Second)
			require.NoError(t, err)
			if tc.blackhole {
				b.Blackhole()
			}
			b.Reset()
			_, err = read(c, 1, 5*time.Second)
			require.Error(t, err)
			require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "reset is noticed at once: %v", err)
			require.Eventually(t, func() bool { return b.Open() == 0 }, 5*time.Second, 10*time.Millisecond)

			b.Restore()
			again, err := net.Dial("tcp", b.Addr)
			require.NoError(t, err)
			defer again.Close()
			got, err := roundTrip(again, "y", 5*time.Second)
			require.NoError(t, err)
			require.Equal(t, "y", got, "new connections work after a reset")
		})
	}
}

func TestCloseWhileBlackholed(t *testing.T) {
	b, err := New("127.0.0.1:0", echo(t))
	require.NoError(t, err)
	c, err := net.Dial("tcp", b.Addr)
	require.NoError(t, err)
	defer c.Close()
	b.Blackhole()
	_, _ = c.Write([]byte("held"))
	done := make(chan struct{})
	go func() { b.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on held connections")
	}
	_, err = net.Dial("tcp", b.Addr)
	require.Error(t, err)
}
