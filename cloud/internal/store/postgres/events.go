package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// eventChannel is the LISTEN/NOTIFY channel every replica listens on.
// Payloads are "p:<domain>" (store.EventOpPending), "d:<op id>"
// (store.EventOpDone) and "r:<agent id>" (store.EventAgentRevoked).
const eventChannel = "hrsync_events"

// Payload prefixes of the events.
const (
	pendingEvent = "p:"
	doneEvent    = "d:"
	revokedEvent = "r:"
)

// notifying runs a data-modifying statement that RETURNS one text column
// and, in the same statement (so in the same transaction), notifies
// prefix+lower(value) for every row it changed. Notifications go out when
// the change commits, never before. It returns how many rows changed.
func (s *Store) notifying(ctx context.Context, prefix, stmt string, args ...any) (int64, error) {
	key := "c.k"
	if prefix == pendingEvent {
		key = "lower(rtrim(c.k, '.'))"
	}
	q := `WITH c(k) AS (` + stmt + `) SELECT count(*) FROM (SELECT pg_notify('` + eventChannel + `', '` + prefix + `' || ` + key + `) FROM c) AS n`
	var n int64
	err := s.db.QueryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// listenWait bounds how long Subscribe waits for the first LISTEN.
const listenWait = 10 * time.Second

// Subscribe implements store.Events. The first subscriber starts the
// store's listener: one dedicated connection that LISTENs and publishes
// what it hears to every subscriber of this process. Subscribe returns once
// the listener listens (or after listenWait: delivery is best effort), so
// a change made after it returns is heard. A lost connection is dialled
// again; subscribers then get store.EventResync.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Event, error) {
	s.listenOnce.Do(func() {
		s.listenWG.Add(1)
		go func() {
			defer s.listenWG.Done()
			s.listen(s.listenCtx)
		}()
	})
	ch, err := s.events.Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	select {
	case <-s.listening:
	case <-ctx.Done():
	case <-time.After(listenWait):
	}
	return ch, nil
}

// listen holds the LISTEN connection until ctx ends.
func (s *Store) listen(ctx context.Context) {
	delay := 100 * time.Millisecond
	for first := true; ctx.Err() == nil; first = false {
		conn, err := pgx.ConnectConfig(ctx, s.db.Config().ConnConfig.Copy())
		if err == nil {
			_, err = conn.Exec(ctx, `LISTEN `+eventChannel)
		}
		if err == nil {
			delay = 100 * time.Millisecond
			s.listeningOnce.Do(func() { close(s.listening) })
			if !first {
				// Whatever was notified while we were away is lost.
				s.events.Publish(store.Event{Kind: store.EventResync})
			}
			err = s.receive(ctx, conn)
		}
		if conn != nil {
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			_ = conn.Close(closeCtx)
			cancel()
		}
		if ctx.Err() != nil {
			return
		}
		s.listenErr.Store(fmt.Errorf("listen for %s: %w", eventChannel, err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

func (s *Store) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(n.Payload, pendingEvent):
			s.events.Publish(store.Event{Kind: store.EventOpPending, Key: strings.TrimPrefix(n.Payload, pendingEvent)})
		case strings.HasPrefix(n.Payload, doneEvent):
			s.events.Publish(store.Event{Kind: store.EventOpDone, Key: strings.TrimPrefix(n.Payload, doneEvent)})
		case strings.HasPrefix(n.Payload, revokedEvent):
			s.events.Publish(store.Event{Kind: store.EventAgentRevoked, Key: strings.TrimPrefix(n.Payload, revokedEvent)})
		}
	}
}

// ListenError returns the last error of the listening connection, nil
// when it never failed.
func (s *Store) ListenError() error {
	if err, ok := s.listenErr.Load().(error); ok {
		return err
	}
	return nil
}
