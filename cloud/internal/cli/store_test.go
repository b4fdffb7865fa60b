package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/cloudtest/pgtest"
	"github.com/hrsync/hrsync/cloud/internal/store/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestServeOnPostgres runs `hrsync-cloud serve` on PostgreSQL, chosen by
// flags, by the YAML file or by the environment, and creates a job through
// the API: the job lands in PostgreSQL and no SQLite file appears.
func TestServeOnPostgres(t *testing.T) {
	tests := []struct {
		name string
		// configure returns the extra serve arguments.
		configure func(t *testing.T, dsn, dir string) []string
	}{
		{"flags", func(t *testing.T, dsn, dir string) []string {
			return []string{"--store", "postgres", "--postgres-dsn", dsn}
		}},
		{"yaml", func(t *testing.T, dsn, dir string) []string {
			file := filepath.Join(dir, "cloud.yaml")
			require.NoError(t, os.WriteFile(file, []byte("store:\n  driver: postgres\n  postgres_dsn: "+dsn+"\n"), 0o600))
			return []string{"--config", file}
		}},
		{"environment", func(t *testing.T, dsn, dir string) []string {
			t.Setenv("HRSYNC_STORE_DRIVER", "postgres")
			t.Setenv("HRSYNC_POSTGRES_DSN", dsn)
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dsn, dir := pgtest.NewDatabase(t), t.TempDir()
			args := append([]string{"serve", "--data-dir", dir, "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--log-format", "json"},
				tc.configure(t, dsn, dir)...)
			srv := serveInBackground(t, args)

			token, err := os.ReadFile(filepath.Join(dir, "admin-token"))
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodPost, "http://"+srv.httpAddr+"/api/v1/jobs",
				strings.NewReader(`{"name":"pg","domain":"hrsync.test","defaultContainer":"OU=t,DC=hrsync,DC=test"}`))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
			var created struct{ ID string }
			require.NoError(t, json.Unmarshal(body, &created))

			st, err := postgres.Open(context.Background(), dsn)
			require.NoError(t, err)
			defer st.Close()
			job, err := st.GetJob(context.Background(), created.ID)
			require.NoError(t, err, "the job is in PostgreSQL")
			require.Equal(t, "pg", job.Name)
			require.NoFileExists(t, filepath.Join(dir, "hrsync.db"), "no SQLite database")
			require.Contains(t, srv.logs(), `"store":"postgres"`)

			require.Equal(t, 0, srv.stop(), srv.logs())
		})
	}
}

func TestServeStoreErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"postgres without a dsn", []string{"--store", "postgres"}, 2, "store.postgres_dsn: required"},
		{"unknown driver", []string{"--store", "oracle"}, 2, "store.driver"},
		{"dsn without the postgres driver", []string{"--postgres-dsn", "postgres://db/hrsync"}, 2, "store.postgres_dsn: is set"},
		{"database that does not exist", []string{"--store", "postgres", "--postgres-dsn", pgtest.Shared(t).DSN("nope")}, 1, "store.postgres_dsn:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--data-dir", t.TempDir(), "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"}, tc.args...)
			var out, errb bytes.Buffer
			require.Equal(t, tc.code, Run(context.Background(), args, &out, &errb), errb.String())
			require.Contains(t, errb.String(), tc.stderr)
		})
	}
}

// background is a `hrsync-cloud serve` running in a goroutine.
type background struct {
	httpAddr string
	stop     func() int // cancels the command and returns its exit code

	mu  sync.Mutex // mu guards the following field
	log bytes.Buffer
}

func (b *background) logs() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.log.String()
}

// serveInBackground runs Run(args) until the test ends and returns once the
// cloud serves, with the HTTP address from its JSON log.
func serveInBackground(t *testing.T, args []string) *background {
	t.Helper()
	b := &background{}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := Run(ctx, args, io.Discard, pw)
		pw.Close()
		done <- code
	}()
	serving := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			b.mu.Lock()
			b.log.Write(append(sc.Bytes(), '\n'))
			b.mu.Unlock()
			var line struct {
				Msg      string `json:"msg"`
				HTTPAddr string `json:"http_addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "hrsync-cloud serving" {
				serving <- line.HTTPAddr
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	var once sync.Once
	var code int
	b.stop = func() int {
		once.Do(func() {
			cancel()
			code = <-done
		})
		return code
	}
	t.Cleanup(func() { b.stop() })
	select {
	case b.httpAddr = <-serving:
	case c := <-done:
		done <- c
		t.Fatalf("serve exited with %d:\n%s", c, b.logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", b.logs())
	}
	return b
}
