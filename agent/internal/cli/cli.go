// Package cli is hrsync-agent's wiring: commands, configuration, logging,
// and the assembly of journal, executor, worker and link. The binary's main
// only calls Run, so tests drive the same code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"github.com/kardianos/service"

	"github.com/hrsync/hrsync/agent/internal/config"
	"github.com/hrsync/hrsync/agent/internal/enroll"
	"github.com/hrsync/hrsync/agent/internal/logfile"
	"github.com/hrsync/hrsync/agent/internal/winsvc"
	"github.com/hrsync/hrsync/shared/logging"
	"github.com/hrsync/hrsync/shared/version"
)

const usage = `hrsync-agent writes HR-driven account changes into Active Directory.
It dials out to hrsync-cloud over one mutual-TLS stream; it needs no inbound port.

Usage:
  hrsync-agent register --config FILE --cloud HOST:PORT [--cloud-ca FILE] [--token T] [--agent-id ID]
                                         enroll with a bootstrap token (prompts in a terminal)
  hrsync-agent credentials set --config FILE --domain DOMAIN
                                         store a domain's service-account password on this host
  hrsync-agent run --config FILE         run in the foreground (or under the service manager)
  hrsync-agent install --config FILE     install as a service (systemd / Windows SCM)
  hrsync-agent uninstall | start | stop | status
  hrsync-agent version
`

// Run is hrsync-agent's entry point.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version", "--version":
		fmt.Fprintf(stdout, "hrsync-agent %s (protocol %d)\n", version.Version, version.Protocol)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "run":
		return run(ctx, rest, stderr)
	case "register":
		return register(ctx, rest, newConsole(), stdout, stderr)
	case "credentials":
		return credentialsCmd(rest, newConsole(), stdout, stderr)
	case "install", "uninstall", "start", "stop", "status":
		return control(cmd, rest, stdout, stderr)
	}
	fmt.Fprintf(stderr, "hrsync-agent: unknown command %q\n\n%s", cmd, usage)
	return 2
}

// LoadConfig applies the layers: defaults, file, env, flags, secrets.
func LoadConfig(args []string, getenv func(string) string, stderr io.Writer) (config.Config, string, error) {
	cfg := config.Default()
	probe := flag.NewFlagSet("probe", flag.ContinueOnError)
	probe.SetOutput(io.Discard)
	file := probe.String("config", getenv("HRSYNC_AGENT_CONFIG"), "")
	cfg.AddFlags(probe)
	_ = probe.Parse(args)
	if *file != "" {
		if err := cfg.LoadFile(*file); err != nil {
			return cfg, *file, err
		}
	}
	cfg.LoadEnv(getenv)
	fs := flag.NewFlagSet("hrsync-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("config", *file, "YAML configuration file")
	cfg.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return cfg, *file, err
	}
	if err := cfg.ResolveSecrets(); err != nil {
		return cfg, *file, err
	}
	return cfg, *file, cfg.Validate()
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, _, err := LoadConfig(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: invalid configuration:\n%v\n", err)
		return 2
	}
	// Logs go to stderr, to hourly JSON files kept log.retention, and,
	// under the Windows service, warnings and errors to the event log.
	files, err := logfile.Open(logfile.Config{Dir: cfg.LogDir(), Retention: cfg.Log.Retention})
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: log.dir: %v\n", err)
		return 1
	}
	defer files.Close()
	pruneCtx, stopPrune := context.WithCancel(ctx)
	var pruning sync.WaitGroup
	pruning.Go(func() { files.Run(pruneCtx) })
	defer pruning.Wait()
	defer stopPrune()
	toStderr, err := logging.NewHandler(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 2
	}
	toFiles, err := logging.NewHandler(files, cfg.Log.Level, "json")
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 2
	}
	handlers := []slog.Handler{toStderr, toFiles}
	prog := &winsvc.Program{}
	var svc service.Service
	if !service.Interactive() {
		if svc, err = service.New(prog, winsvc.Config("")); err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: service setup failed: %v\n", err)
			return 1
		}
		if runtime.GOOS == "windows" {
			events, err := svc.SystemLogger(nil)
			if err != nil {
				fmt.Fprintf(stderr, "hrsync-agent: event log: %v\n", err)
			} else {
				handlers = append(handlers, winsvc.NewEventLogHandler(events))
			}
		}
	}
	// RunAgent adds agent_id from the enrolled identity.
	log := slog.New(slog.NewMultiHandler(handlers...))
	prog.Run = func(ctx context.Context) error { return RunAgent(ctx, cfg, log) }
	if svc != nil {
		if err := svc.Run(); err != nil {
			log.Error("service failed", "error", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := RunAgent(ctx, cfg, log); err != nil {
		log.Error("agent stopped", "error", err)
		return 1
	}
	return 0
}

func control(action string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("config", "", "configuration file the service runs with")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if action == "install" {
		if *file == "" {
			fmt.Fprintln(stderr, "hrsync-agent: install needs --config FILE")
			return 2
		}
		abs, err := filepath.Abs(*file)
		if err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
			return 1
		}
		cfg, _, err := LoadConfig([]string{"--config", abs}, os.Getenv, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: the configuration would not start:\n%v\n", err)
			return 2
		}
		if _, err := enroll.Load(enroll.Dir(cfg.StateDir)); err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
			return 2
		}
		*file = abs
	}
	s, err := service.New(&winsvc.Program{}, winsvc.Config(*file))
	if err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 1
	}
	if action == "status" {
		st, err := winsvc.Status(s)
		if err != nil {
			fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, st)
		return 0
	}
	if err := winsvc.Control(s, action); err != nil {
		fmt.Fprintf(stderr, "hrsync-agent: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s done\n", winsvc.Name, action)
	return 0
}
