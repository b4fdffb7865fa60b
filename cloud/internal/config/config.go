// Package config is hrsync-cloud's configuration: one struct, loaded as
// defaults, then a YAML file, then HRSYNC_* environment variables, then
// command-line flags, then validated with errors that name the field.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/shared/confload"
)

// Config is everything hrsync-cloud needs to run.
type Config struct {
	// DataDir holds the SQLite database, generated secrets and the
	// development PKI.
	DataDir string `yaml:"data_dir"`
	// Store chooses the database.
	Store Store `yaml:"store"`
	// Replica identifies this cloud among replicas sharing a PostgreSQL
	// database.
	Replica Replica `yaml:"replica"`
	// HTTPAddr serves the admin API, the SCIM upload and the logs.
	HTTPAddr string `yaml:"http_addr"`
	// GRPCAddr serves the agent stream (always TLS).
	GRPCAddr string `yaml:"grpc_addr"`
	// PublicURL is the base URL clients use (for Location headers).
	PublicURL string `yaml:"public_url"`
	TLS       TLS    `yaml:"tls"`
	// AdminToken authorises the admin API; generated into DataDir when empty.
	AdminToken string `yaml:"admin_token"`
	// Enroll configures how agents get and renew their identity.
	Enroll Enroll `yaml:"enroll"`
	// Heartbeat is the ping interval announced to agents.
	Heartbeat time.Duration `yaml:"heartbeat"`
	// OpTimeout is how long an agent may hold an operation before it is
	// dispatched again.
	OpTimeout time.Duration `yaml:"op_timeout"`
	// MaxBulkOperations per SCIM bulk request.
	MaxBulkOperations int `yaml:"max_bulk_operations"`
	// MaxBulkBytes is the largest SCIM bulk request body.
	MaxBulkBytes int64 `yaml:"max_bulk_bytes"`
	// BulkRate limits bulk uploads per job.
	BulkRate BulkRate `yaml:"bulk_rate"`
	// SMTP is the relay quarantine notifications are mailed through;
	// empty Addr: none are sent.
	SMTP SMTP `yaml:"smtp"`
	// LogRetention is how long provisioning logs are kept.
	LogRetention time.Duration `yaml:"log_retention"`
	Log          Log           `yaml:"log"`

	// Clock drives the engine and the pull cycles: lifecycle instants
	// (hire dates, last days of work), wakes, escrow retries. The real
	// clock when nil; tests that must see a date pass set their own. The
	// agent gateway and the dispatcher keep real time for heartbeats and
	// timeouts. Not configurable from files or flags.
	Clock clockwork.Clock `yaml:"-"`
}

// BulkRate limits how fast one job's client may upload: more than Requests
// in any Window are refused with 429 and Retry-After (Entra's limit is 40
// per 5 seconds); DailyQuota, when above 0, caps uploads per day.
// Requests below 0 turns the limit off.
type BulkRate struct {
	Requests   int           `yaml:"requests"`
	Window     time.Duration `yaml:"window"`
	DailyQuota int           `yaml:"daily_quota"`
}

// SMTP is a mail relay.
type SMTP struct {
	Addr     string `yaml:"addr"`
	From     string `yaml:"from"`
	Username string `yaml:"username"`
	// Password; prefer HRSYNC_SMTP_PASSWORD.
	Password string `yaml:"password"`
}

// TLS configures the agent stream's certificate.
type TLS struct {
	// CertFile and KeyFile; when both are empty a development CA and
	// certificate are created in DataDir/tls for DevHosts.
	CertFile string   `yaml:"cert_file"`
	KeyFile  string   `yaml:"key_file"`
	DevHosts []string `yaml:"dev_hosts"`
}

// Enroll configures agent enrollment: the agent CA that issues the agents'
// client certificates and the key bootstrap tokens are hashed with.
type Enroll struct {
	// CACertFile and CAKeyFile are the agent CA (PEM, ECDSA key); when both
	// are empty a CA is created in DataDir/agent-ca on first start.
	CACertFile string `yaml:"ca_cert_file"`
	CAKeyFile  string `yaml:"ca_key_file"`
	// TokenKey is the HMAC key bootstrap tokens are stored under;
	// generated into DataDir/enroll-token-key when empty. Prefer
	// HRSYNC_ENROLL_TOKEN_KEY.
	TokenKey string `yaml:"token_key"`
	// CertLifetime of agent certificates; agents renew after two thirds.
	CertLifetime time.Duration `yaml:"cert_lifetime"`
	// TokenTTL is how long a bootstrap token stays usable unless the
	// admin asks for another lifetime.
	TokenTTL time.Duration `yaml:"token_ttl"`
}

// Validate checks the enrollment settings.
func (e *Enroll) Validate() error {
	var errs []error
	if (e.CACertFile == "") != (e.CAKeyFile == "") {
		errs = append(errs, fieldErr("enroll", "ca_cert_file and ca_key_file must be set together"))
	}
	if e.TokenKey != "" && len(e.TokenKey) < 32 {
		errs = append(errs, fieldErr("enroll.token_key", "is %d characters; use at least 32 random ones", len(e.TokenKey)))
	}
	if e.CertLifetime < 5*time.Minute || e.CertLifetime > 365*24*time.Hour {
		errs = append(errs, fieldErr("enroll.cert_lifetime", "%s is outside 5m..8760h", e.CertLifetime))
	}
	if e.TokenTTL < time.Minute || e.TokenTTL > 30*24*time.Hour {
		errs = append(errs, fieldErr("enroll.token_ttl", "%s is outside 1m..720h", e.TokenTTL))
	}
	return errors.Join(errs...)
}

// Store drivers.
const (
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
)

// Store chooses where the cloud keeps its state.
type Store struct {
	// Driver is sqlite (DataDir/hrsync.db, for a single cloud) or postgres
	// (one database shared by several replicas).
	Driver string `yaml:"driver"`
	// PostgresDSN is the database URL or libpq key=value string; required
	// with the postgres driver. Prefer HRSYNC_POSTGRES_DSN to a flag: it
	// usually carries a password.
	PostgresDSN string `yaml:"postgres_dsn"`
}

// Validate checks the store settings.
func (s *Store) Validate() error {
	switch s.Driver {
	case StoreSQLite:
		if s.PostgresDSN != "" {
			// Starting on a private SQLite file when a shared database was
			// meant would split the replicas' state: refuse instead.
			return fieldErr("store.postgres_dsn", "is set, but store.driver is %s: set store.driver to %s or remove the DSN", StoreSQLite, StorePostgres)
		}
	case StorePostgres:
		if strings.TrimSpace(s.PostgresDSN) == "" {
			return fieldErr("store.postgres_dsn", "required when store.driver is %s", StorePostgres)
		}
	default:
		return fieldErr("store.driver", "%q is not %s or %s", s.Driver, StoreSQLite, StorePostgres)
	}
	return nil
}

// Replica identifies one of several clouds sharing a PostgreSQL database.
type Replica struct {
	// ID names the replica in the database (leases, dispatched
	// operations, logs). Empty: the host name and a random suffix, new at
	// every start.
	ID string `yaml:"id"`
	// Lease is how long a replica that stopped heartbeating still counts
	// as alive, and how long a job it processes stays claimed: a replica
	// that dies hands its agents' operations and its jobs to the others
	// within one Lease. Heartbeats go every third of it.
	Lease time.Duration `yaml:"lease"`
}

// Validate checks the replica settings.
func (r *Replica) Validate() error {
	if r.Lease < time.Second || r.Lease > 10*time.Minute {
		return fieldErr("replica.lease", "%s is outside 1s..10m", r.Lease)
	}
	if strings.ContainsAny(r.ID, " \t\n") {
		return fieldErr("replica.id", "%q contains white space", r.ID)
	}
	return nil
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Default returns a complete configuration.
func Default() Config {
	return Config{
		DataDir:           "hrsync-data",
		Store:             Store{Driver: StoreSQLite},
		Replica:           Replica{Lease: 15 * time.Second},
		HTTPAddr:          "127.0.0.1:8080",
		GRPCAddr:          "127.0.0.1:8443",
		TLS:               TLS{DevHosts: []string{"localhost", "127.0.0.1"}},
		Enroll:            Enroll{CertLifetime: 30 * 24 * time.Hour, TokenTTL: 24 * time.Hour},
		Heartbeat:         15 * time.Second,
		OpTimeout:         2 * time.Minute,
		MaxBulkOperations: 50,
		MaxBulkBytes:      1 << 20,
		BulkRate:          BulkRate{Requests: 40, Window: 5 * time.Second},
		LogRetention:      30 * 24 * time.Hour,
		Log:               Log{Level: "info", Format: "text"},
	}
}

// FieldError names the configuration field that is wrong.
type FieldError = confload.FieldError

var fieldErr = confload.Field

// LoadFile overlays a YAML file; unknown keys are errors.
func (c *Config) LoadFile(path string) error { return confload.YAMLFile(path, c) }

// LoadEnv overlays HRSYNC_* variables from getenv.
func (c *Config) LoadEnv(getenv func(string) string) error {
	str := map[string]*string{
		"HRSYNC_DATA_DIR": &c.DataDir, "HRSYNC_HTTP_ADDR": &c.HTTPAddr, "HRSYNC_GRPC_ADDR": &c.GRPCAddr,
		"HRSYNC_PUBLIC_URL": &c.PublicURL, "HRSYNC_ADMIN_TOKEN": &c.AdminToken,
		"HRSYNC_ENROLL_TOKEN_KEY": &c.Enroll.TokenKey, "HRSYNC_ENROLL_CA_CERT_FILE": &c.Enroll.CACertFile, "HRSYNC_ENROLL_CA_KEY_FILE": &c.Enroll.CAKeyFile,
		"HRSYNC_TLS_CERT_FILE": &c.TLS.CertFile, "HRSYNC_TLS_KEY_FILE": &c.TLS.KeyFile,
		"HRSYNC_LOG_LEVEL": &c.Log.Level, "HRSYNC_LOG_FORMAT": &c.Log.Format,
		"HRSYNC_STORE_DRIVER": &c.Store.Driver, "HRSYNC_POSTGRES_DSN": &c.Store.PostgresDSN, "HRSYNC_REPLICA_ID": &c.Replica.ID,
		"HRSYNC_SMTP_ADDR": &c.SMTP.Addr, "HRSYNC_SMTP_FROM": &c.SMTP.From, "HRSYNC_SMTP_USERNAME": &c.SMTP.Username, "HRSYNC_SMTP_PASSWORD": &c.SMTP.Password,
	}
	for k, p := range str {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	durs := map[string]*time.Duration{"HRSYNC_REPLICA_LEASE": &c.Replica.Lease, "HRSYNC_HEARTBEAT": &c.Heartbeat, "HRSYNC_OP_TIMEOUT": &c.OpTimeout, "HRSYNC_LOG_RETENTION": &c.LogRetention,
		"HRSYNC_ENROLL_CERT_LIFETIME": &c.Enroll.CertLifetime, "HRSYNC_ENROLL_TOKEN_TTL": &c.Enroll.TokenTTL}
	for k, p := range durs {
		if v := getenv(k); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fieldErr(k, "%q is not a duration such as 15s: %w", v, err)
			}
			*p = d
		}
	}
	return nil
}

// AddFlags binds flags to the struct.
func (c *Config) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for the database and generated secrets")
	fs.StringVar(&c.Store.Driver, "store", c.Store.Driver, "database: sqlite (in data-dir) or postgres (shared by replicas)")
	fs.StringVar(&c.Store.PostgresDSN, "postgres-dsn", c.Store.PostgresDSN, "PostgreSQL URL for --store postgres (HRSYNC_POSTGRES_DSN keeps the password out of ps)")
	fs.StringVar(&c.Replica.ID, "replica-id", c.Replica.ID, "name of this replica among clouds sharing a PostgreSQL database (default: host name and a random suffix)")
	fs.DurationVar(&c.Replica.Lease, "replica-lease", c.Replica.Lease, "time after which a replica that stopped heartbeating is dead and its work moves to the others")
	fs.StringVar(&c.HTTPAddr, "http-addr", c.HTTPAddr, "address of the HTTP API")
	fs.StringVar(&c.GRPCAddr, "grpc-addr", c.GRPCAddr, "address of the agent gateway (TLS)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "base URL clients reach the HTTP API at")
	fs.StringVar(&c.TLS.CertFile, "tls-cert", c.TLS.CertFile, "gateway certificate (PEM); a development CA is used when empty")
	fs.StringVar(&c.TLS.KeyFile, "tls-key", c.TLS.KeyFile, "gateway private key (PEM)")
	fs.StringVar(&c.Enroll.CACertFile, "agent-ca-cert", c.Enroll.CACertFile, "agent CA certificate (PEM); one is created in data-dir/agent-ca when empty")
	fs.StringVar(&c.Enroll.CAKeyFile, "agent-ca-key", c.Enroll.CAKeyFile, "agent CA private key (PEM)")
	fs.DurationVar(&c.Enroll.CertLifetime, "agent-cert-lifetime", c.Enroll.CertLifetime, "lifetime of agent certificates; agents renew after two thirds")
	fs.DurationVar(&c.Heartbeat, "heartbeat", c.Heartbeat, "ping interval announced to agents")
	fs.DurationVar(&c.OpTimeout, "op-timeout", c.OpTimeout, "time an agent may hold an operation before it is dispatched again")
	fs.DurationVar(&c.LogRetention, "log-retention", c.LogRetention, "how long provisioning logs are kept")
	fs.StringVar(&c.Log.Level, "log-level", c.Log.Level, "debug, info, warn or error")
	fs.StringVar(&c.Log.Format, "log-format", c.Log.Format, "text or json")
}

// Validate checks every field and returns all problems.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, fieldErr("data_dir", "required"))
	}
	if err := c.Store.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Replica.Validate(); err != nil {
		errs = append(errs, err)
	}
	for name, addr := range map[string]string{"http_addr": c.HTTPAddr, "grpc_addr": c.GRPCAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fieldErr(name, "%q is not host:port: %w", addr, err))
		}
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		errs = append(errs, fieldErr("tls", "cert_file and key_file must be set together"))
	}
	if err := c.Enroll.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Heartbeat < 100*time.Millisecond || c.Heartbeat > 10*time.Minute {
		errs = append(errs, fieldErr("heartbeat", "%s is outside 100ms..10m", c.Heartbeat))
	}
	if c.OpTimeout < time.Second {
		errs = append(errs, fieldErr("op_timeout", "%s is shorter than 1s", c.OpTimeout))
	}
	if c.LogRetention < time.Hour {
		errs = append(errs, fieldErr("log_retention", "%s is shorter than 1h", c.LogRetention))
	}
	if c.MaxBulkOperations < 1 || c.MaxBulkOperations > 10000 {
		errs = append(errs, fieldErr("max_bulk_operations", "%d is outside 1..10000", c.MaxBulkOperations))
	}
	if c.MaxBulkBytes < 1024 || c.MaxBulkBytes > 1<<30 {
		errs = append(errs, fieldErr("max_bulk_bytes", "%d is outside 1 KiB..1 GiB", c.MaxBulkBytes))
	}
	if c.BulkRate.Requests >= 0 && c.BulkRate.Window <= 0 {
		errs = append(errs, fieldErr("bulk_rate.window", "must be positive when bulk_rate.requests is not negative, got %s", c.BulkRate.Window))
	}
	if c.BulkRate.Requests == 0 {
		errs = append(errs, fieldErr("bulk_rate.requests", "0 would refuse every upload; use a negative number to turn the limit off"))
	}
	if c.SMTP.Addr != "" {
		if _, _, err := net.SplitHostPort(c.SMTP.Addr); err != nil {
			errs = append(errs, fieldErr("smtp.addr", "%q is not host:port", c.SMTP.Addr))
		}
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			errs = append(errs, fieldErr("smtp.from", "%q is not an e-mail address (needed when smtp.addr is set)", c.SMTP.From))
		}
	}
	if c.BulkRate.DailyQuota < 0 {
		errs = append(errs, fieldErr("bulk_rate.daily_quota", "must not be negative, got %d", c.BulkRate.DailyQuota))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fieldErr("log.level", "%q is not debug, info, warn or error", c.Log.Level))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, fieldErr("log.format", "%q is not text or json", c.Log.Format))
	}
	return errors.Join(errs...)
}

// Secret returns value, or the content of DataDir/name, creating it with a
// random value (mode 0600) on first use.
func (c *Config) Secret(value, name string, generate func() string) (string, error) {
	if value != "" {
		return value, nil
	}
	path := filepath.Join(c.DataDir, name)
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	v := generate()
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return v, nil
}
