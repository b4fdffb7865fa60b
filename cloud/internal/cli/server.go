package cli

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/hrsync/hrsync/cloud/internal/api"
	"github.com/hrsync/hrsync/cloud/internal/config"
	"github.com/hrsync/hrsync/cloud/internal/cycle"
	"github.com/hrsync/hrsync/cloud/internal/dispatch"
	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/enroll"
	"github.com/hrsync/hrsync/cloud/internal/gateway"
	"github.com/hrsync/hrsync/cloud/internal/notify"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/postgres"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/tlsutil"
)

// Server is a running hrsync-cloud.
type Server struct {
	// HTTPAddr and GRPCAddr are the bound addresses.
	HTTPAddr, GRPCAddr string
	// AdminToken is the effective admin token.
	AdminToken string
	// CAFile is the CA agents must trust (the development CA when the
	// config named no certificate).
	CAFile string
	// Enroll issues agent identities (bootstrap tokens, the agent CA).
	Enroll *enroll.Service
	// Gateway is the agent gateway.
	Gateway *gateway.Server

	cancel context.CancelFunc
	wg     sync.WaitGroup
	grpc   *grpc.Server
	http   *http.Server
	closer func() error
}

// Start opens the store, binds both listeners and starts serving. It
// returns once the cloud accepts connections.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	var err error
	s := &Server{}
	if s.AdminToken, err = cfg.Secret(cfg.AdminToken, "admin-token", randomSecret); err != nil {
		return nil, err
	}
	tokenKey, err := cfg.Secret(cfg.Enroll.TokenKey, "enroll-token-key", randomSecret)
	if err != nil {
		return nil, err
	}
	var agentCA *enroll.CA
	if cfg.Enroll.CACertFile != "" {
		agentCA, err = enroll.LoadCA(cfg.Enroll.CACertFile, cfg.Enroll.CAKeyFile)
	} else {
		agentCA, err = enroll.EnsureCA(filepath.Join(cfg.DataDir, "agent-ca"))
	}
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	certFile, keyFile := cfg.TLS.CertFile, cfg.TLS.KeyFile
	if certFile == "" {
		pki, err := tlsutil.EnsureDevPKI(filepath.Join(cfg.DataDir, "tls"), cfg.TLS.DevHosts)
		if err != nil {
			return nil, fmt.Errorf("development PKI: %w", err)
		}
		certFile, keyFile, s.CAFile = pki.CertFile, pki.KeyFile, pki.CAFile
		log.Info("using the development CA for the agent gateway; agents must trust it", "ca_file", pki.CAFile)
	}
	tlsCfg, err := tlsutil.ServerConfig(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	// Agents authenticate with the client certificate they enrolled for;
	// only AgentEnrollment.Register is called without one.
	tlsCfg.ClientAuth = tls.VerifyClientCertIfGiven
	tlsCfg.ClientCAs = agentCA.Pool()

	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s.closer = st.Close
	replicaID := cfg.Replica.ID
	if replicaID == "" {
		replicaID = defaultReplicaID()
	}
	log = log.With("replica_id", replicaID)
	dcfg := dispatch.Config{Store: st, ReplicaID: replicaID, OpTimeout: cfg.OpTimeout, Logger: log.With("component", "dispatch")}
	// shared: other replicas may use the database (PostgreSQL). They learn
	// of each other's operations through store events, keep liveness
	// leases and claim jobs; a SQLite cloud is alone and needs none of it.
	shared := cfg.Store.Driver == config.StorePostgres
	if shared {
		dcfg.Events, dcfg.Replicas, dcfg.ReplicaLease = st, st, cfg.Replica.Lease
	}
	disp, err := dispatch.New(dcfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	enr, err := enroll.New(enroll.Config{Store: st, CA: agentCA, TokenKey: []byte(tokenKey), CertLifetime: cfg.Enroll.CertLifetime,
		TokenTTL: cfg.Enroll.TokenTTL, Logger: log.With("component", "enroll")})
	if err != nil {
		st.Close()
		return nil, err
	}
	gcfg := gateway.Config{Identities: enr, Handler: disp, Events: st, Heartbeat: cfg.Heartbeat, Logger: log.With("component", "gateway")}
	if shared {
		gcfg.Leases = st // clone detection across replicas
	}
	gw, err := gateway.New(gcfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.Enroll, s.Gateway = enr, gw
	sources, err := connectors()
	if err != nil {
		st.Close()
		return nil, err
	}
	ecfg := engine.Config{Store: st, Dispatch: disp, WriteBack: writeBackThrough(st, sources), Owner: replicaID, Clock: cfg.Clock, Logger: log.With("component", "engine")}
	if shared {
		ecfg.Leases, ecfg.Lease = st, cfg.Replica.Lease
	}
	if cfg.SMTP.Addr != "" {
		mailer := notify.Mailer{Addr: cfg.SMTP.Addr, From: cfg.SMTP.From, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password, StartTLS: true}
		ecfg.Alert = mailer.Send
	}
	eng, err := engine.New(ecfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	runner, err := cycle.New(cycle.Config{Store: st, Open: sources.Open, Notify: eng.Notify, Owner: replicaID, Clock: cfg.Clock, Logger: log.With("component", "cycle")})
	if err != nil {
		st.Close()
		return nil, err
	}
	apiSrv, err := api.New(api.Config{Store: st, Engine: eng, Planner: eng, Agents: gw, Enrollment: enr, Sources: sources, AdminToken: s.AdminToken,
		MaxOperations: cfg.MaxBulkOperations, MaxBodyBytes: cfg.MaxBulkBytes,
		BulkRateRequests: cfg.BulkRate.Requests, BulkRateWindow: cfg.BulkRate.Window, BulkDailyQuota: cfg.BulkRate.DailyQuota,
		PublicURL: cfg.PublicURL, Logger: log.With("component", "api")})
	if err != nil {
		st.Close()
		return nil, err
	}

	grpcLn, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("grpc_addr: %w", err)
	}
	httpLn, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		grpcLn.Close()
		st.Close()
		return nil, fmt.Errorf("http_addr: %w", err)
	}
	s.GRPCAddr, s.HTTPAddr = grpcLn.Addr().String(), httpLn.Addr().String()

	s.grpc = grpc.NewServer(
		grpc.Creds(credentials.NewTLS(tlsCfg)),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
	)
	agentv1.RegisterAgentGatewayServer(s.grpc, gw)
	agentv1.RegisterAgentEnrollmentServer(s.grpc, enr)
	s.http = &http.Server{Handler: apiSrv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.goRun(func() { disp.Run(runCtx) })
	s.goRun(func() { gw.Run(runCtx) })
	s.goRun(func() { eng.Run(runCtx) })
	s.goRun(func() { runner.Run(runCtx) })
	jan := &janitor{logs: st, retention: cfg.LogRetention, clock: clockwork.NewRealClock(), log: log.With("component", "janitor")}
	s.goRun(func() { jan.run(runCtx) })
	s.goRun(func() {
		if err := s.grpc.Serve(grpcLn); err != nil {
			log.Error("agent gateway stopped", "error", err)
		}
	})
	s.goRun(func() {
		if err := s.http.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "error", err)
		}
	})
	log.Info("hrsync-cloud serving", "http_addr", s.HTTPAddr, "grpc_addr", s.GRPCAddr, "data_dir", cfg.DataDir, "store", cfg.Store.Driver)
	return s, nil
}

// openStore opens the database cfg.Store names and migrates it.
func openStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	switch cfg.Store.Driver {
	case config.StorePostgres:
		st, err := postgres.Open(ctx, cfg.Store.PostgresDSN)
		if err != nil {
			return nil, fmt.Errorf("store.postgres_dsn: %w", err)
		}
		return st, nil
	default:
		st, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "hrsync.db"))
		if err != nil {
			return nil, err
		}
		return st, nil
	}
}

func (s *Server) goRun(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}

// Stop shuts the cloud down: finish HTTP requests up to the grace period,
// end agent streams (agents reconnect on their own), stop the engine and
// close the store. Records in progress stay staged and resume on restart.
func (s *Server) Stop(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	_ = s.http.Shutdown(ctx)
	s.grpc.Stop()
	s.cancel()
	s.wg.Wait()
	return s.closer()
}

// defaultReplicaID is the host name with a random suffix: a restarted
// replica is a new one (the old one's lease expires or was left).
func defaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "cloud"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
