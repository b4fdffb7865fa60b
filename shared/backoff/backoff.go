// Package backoff computes capped, jittered exponential delays for retry
// loops. It does not sleep: callers wait on their own (injectable) clock, so
// tests never sleep.
//
//	b := backoff.New(backoff.Config{Min: 100 * time.Millisecond, Max: 30 * time.Second})
//	for {
//		if err := try(); err == nil {
//			b.Reset()
//			continue
//		}
//		<-clk.After(b.Next())
//	}
package backoff

import (
	"math/rand/v2"
	"time"
)

// Config describes the delay curve.
type Config struct {
	// Min is the first delay. Default 200ms.
	Min time.Duration
	// Max caps every delay. Default 30s.
	Max time.Duration
	// Factor multiplies the delay after each failure. Default 2.
	Factor float64
	// Jitter is the fraction of the delay that is randomised, 0..1. Default
	// 0.5: a delay d becomes a uniform value in [d/2, d].
	Jitter float64
	// Rand returns a uniform value in [0,1); tests inject a fixed one.
	Rand func() float64
}

// Backoff is not safe for concurrent use; each retry loop owns one.
type Backoff struct {
	cfg      Config
	failures int
}

// New returns a Backoff with defaults filled in.
func New(cfg Config) *Backoff {
	if cfg.Min <= 0 {
		cfg.Min = 200 * time.Millisecond
	}
	if cfg.Max < cfg.Min {
		cfg.Max = max(30*time.Second, cfg.Min)
	}
	if cfg.Factor < 1 {
		cfg.Factor = 2
	}
	if cfg.Jitter < 0 || cfg.Jitter > 1 {
		cfg.Jitter = 0.5
	} else if cfg.Jitter == 0 {
		cfg.Jitter = 0.5
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	return &Backoff{cfg: cfg}
}

// Next returns the delay before the next attempt and records a failure.
func (b *Backoff) Next() time.Duration {
	d := float64(b.cfg.Min)
	for i := 0; i < b.failures && d < float64(b.cfg.Max); i++ {
		d *= b.cfg.Factor
	}
	d = min(d, float64(b.cfg.Max))
	b.failures++
	return time.Duration(d * (1 - b.cfg.Jitter*b.cfg.Rand()))
}

// Reset starts the curve again after a success.
func (b *Backoff) Reset() { b.failures = 0 }

// Failures is the number of delays handed out since the last Reset.
func (b *Backoff) Failures() int { return b.failures }
