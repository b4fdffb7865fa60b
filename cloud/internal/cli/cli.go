// Package cli is the wiring of hrsync-cloud and hrsyncctl: flag parsing,
// configuration, logging and the assembly of the server. The binaries'
// main functions only call Run or RunCtl, so tests can drive the same code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/config"
	"github.com/hrsync/hrsync/shared/logging"
	"github.com/hrsync/hrsync/shared/version"
)

const cloudUsage = `hrsync-cloud is the control plane of hrsync.

Usage:
  hrsync-cloud serve [flags]     run the API, the agent gateway and the engine
  hrsync-cloud version           print the version

Run 'hrsync-cloud serve -h' for the flags. Configuration is read from
defaults, then --config FILE (YAML), then HRSYNC_* variables, then flags.
`

// Run is hrsync-cloud's entry point.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, cloudUsage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "hrsync-cloud %s (protocol %d)\n", version.Version, version.Protocol)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, cloudUsage)
		return 0
	}
	fmt.Fprintf(stderr, "hrsync-cloud: unknown command %q\n\n%s", args[0], cloudUsage)
	return 2
}

// LoadConfig applies the layers: defaults, file, env, flags.
func LoadConfig(args []string, getenv func(string) string, stderr io.Writer) (config.Config, error) {
	cfg := config.Default()
	fs := flag.NewFlagSet("hrsync-cloud serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", getenv("HRSYNC_CONFIG"), "YAML configuration file")
	// Parse once to find --config, then again so flags override the file.
	probe := flag.NewFlagSet("probe", flag.ContinueOnError)
	probe.SetOutput(io.Discard)
	probeFile := probe.String("config", *configFile, "")
	cfg.AddFlags(probe)
	_ = probe.Parse(args)
	if *probeFile != "" {
		if err := cfg.LoadFile(*probeFile); err != nil {
			return cfg, err
		}
	}
	if err := cfg.LoadEnv(getenv); err != nil {
		return cfg, err
	}
	cfg.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return cfg, cfg.Validate()
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-cloud: %v\n", err)
		return 2
	}
	log, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-cloud: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := Start(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-cloud: %v\n", err)
		return 1
	}
	<-ctx.Done()
	log.Info("shutting down")
	if err := srv.Stop(10 * time.Second); err != nil {
		log.Error("shutdown failed", "error", err)
		return 1
	}
	return 0
}
