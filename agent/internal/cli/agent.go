package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/hrsync/hrsync/agent/internal/config"
	"github.com/hrsync/hrsync/agent/internal/enroll"
	"github.com/hrsync/hrsync/agent/internal/executor"
	"github.com/hrsync/hrsync/agent/internal/ldapx"
	"github.com/hrsync/hrsync/agent/internal/link"
	"github.com/hrsync/hrsync/agent/internal/proxy"
	"github.com/hrsync/hrsync/agent/internal/state"
	"github.com/hrsync/hrsync/agent/internal/worker"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/logging"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// DrainTimeout bounds how long a stopping agent waits for in-flight work.
const DrainTimeout = 30 * time.Second

// RunAgent runs the agent until ctx ends, then drains: it refuses new
// operations, waits for the running ones (bounded) and delivers their
// results before closing the stream. It returns an error only when the
// agent cannot start or the cloud requires an admin action.
func RunAgent(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("state_dir: %w", err)
	}
	ident, err := enroll.Load(enroll.Dir(cfg.StateDir))
	if err != nil {
		return err
	}
	log = log.With(logging.KeyAgentID, ident.AgentID())
	for i, d := range cfg.Domains {
		if !slices.Contains(ident.Domains(), strings.ToLower(strings.TrimSuffix(d.Name, "."))) {
			return fmt.Errorf("domains[%d].name: %s is not in this agent's enrollment (%s); enroll the agent with a bootstrap token for it",
				i, d.Name, strings.Join(ident.Domains(), ", "))
		}
	}
	journal, err := state.Open(filepath.Join(cfg.StateDir, "journal.db"), nil, 0)
	if err != nil {
		return err
	}
	defer journal.Close()
	if n, err := journal.Prune(); err == nil && n > 0 {
		log.Info("journal pruned", "entries", n)
	}

	domains, names, err := directoryDomains(cfg, log)
	if err != nil {
		return err
	}
	exec, err := executor.New(executor.Config{
		Domains: domains, Logger: log,
		HealthInterval: cfg.DCHealth.Interval, HealthTimeout: cfg.DCHealth.Timeout, FailbackAfter: cfg.DCHealth.FailbackAfter,
	})
	if err != nil {
		return err
	}
	defer exec.Close()
	healthCtx, cancelHealth := context.WithCancel(context.WithoutCancel(ctx))
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		exec.Run(healthCtx)
	}()
	defer func() {
		cancelHealth()
		<-healthDone
	}()
	// The worker outlives sessions and is cancelled only after draining.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	w, err := worker.New(workCtx, worker.Config{Executor: exec, Journal: journal, MaxConcurrent: cfg.MaxConcurrent, Logger: log.With("component", "worker")})
	if err != nil {
		return err
	}

	addr, tlsCfg, err := cloudTLS(cfg, ident)
	if err != nil {
		return err
	}
	lcfg := link.Config{
		Addr: addr, TLS: tlsCfg, AgentID: ident.AgentID(), Domains: names,
		Worker: w, Seq: journal, Logger: log.With("component", "link"),
	}
	dial, proxyURL, src, err := cloudDialer(cfg, addr)
	if err != nil {
		return err
	}
	if proxyURL != nil {
		lcfg.Dialer = dial
		log.Info("cloud stream goes through a proxy", "proxy", proxyURL.Host, "source", src, "authenticated", proxyURL.User != nil)
	}
	sup, err := link.NewSupervisor(lcfg)
	if err != nil {
		return err
	}
	renewer, err := enroll.NewRenewer(enroll.RenewerConfig{Identity: ident, Renew: renewVia(addr, tlsCfg, lcfg.Dialer), Logger: log.With("component", "enroll")})
	if err != nil {
		return err
	}
	linkCtx, cancelLink := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelLink()
	linkDone := make(chan error, 1)
	go func() { linkDone <- sup.Run(linkCtx) }()
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		// A refusal is logged; the link stops on its own when the cloud
		// refuses the identity.
		_ = renewer.Run(linkCtx)
	}()
	defer func() {
		cancelLink()
		<-renewDone
	}()
	log.Info("agent started", "domains", names, "cloud", addr, "certificate_expires", ident.Certificate().NotAfter)

	select {
	case err := <-linkDone:
		return err // the cloud wants an admin action
	case <-ctx.Done():
	}
	log.Info("draining in-flight operations", "in_flight", len(w.InFlight()))
	sup.Drain()
	drained := make(chan struct{})
	go func() {
		w.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(DrainTimeout):
		log.Warn("drain timed out; the cloud will dispatch the remaining operations again", "in_flight", len(w.InFlight()))
	}
	// Give the session a moment to deliver the results still queued; what
	// it cannot deliver the cloud dispatches again and the journal answers.
	for deadline := time.Now().Add(2 * time.Second); len(w.Results()) > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cancelLink()
	<-linkDone
	log.Info("agent stopped")
	return nil
}

// directoryDomains builds the executor's domains from the configuration:
// each URL is a DC, in the order given, and referrals are followed (unless
// referrals.mode is off) to the hosts of referrals.allowed_hosts and of
// the configured domains. A referral to a configured domain's name goes to
// that domain's DCs, in order.
func directoryDomains(cfg config.Config, log *slog.Logger) (map[string]executor.Domain, []string, error) {
	byName := map[string]ldapx.Config{}
	allowed := slices.Clone(cfg.Referrals.AllowedHosts)
	for _, d := range cfg.Domains {
		lcfg := ldapx.Config{URLs: d.URLs, BindDN: d.BindDN, Password: d.Password}
		if d.CAFile != "" {
			pool, err := tlsutil.LoadCAPool(d.CAFile)
			if err != nil {
				return nil, nil, fmt.Errorf("domain %s ca_file: %w", d.Name, err)
			}
			lcfg.RootCAs = pool
		}
		byName[strings.ToLower(d.Name)] = lcfg
		allowed = append(allowed, d.Name)
		for _, u := range d.URLs {
			if p, err := url.Parse(u); err == nil {
				allowed = append(allowed, p.Host)
			}
		}
	}
	domains := map[string]executor.Domain{}
	names := make([]string, 0, len(cfg.Domains))
	for _, d := range cfg.Domains {
		lcfg := byName[strings.ToLower(d.Name)]
		dcs := make([]executor.DC, 0, len(d.URLs))
		for _, u := range d.URLs {
			one := lcfg
			one.URLs = []string{u}
			dcs = append(dcs, executor.DC{Name: u, Dial: func(ctx context.Context) (ldapx.Conn, error) { return ldapx.Dial(ctx, one) }})
		}
		chaser, err := ldapx.NewChaser(ldapx.ChaseConfig{
			Off:          cfg.Referrals.Mode == config.ReferralsOff,
			AllowedHosts: allowed,
			MaxHops:      cfg.Referrals.MaxHops,
			Dial: func(ctx context.Context, target string) (ldapx.Conn, error) {
				c := lcfg // the same credentials
				c.URLs = []string{target}
				if p, err := url.Parse(target); err == nil {
					if other, ok := byName[strings.ToLower(p.Hostname())]; ok {
						c.URLs = other.URLs
						if other.RootCAs != nil {
							c.RootCAs = other.RootCAs
						}
					}
				}
				return ldapx.Dial(ctx, c)
			},
			Logger: log.With("component", "referrals"),
		})
		if err != nil {
			return nil, nil, err
		}
		domains[d.Name] = executor.Domain{DCs: dcs, Chaser: chaser}
		names = append(names, d.Name)
	}
	return domains, names, nil
}

// cloudTLS returns the gateway address and the mutual-TLS configuration:
// the cloud verified against cloud.ca_file, else the CA saved at
// registration, else the system roots; the enrolled certificate presented.
func cloudTLS(cfg config.Config, ident *enroll.Identity) (string, *tls.Config, error) {
	addr := cfg.Cloud.Addr
	if addr == "" {
		addr = ident.Cloud()
	}
	serverName := cfg.Cloud.ServerName
	if serverName == "" {
		serverName = ident.ServerName()
	}
	if serverName == "" {
		serverName, _, _ = net.SplitHostPort(addr)
	}
	caFile := cfg.Cloud.CAFile
	if caFile == "" {
		caFile = ident.CloudCA()
	}
	tlsCfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		var err error
		if tlsCfg, err = tlsutil.ClientConfig(caFile, serverName); err != nil {
			return "", nil, fmt.Errorf("cloud.ca_file: %w", err)
		}
	}
	tlsCfg.GetClientCertificate = ident.GetClientCertificate
	return addr, tlsCfg, nil
}

// cloudDialer returns how to reach the cloud at addr: through the proxy of
// cloud.proxy or the environment (its dialer, URL and where it came
// from), or nil for a direct connection. Registration, the stream and
// renewals all leave the same way.
func cloudDialer(cfg config.Config, addr string) (func(context.Context, string) (net.Conn, error), *url.URL, proxy.Source, error) {
	proxyURL, src, err := proxy.Select(cfg.Cloud.Proxy, cfg.Cloud.ProxyPassword, os.Getenv, addr)
	if err != nil {
		return nil, nil, src, fmt.Errorf("cloud.proxy (%s): %w", src, err)
	}
	if proxyURL == nil {
		return nil, nil, src, nil
	}
	return (&proxy.Dialer{Proxy: proxyURL}).DialContext, proxyURL, src, nil
}

// renewVia renews the certificate over AgentEnrollment.Renew, authenticated
// with the current one, dialled like the stream (dial is its proxy dialer,
// nil for a direct connection).
func renewVia(addr string, tlsCfg *tls.Config, dial func(context.Context, string) (net.Conn, error)) enroll.RenewFunc {
	return func(ctx context.Context, csr []byte) ([]byte, []byte, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		// The same way out as the stream: through the proxy when there is
		// one, never through gRPC's own HTTPS_PROXY lookup.
		target, opts := addr, []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)), grpc.WithNoProxy()}
		if dial != nil {
			target, opts = "passthrough:///"+addr, append(opts, grpc.WithContextDialer(dial))
		}
		conn, err := grpc.NewClient(target, opts...)
		if err != nil {
			return nil, nil, err
		}
		defer conn.Close()
		resp, err := agentv1.NewAgentEnrollmentClient(conn).Renew(ctx, &agentv1.RenewRequest{Csr: csr})
		if err != nil {
			return nil, nil, err
		}
		return resp.GetCertificate(), resp.GetCaCertificates(), nil
	}
}
