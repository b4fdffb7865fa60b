package store

import (
	"context"
	"sync"
)

// subscriberBuffer is how many events a slow subscriber may fall behind
// before events are dropped (and an EventResync tells it so).
const subscriberBuffer = 1024

// Hub fans events out to in-process subscribers. Implementations use it:
// SQLite publishes after each change commits, PostgreSQL publishes what its
// LISTEN connection hears. Its zero value is ready to use.
type Hub struct {
	mu   sync.Mutex // guards subs and sends on their channels
	subs map[*subscriber]struct{}
}

type subscriber struct {
	ch chan Event
	// lost: an event was dropped; a resync is owed.
	lost bool
}

// Subscribe implements Events.
func (h *Hub) Subscribe(ctx context.Context) (<-chan Event, error) {
	sub := &subscriber{ch: make(chan Event, subscriberBuffer)}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*subscriber]struct{}{}
	}
	h.subs[sub] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, sub)
		close(sub.ch)
		h.mu.Unlock()
	}()
	return sub.ch, nil
}

// Publish delivers ev to every subscriber without blocking. A subscriber
// whose buffer is full misses it and gets EventResync as soon as it has
// room again.
func (h *Hub) Publish(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		if sub.lost {
			select {
			case sub.ch <- Event{Kind: EventResync}:
				sub.lost = false
			default:
				continue
			}
		}
		select {
		case sub.ch <- ev:
		default:
			sub.lost = true
		}
	}
}
