package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLayers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cloud.yaml")
	require.NoError(t, os.WriteFile(file, []byte("http_addr: 127.0.0.1:9000\nheartbeat: 5s\nlog:\n  level: debug\n"), 0o644))

	c := Default()
	require.NoError(t, c.LoadFile(file))
	require.NoError(t, c.LoadEnv(func(k string) string {
		return map[string]string{"HRSYNC_HTTP_ADDR": "127.0.0.1:9001", "HRSYNC_OP_TIMEOUT": "30s"}[k]
	}))
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"--http-addr", "127.0.0.1:9002"}))
	require.NoError(t, c.Validate())

	require.Equal(t, "127.0.0.1:9002", c.HTTPAddr, "flags win over env and file")
	require.Equal(t, 5*time.Second, c.Heartbeat, "file overrides default")
	require.Equal(t, 30*time.Second, c.OpTimeout, "env overrides default")
	require.Equal(t, "debug", c.Log.Level)
	require.Equal(t, "127.0.0.1:8443", c.GRPCAddr, "default kept")
}

func TestValidateNamesFields(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"bad http addr", func(c *Config) { c.HTTPAddr = "8080" }, "http_addr"},
		{"half tls", func(c *Config) { c.TLS.CertFile = "x.pem" }, "tls"},
		{"heartbeat", func(c *Config) { c.Heartbeat = time.Millisecond }, "heartbeat"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{"data dir", func(c *Config) { c.DataDir = " " }, "data_dir"},
		{"bulk", func(c *Config) { c.MaxBulkOperations = 0 }, "max_bulk_operations"},
		{"bulk bytes", func(c *Config) { c.MaxBulkBytes = 10 }, "max_bulk_bytes"},
		{"bulk rate zero", func(c *Config) { c.BulkRate.Requests = 0 }, "bulk_rate.requests"},
		{"bulk rate window", func(c *Config) { c.BulkRate.Window = 0 }, "bulk_rate.window"},
		{"bulk quota", func(c *Config) { c.BulkRate.DailyQuota = -1 }, "bulk_rate.daily_quota"},
		{"smtp addr", func(c *Config) { c.SMTP = SMTP{Addr: "relay", From: "a@b.example"} }, "smtp.addr"},
		{"smtp from", func(c *Config) { c.SMTP = SMTP{Addr: "relay:25"} }, "smtp.from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mutate(&c)
			err := c.Validate()
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "got %v", err)
			require.Equal(t, tc.field, fe.Field)
		})
	}
	d := Default()
	require.NoError(t, d.Validate())
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "u.yaml")
	require.NoError(t, os.WriteFile(unknown, []byte("http_adr: x\n"), 0o644))
	c := Default()
	require.ErrorContains(t, c.LoadFile(unknown), "http_adr")
	empty := filepath.Join(dir, "e.yaml")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	require.NoError(t, c.LoadFile(empty), "an empty file is fine")
	require.Error(t, c.LoadEnv(func(k string) string {
		if k == "HRSYNC_HEARTBEAT" {
			return "soon"
		}
		return ""
	}))
}

func TestSecretIsGeneratedOnceAndPrivate(t *testing.T) {
	c := Default()
	c.DataDir = t.TempDir()
	n := 0
	gen := func() string { n++; return "s3cret" }
	v, err := c.Secret("", "admin-token", gen)
	require.NoError(t, err)
	require.Equal(t, "s3cret", v)
	v, err = c.Secret("", "admin-token", gen)
	require.NoError(t, err)
	require.Equal(t, "s3cret", v)
	require.Equal(t, 1, n)
	st, err := os.Stat(filepath.Join(c.DataDir, "admin-token"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	v, _ = c.Secret("given", "admin-token", gen)
	require.Equal(t, "given", v)
}
