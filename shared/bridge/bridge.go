// Package bridge is a fault-injecting TCP forwarder for tests: it listens
// on 127.0.0.1 and forwards every connection to one upstream address, and a
// test can cut the path without the endpoints noticing at once.
//
//   - Blackhole makes the bridge forward nothing: open connections stay
//     open and what either side sends waits in the bridge (and then in the
//     kernel's buffers), new connections are accepted but not connected
//     upstream. It is a network partition as TCP sees one: no FIN, no RST,
//     just silence. Restore lets the held data through, as a healed
//     partition would to connections that survived it.
//
//   - Reset closes every open connection with an RST on both sides.
//
//     b := bridge.Start(t, cloud.GRPCAddr())
//     agentOpts.CloudAddr = b.Addr
//     b.Blackhole()
//     ...
//     b.Restore()
package bridge

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// Bridge forwards connections from Addr to an upstream address.
type Bridge struct {
	// Addr is the listening address, 127.0.0.1:port.
	Addr     string
	upstream string
	ln       net.Listener
	wg       sync.WaitGroup

	mu sync.Mutex // guards the fields below
	// open is closed while traffic flows and replaced by a fresh channel
	// when a blackhole starts.
	open  chan struct{}
	holed bool
	// wake is closed and replaced by Reset and Close, to wake waiters.
	wake     chan struct{}
	conns    map[net.Conn]struct{}
	accepted int
	closed   bool
}

// Start listens on a free loopback port and closes the bridge when the
// test ends.
func Start(t testing.TB, upstream string) *Bridge {
	t.Helper()
	b, err := New("127.0.0.1:0", upstream)
	if err != nil {
		t.Fatalf("bridge: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// New listens on listen and forwards to upstream until Close.
func New(listen, upstream string) (*Bridge, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	open := make(chan struct{})
	close(open)
	b := &Bridge{Addr: ln.Addr().String(), upstream: upstream, ln: ln, open: open, wake: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	b.wg.Add(1)
	go b.accept()
	return b, nil
}

func (b *Bridge) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		if !b.track(c) {
			c.Close()
			return
		}
		b.mu.Lock()
		b.accepted++
		b.mu.Unlock()
		b.wg.Add(1)
		go b.serve(c)
	}
}

// track remembers c for Reset and Close; false once the bridge is closed.
func (b *Bridge) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.conns[c] = struct{}{}
	return true
}

func (b *Bridge) forget(c net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.conns, c)
}

// serve connects c upstream, once traffic flows, and pipes both ways.
func (b *Bridge) serve(down net.Conn) {
	defer b.wg.Done()
	defer b.forget(down)
	defer down.Close()
	if !b.wait(down) {
		return
	}
	up, err := net.Dial("tcp", b.upstream)
	if err != nil {
		return
	}
	if !b.track(up) {
		up.Close()
		return
	}
	defer b.forget(up)
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { b.pipe(up, down); done <- struct{}{} }()
	go func() { b.pipe(down, up); done <- struct{}{} }()
	<-done
	// One direction ended: end the other, as a TCP proxy would.
	down.Close()
	up.Close()
	<-done
}

// pipe copies src to dst, holding data while the bridge is blackholed.
func (b *Bridge) pipe(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		if !b.wait(src) {
			return
		}
		n, err := src.Read(buf)
		if n > 0 {
			// Data read just before a blackhole started waits for Restore.
			if !b.wait(src) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
			}
			return
		}
	}
}

// wait blocks while the bridge is blackholed; false when c was reset or
// the bridge closed meanwhile.
func (b *Bridge) wait(c net.Conn) bool {
	for {
		b.mu.Lock()
		open, wake, closed := b.open, b.wake, b.closed
		_, live := b.conns[c]
		b.mu.Unlock()
		if closed || !live {
			return false
		}
		select {
		case <-open:
			return true
		case <-wake: // Reset or Close: check again
		}
	}
}

// rewake wakes every waiter. Callers hold mu.
func (b *Bridge) rewake() {
	close(b.wake)
	b.wake = make(chan struct{})
}

// Blackhole stops forwarding until Restore. Calling it twice is harmless.
func (b *Bridge) Blackhole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.holed {
		b.holed = true
		b.open = make(chan struct{})
	}
}

// Restore forwards again, held data first.
func (b *Bridge) Restore() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holed {
		b.holed = false
		close(b.open)
	}
}

// Reset closes every open connection with an RST on both sides. New
// connections are served as before (or held, while blackholed).
func (b *Bridge) Reset() {
	b.mu.Lock()
	conns := make([]net.Conn, 0, len(b.conns))
	for c := range b.conns {
		conns = append(conns, c)
		delete(b.conns, c)
	}
	b.rewake()
	b.mu.Unlock()
	for _, c := range conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}
}

// Accepted counts the connections the bridge has accepted.
func (b *Bridge) Accepted() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accepted
}

// Open counts the connections the bridge holds now, both sides counted.
func (b *Bridge) Open() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

// Close stops listening, closes every connection and waits for the
// bridge's goroutines.
func (b *Bridge) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.rewake()
	b.mu.Unlock()
	b.ln.Close()
	b.Reset()
	b.wg.Wait()
}
