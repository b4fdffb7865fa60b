package sqlite

import (
	"context"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Subscribe implements store.Events. Changes are published in process
// after they commit: one SQLite file serves one replica.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Event, error) {
	return s.events.Subscribe(ctx)
}
