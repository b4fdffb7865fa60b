package notify

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// smtpSink is a minimal SMTP server that records what it receives.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func startSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(l string) { c.Write([]byte(l + "\r\n")) }
	say("220 sink ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[8:]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 no")
		}
	}
}

func TestSend(t *testing.T) {
	sink := startSink(t)
	m := Mailer{Addr: sink.ln.Addr().String(), From: "hrsync@acme.example", Timeout: 5 * time.Second}
	require.NoError(t, m.Validate())
	require.NoError(t, m.Send(context.Background(), "it-ops@acme.example", "hrsync: job quarantined", "Job wd is quarantined.\nReason: TooManyDeletes"))
	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.Len(t, sink.msgs, 1)
	require.Contains(t, sink.msgs[0], "Subject: hrsync: job quarantined\r\n")
	require.Contains(t, sink.msgs[0], "Reason: TooManyDeletes\r\n")
	require.Contains(t, sink.rcpt[0], "it-ops@acme.example")

	require.ErrorContains(t, m.Send(context.Background(), "not an address", "s", "b"), "not an e-mail address")
	require.ErrorContains(t, m.Send(context.Background(), "a@b.example", "two\r\nlines", "b"), "line break")
	require.ErrorContains(t, Mailer{Addr: "nohost", From: "x"}.Validate(), "smtp.addr")
	require.ErrorContains(t, Mailer{Addr: "h:25", From: "x"}.Validate(), "smtp.from")
	dead := Mailer{Addr: "127.0.0.1:1", From: "a@b.example", Timeout: time.Second}
	require.Error(t, dead.Send(context.Background(), "c@d.example", "s", "b"))
}
