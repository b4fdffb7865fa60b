// Package state is the agent's local journal. Before an operation that
// writes to the directory reports its result, the result is stored here by
// op_id, so an operation the cloud dispatches again (a new attempt after a
// lost result or a reconnect) returns the stored result instead of writing
// twice. The journal is a bbolt file in the agent's state directory; entries
// older than the retention are pruned.
package state

import (
	"encoding/binary"

	"fmt"
	"time"

	"github.com/jonboulle/clockwork"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

var (
	bucketResults = []byte("results")
	bucketMeta    = []byte("meta")
	keyLastSeq    = []byte("last_acked_seq")
)

// Journal stores write results by op_id.
type Journal struct {
	db        *bolt.DB
	clock     clockwork.Clock
	retention time.Duration
}

// Open opens (or creates) the journal file.
func Open(path string, clock clockwork.Clock, retention time.Duration) (*Journal, error) {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	if retention <= 0 {
		retention = 7 * 24 * time.Hour
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketResults, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init journal: %w", err)
	}
	return &Journal{db: db, clock: clock, retention: retention}, nil
}

// Close closes the file.
func (j *Journal) Close() error { return j.db.Close() }

// Get returns the stored result of opID, if any.
func (j *Journal) Get(opID string) (*agentv1.Result, bool, error) {
	var res *agentv1.Result
	err := j.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketResults).Get([]byte(opID))
		if len(v) < 8 {
			return nil
		}
		res = &agentv1.Result{}
		return proto.Unmarshal(v[8:], res)
	})
	if err != nil {
		return nil, false, fmt.Errorf("journal get %s: %w", opID, err)
	}
	return res, res != nil, nil
}

// Put stores the final result of opID.
func (j *Journal) Put(opID string, res *agentv1.Result) error {
	b, err := proto.Marshal(res)
	if err != nil {
		return fmt.Errorf("journal encode: %w", err)
	}
	v := make([]byte, 8, 8+len(b))
	binary.BigEndian.PutUint64(v, uint64(j.clock.Now().UnixNano()))
	v = append(v, b...)
	err = j.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketResults).Put([]byte(opID), v)
	})
	if err != nil {
		return fmt.Errorf("journal put %s: %w", opID, err)
	}
	return nil
}

// SetLastAckedSeq records the highest delivered sequence if it grew.
func (j *Journal) SetLastAckedSeq(seq uint64) error {
	return j.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if cur := b.Get(keyLastSeq); len(cur) == 8 && binary.BigEndian.Uint64(cur) >= seq {
			return nil
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, seq)
		return b.Put(keyLastSeq, v)
	})
}

// LastAckedSeq returns the highest delivered sequence.
func (j *Journal) LastAckedSeq() uint64 {
	var seq uint64
	_ = j.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyLastSeq); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq
}

// Prune removes results older than the retention and returns how many.
func (j *Journal) Prune() (int, error) {
	cutoff := uint64(j.clock.Now().Add(-j.retention).UnixNano())
	n := 0
	err := j.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketResults).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) < 8 || binary.BigEndian.Uint64(v) < cutoff {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("journal prune: %w", err)
	}
	return n, nil
}
