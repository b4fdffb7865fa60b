package enroll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/shared/backoff"
	"github.com/hrsync/hrsync/shared/rpcerr"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// RenewFunc sends a certificate request (DER) to the cloud, authenticated
// with the current certificate, and returns the new certificate and CA
// chain (PEM).
type RenewFunc func(ctx context.Context, csr []byte) (certPEM, caPEM []byte, err error)

// RenewerConfig configures a Renewer.
type RenewerConfig struct {
	Identity *Identity
	Renew    RenewFunc
	Clock    clockwork.Clock
	Logger   *slog.Logger
	// MinBackoff and MaxBackoff bound retries of a failed renewal.
	// Defaults 10s, 30m.
	MinBackoff, MaxBackoff time.Duration
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *RenewerConfig) CheckAndSetDefaults() error {
	if c.Identity == nil || c.Renew == nil {
		return errors.New("renewer config: Identity and Renew are required")
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 10 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Minute
	}
	return nil
}

// Renewer rotates the agent's certificate before it expires.
type Renewer struct {
	cfg RenewerConfig
}

// NewRenewer validates cfg.
func NewRenewer(cfg RenewerConfig) (*Renewer, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Renewer{cfg: cfg}, nil
}

// RenewAt is when a certificate valid from notBefore to notAfter is
// renewed: at two thirds of its lifetime, less up to 1/60 of it as jitter
// so a fleet enrolled together does not renew in the same second.
func RenewAt(notBefore, notAfter time.Time, jitter float64) time.Time {
	life := notAfter.Sub(notBefore)
	return notBefore.Add(life*2/3 - time.Duration(jitter*float64(life)/60))
}

// Run renews the certificate whenever it is due until ctx ends. It returns
// an error only when the cloud refused the identity (revoked, cloned): the
// agent must be enrolled again.
func (r *Renewer) Run(ctx context.Context) error {
	log := r.cfg.Logger
	b := backoff.New(backoff.Config{Min: r.cfg.MinBackoff, Max: r.cfg.MaxBackoff})
	for {
		leaf := r.cfg.Identity.Certificate()
		due := RenewAt(leaf.NotBefore, leaf.NotAfter, rand.Float64())
		if wait := due.Sub(r.cfg.Clock.Now()); wait > 0 {
			log.Debug("certificate renewal scheduled", "at", due, "serial", tlsutil.SerialHex(leaf))
			select {
			case <-ctx.Done():
				return nil
			case <-r.cfg.Clock.After(wait):
			}
		}
		err := r.RenewNow(ctx)
		if err == nil {
			b.Reset()
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		if rpcerr.Classify(err) == rpcerr.Reenroll {
			log.Error("cloud refused to renew the agent's certificate; enroll the agent again", "error", err)
			return fmt.Errorf("renew certificate: %w", err)
		}
		delay := b.Next()
		log.Warn("certificate renewal failed; retrying", "error", err, "delay", delay, "expires", leaf.NotAfter)
		select {
		case <-ctx.Done():
			return nil
		case <-r.cfg.Clock.After(delay):
		}
	}
}

// RenewNow renews the certificate once, with a new key.
func (r *Renewer) RenewNow(ctx context.Context) error {
	id := r.cfg.Identity
	old := id.Certificate()
	key, csr, err := tlsutil.NewKeyAndCSR(id.AgentID())
	if err != nil {
		return err
	}
	certPEM, caPEM, err := r.cfg.Renew(ctx, csr)
	if err != nil {
		return err
	}
	if err := id.replace(key, certPEM, caPEM); err != nil {
		return err
	}
	now := id.Certificate()
	r.cfg.Logger.Info("agent certificate renewed", "old_serial", tlsutil.SerialHex(old), "serial", tlsutil.SerialHex(now), "expires", now.NotAfter)
	return nil
}
