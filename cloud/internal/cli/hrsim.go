package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/hrsim/rehearsal"
)

const hrsimUsage = `Usage:
  hrsyncctl hrsim serve --kind successfactors|workday [--workers 1000] [--seed 7] [--addr 127.0.0.1:8090]
                        [--start YYYY-MM-DD] [--throttle-every N]

Serves an HR emulator over a synthetic workforce until interrupted, and
prints one JSON line with its URL and the credentials a job's source needs.
Control endpoints: GET /hrsim/now, POST /hrsim/advance?days=N,
GET /hrsim/workers.
`

// runHrsim runs `hrsyncctl hrsim`.
func runHrsim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprint(stderr, hrsimUsage)
		return 2
	}
	fs := flag.NewFlagSet("hrsim serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, hrsimUsage) }
	kind := fs.String("kind", rehearsal.SuccessFactors, "")
	workers := fs.Int("workers", 1000, "")
	seed := fs.Int64("seed", 7, "")
	addr := fs.String("addr", "127.0.0.1:8090", "")
	start := fs.String("start", "", "")
	throttle := fs.Int("throttle-every", 0, "")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg := rehearsal.Config{Kind: *kind, Workers: *workers, Seed: *seed, ThrottleEvery: *throttle,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if *start != "" {
		t, err := time.Parse("2006-01-02", *start)
		if err != nil {
			fmt.Fprintf(stderr, "hrsyncctl hrsim: --start: %q is not a date (YYYY-MM-DD)\n", *start)
			return 2
		}
		cfg.Start = t
	}
	srv, err := rehearsal.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hrsyncctl hrsim: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "hrsyncctl hrsim: --addr: %v\n", err)
		return 1
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	info := map[string]string{"kind": srv.Kind(), "url": "http://" + ln.Addr().String()}
	for k, v := range srv.Credentials() {
		info[k] = v
	}
	b, _ := json.Marshal(info)
	fmt.Fprintln(stdout, string(b))
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		return 0
	case err := <-done:
		fmt.Fprintf(stderr, "hrsyncctl hrsim: %v\n", err)
		return 1
	}
}
