package engine

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Dispatcher runs one operation to its final result.
type Dispatcher interface {
	Do(ctx context.Context, jobID string, op *agentv1.Operation) (*agentv1.Result, error)
}

// Store is what the engine reads and writes.
type Store interface {
	store.Jobs
	store.Uploads
	store.Links
	store.Logs
	store.References
	store.Escrows
}

// Config configures an Engine.
type Config struct {
	Store    Store
	Dispatch Dispatcher
	// Workers is how many records of one job are processed at once; records
	// with the same anchor always go to the same worker, in order. Default 4.
	Workers int
	// Batch is how many pending records are read at a time. Default 200.
	Batch int
	// SnapshotMin is the backlog of a job, in records, from which its
	// target users are read once with a paged export and matched in memory
	// (see snapshot). Default 500; negative: never.
	SnapshotMin int
	// SnapshotTTL is how long a snapshot is used before it is read again.
	// Default 15 minutes.
	SnapshotTTL time.Duration
	// WriteBack writes values back to the HR system of a job (the job's
	// pull source); nil when no source can. Errors are logged on the
	// record, which still succeeds.
	WriteBack func(ctx context.Context, jobID, anchor string, values map[string]string) error
	// Alert mails a job's notification address; nil: no mail is sent
	// (no SMTP relay configured).
	Alert func(ctx context.Context, to, subject, body string) error
	// PasswordLength of the random initial password. Default 16.
	PasswordLength uint32
	// Leases, when set, claims each job through the store before its
	// records are processed or its sweeps run, so replicas sharing the
	// store never work on one job at once. Nil: this process is the only
	// one (SQLite).
	Leases store.Leases
	// Owner names this replica in leases. Default: a random ID.
	Owner string
	// Lease is how long a job stays claimed without renewal; the claim is
	// renewed every third of it, so a replica that dies hands its jobs
	// over within one Lease. Default 30s.
	Lease  time.Duration
	Clock  clockwork.Clock
	Logger *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Store == nil || c.Dispatch == nil {
		return errors.New("engine config: Store and Dispatch are required")
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Batch <= 0 {
		c.Batch = 200
	}
	if c.SnapshotMin == 0 {
		c.SnapshotMin = 500
	}
	if c.SnapshotTTL <= 0 {
		c.SnapshotTTL = 15 * time.Minute
	}
	if c.PasswordLength == 0 {
		c.PasswordLength = 16
	}
	if c.Owner == "" {
		c.Owner = uuid.NewString()
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Engine processes staged records of every job.
type Engine struct {
	cfg  Config
	wake chan struct{}

	mu sync.Mutex // guards the fields below
	// running marks jobs being processed.
	running map[string]bool
	// compiled caches compiled jobs by job ID (one schema version each).
	compiled map[string]*compiledJob
	// reserved holds unique values chosen by records not yet finished,
	// by domain+attribute+value, to the record ID.
	reserved map[string]int64
	// checkedUploads marks uploads the deletion guard let through, by job.
	checkedUploads map[string]map[string]bool
	// probes schedule the recovery of jobs quarantined by an exception.
	probes map[string]probe
	// snapshots hold the target users of jobs draining a large backlog.
	snapshots map[string]*snapshot
	// alerted is the quarantine reason each job's admin was last mailed.
	alerted map[string]string
	// lastExpiry is when expired accounts were last looked for.
	lastExpiry time.Time
}

// New returns an Engine.
func New(cfg Config) (*Engine, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, wake: make(chan struct{}, 1), running: map[string]bool{}, compiled: map[string]*compiledJob{}, reserved: map[string]int64{},
		checkedUploads: map[string]map[string]bool{}, probes: map[string]probe{}, snapshots: map[string]*snapshot{}, alerted: map[string]string{}}, nil
}

// Notify wakes the engine after new records were staged.
func (e *Engine) Notify() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run processes records until ctx ends. Records left pending by a crash are
// picked up at start.
func (e *Engine) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := e.cfg.Clock.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		jobs, err := e.cfg.Store.JobsWithPendingRecords(ctx)
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("list jobs with pending records failed", "error", err)
		}
		// One read of the jobs serves the sweeps of this round.
		if all, err := e.cfg.Store.ListJobs(ctx); err != nil {
			if ctx.Err() == nil {
				e.cfg.Logger.Error("list jobs failed", "error", err)
			}
		} else {
			e.noteAlerted(all...)
			e.sweepReferences(ctx, all, jobs)
			e.sweepExpired(ctx, all)
			if err := e.probeQuarantined(ctx, all); err != nil && ctx.Err() == nil {
				e.cfg.Logger.Error("probing quarantined jobs failed", "error", err)
			}
		}
		if err := e.stageDueEscrows(ctx); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("staging escrowed records failed", "error", err)
		}
		for _, id := range jobs {
			jctx, release, ok := e.hold(ctx, id)
			if !ok {
				continue // busy here, or another replica has it
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := e.processJob(jctx, id)
				release()
				if errors.Is(err, errJobHeld) {
					return // an admin's action wakes the engine again
				}
				if err != nil && ctx.Err() == nil {
					e.cfg.Logger.Error("job processing stopped", "job_id", id, "error", err)
				}
				e.Notify() // records may have arrived meanwhile
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-tick.Chan():
		}
	}
}

// sweepReferences resolves pending references of idle jobs (a crash between
// a manager's record and the resolution leaves some behind).
func (e *Engine) sweepReferences(ctx context.Context, jobs []store.Job, busy []string) {
	for _, j := range jobs {
		if slices.Contains(busy, j.ID) {
			continue // processJob resolves them when it drains
		}
		if n, err := e.cfg.Store.CountPendingReferences(ctx, j.ID); err != nil || n == 0 {
			continue
		}
		jctx, release, ok := e.hold(ctx, j.ID)
		if !ok {
			continue
		}
		err := e.resolvePending(jctx, j)
		release()
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("resolving pending references failed", "job_id", j.ID, "error", err)
		}
	}
}

// jobFor returns the compiled job, compiling it again after a schema
// change.
func (e *Engine) jobFor(job store.Job) (*compiledJob, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.compiled[job.ID]; ok && c.version == job.SchemaVersion {
		return c, nil
	}
	c, err := compileJob(job.Mapping, job.Scoping, job.SchemaVersion)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", job.ID, err)
	}
	e.compiled[job.ID] = c
	return c, nil
}

// processJob drains the pending records of one job.
func (e *Engine) processJob(ctx context.Context, jobID string) error {
	job, err := e.cfg.Store.GetJob(ctx, jobID)
	if err != nil {
		return err
	}
	e.noteAlerted(job)
	m, err := e.jobFor(job)
	if err != nil {
		return err
	}
	for {
		if job.QuarantineReason != "" || job.Paused {
			return errJobHeld // an admin must act first; the records stay queued
		}
		recs, err := e.cfg.Store.PendingRecords(ctx, jobID, e.cfg.Batch)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			e.dropSnapshot(jobID)
			return e.resolvePending(ctx, job)
		}
		if err := e.prepareSnapshot(ctx, job, m); err != nil {
			return err
		}
		if ok, err := e.guardDeletes(ctx, job, m, recs); err != nil {
			return err
		} else if !ok {
			return errJobHeld
		}
		// Shard by anchor: one worker per shard keeps a worker's records in
		// order, so two uploads of the same person apply in sequence.
		shards := make([][]store.StagedRecord, e.cfg.Workers)
		for _, r := range recs {
			h := fnv.New32a()
			h.Write([]byte(r.Anchor))
			i := int(h.Sum32() % uint32(e.cfg.Workers))
			shards[i] = append(shards[i], r)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(shards))
		for i, shard := range shards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, r := range shard {
					if err := e.processRecord(ctx, job, m, r); err != nil {
						errs[i] = err
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err == nil {
			if held, err := e.checkEscrows(ctx, job); err != nil {
				return err
			} else if held {
				return errJobHeld
			}
		}
		if err := errors.Join(errs...); err != nil {
			if errors.Is(err, errQuarantine) {
				if qerr := e.quarantine(ctx, job); qerr != nil {
					return qerr
				}
				return errJobHeld
			}
			return err
		}
	}
}

// errJobHeld: the job is quarantined or paused; its records wait for an
// admin.
var errJobHeld = errors.New("job is quarantined or paused")

// newID returns a time-ordered UUID (version 7), so log entries written in
// the same millisecond still page in the order they were written.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
