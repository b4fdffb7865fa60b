// Package logfile keeps the agent's log as JSON lines in a directory, one
// file per hour (hrsync-agent-2006-01-02T15-04Z.jsonl, UTC), and deletes
// files as they reach the retention age, 48 hours by default: the agent's
// log is for troubleshooting, not an archive, and it is kept no longer than
// needed.
//
// A File is an io.Writer for a slog handler; Run prunes once a minute until
// its context ends:
//
//	f, err := logfile.Open(logfile.Config{Dir: dir, Retention: 48 * time.Hour})
//	go f.Run(ctx)
//	defer f.Close()
//	log := slog.New(slog.NewJSONHandler(f, nil))
package logfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Config configures a File.
type Config struct {
	// Dir holds the files; it is created 0700 (logs may name accounts).
	Dir string
	// Prefix starts every file name. Default "hrsync-agent".
	Prefix string
	// Retention is the age at which a file is deleted, counted from the
	// start of its period, so no entry is kept longer than Retention (plus
	// up to a minute). Default 48h.
	Retention time.Duration
	// Period is how long one file is written. Default 1h.
	Period time.Duration
	Clock  clockwork.Clock
}

// CheckAndSetDefaults validates the config and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Dir == "" {
		return errors.New("logfile: Dir is required")
	}
	if c.Prefix == "" {
		c.Prefix = "hrsync-agent"
	}
	if c.Retention <= 0 {
		c.Retention = 48 * time.Hour
	}
	if c.Period <= 0 {
		c.Period = time.Hour
	}
	if c.Retention < c.Period {
		return fmt.Errorf("logfile: retention %s is shorter than the rotation period %s", c.Retention, c.Period)
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	return nil
}

// layout names a period in a file name; no colons, for Windows.
const layout = "2006-01-02T15-04Z"

const ext = ".jsonl"

// File is the rotating, pruned log.
type File struct {
	cfg Config

	mu sync.Mutex // guards the fields below
	// f is the open file of period start, nil after Close.
	f      *os.File
	start  time.Time
	closed bool
}

// Open creates the directory, prunes old files and opens the current one.
func Open(cfg Config) (*File, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	l := &File{cfg: cfg}
	if _, err := l.Prune(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.rotate(cfg.Clock.Now()); err != nil {
		return nil, err
	}
	return l, nil
}

// Write appends p (one log record) to the current period's file, starting
// a new file when the period has changed.
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, os.ErrClosed
	}
	if now := l.cfg.Clock.Now(); !l.periodStart(now).Equal(l.start) || l.f == nil {
		if err := l.rotate(now); err != nil {
			return 0, err
		}
	}
	return l.f.Write(p)
}

func (l *File) periodStart(t time.Time) time.Time { return t.UTC().Truncate(l.cfg.Period) }

func (l *File) name(start time.Time) string {
	return filepath.Join(l.cfg.Dir, l.cfg.Prefix+"-"+start.Format(layout)+ext)
}

// rotate closes the current file and opens the one for now's period.
// Callers hold mu.
func (l *File) rotate(now time.Time) error {
	if l.f != nil {
		_ = l.f.Close()
		l.f = nil
	}
	start := l.periodStart(now)
	f, err := os.OpenFile(l.name(start), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	l.f, l.start = f, start
	return nil
}

// Prune deletes the files whose period started Retention or longer ago and
// returns how many. Files that do not follow the naming are left alone.
func (l *File) Prune() (int, error) {
	entries, err := os.ReadDir(l.cfg.Dir)
	if err != nil {
		return 0, fmt.Errorf("read log directory: %w", err)
	}
	cutoff := l.cfg.Clock.Now().Add(-l.cfg.Retention)
	n := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		stamp, ok := strings.CutPrefix(name, l.cfg.Prefix+"-")
		if !ok || e.IsDir() {
			continue
		}
		stamp, ok = strings.CutSuffix(stamp, ext)
		if !ok {
			continue
		}
		start, err := time.Parse(layout, stamp)
		if err != nil || start.After(cutoff) {
			continue
		}
		l.mu.Lock()
		current := l.f != nil && start.Equal(l.start)
		if current {
			// Only with a clock jump; the next write opens a new file.
			_ = l.f.Close()
			l.f = nil
		}
		err = os.Remove(filepath.Join(l.cfg.Dir, name))
		l.mu.Unlock()
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Run prunes once a minute until ctx ends.
func (l *File) Run(ctx context.Context) {
	t := l.cfg.Clock.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.Chan():
			_, _ = l.Prune() // a failure is retried next minute
		}
	}
}

// Close closes the current file; later writes fail.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
