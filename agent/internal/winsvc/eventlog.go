package winsvc

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/hrsync/hrsync/shared/logging"
)

// EventSink receives event-log entries; kardianos/service's system logger
// (from Service.SystemLogger) is one, and under the Windows service it
// writes to the Application event log with the source hrsync-agent, which
// `hrsync-agent install` registers.
type EventSink interface {
	Warning(v ...any) error
	Error(v ...any) error
}

// NewEventLogHandler returns a slog handler that sends warnings and errors
// to sink as one line of key=value text each (the event log has its own
// time stamp), redacted like every other handler. Lower levels are left to
// the log files.
func NewEventLogHandler(sink EventSink) slog.Handler {
	h := &eventHandler{sink: sink, mu: &sync.Mutex{}, buf: &bytes.Buffer{}}
	h.text = slog.NewTextHandler(h.buf, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return logging.Redact(groups, a)
	}})
	return h
}

type eventHandler struct {
	sink EventSink
	mu   *sync.Mutex   // guards buf, shared by the handlers derived with With
	buf  *bytes.Buffer // text formats each record here
	text slog.Handler
}

func (h *eventHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *eventHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.text.Handle(ctx, r); err != nil {
		return err
	}
	line := strings.TrimSpace(h.buf.String())
	if r.Level >= slog.LevelError {
		return h.sink.Error(line)
	}
	return h.sink.Warning(line)
}

func (h *eventHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &eventHandler{sink: h.sink, mu: h.mu, buf: h.buf, text: h.text.WithAttrs(as)}
}

func (h *eventHandler) WithGroup(name string) slog.Handler {
	return &eventHandler{sink: h.sink, mu: h.mu, buf: h.buf, text: h.text.WithGroup(name)}
}
