// Package cycle runs the pull sources of provisioning jobs. A Runner claims a
// job whose cycle is due (through the store, so replicas sharing a
// PostgreSQL database never run one job's cycle twice at once), reads the
// job's HR source, and stages what it read for the engine:
//
//   - an initial cycle (no watermark yet, or the mapping or scoping changed
//     since the watermark was made) reads every worker with Source.Full and
//     stages every record;
//   - an incremental cycle reads what changed since the watermark with
//     Source.Changes and stages only records that differ from the worker's
//     last staged record, so its cost follows the number of changes.
//
// Records are staged in batches with their digests and wakes in one
// transaction per batch; the watermark is stored only after the last batch,
// so a crash repeats a window and never skips one, and the engine's
// idempotent processing absorbs the repeat. Wakes (effective-dated changes
// the source announced) are handled as they fall due: the worker is read
// again as of that instant and staged.
package cycle

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Kinds of cycle.
const (
	Initial     = "initial"
	Incremental = "incremental"
)

// Store is what the runner reads and writes.
type Store interface {
	store.Jobs
	store.Uploads
	store.Syncs
}

// Opener builds the connector of a job from its stored source settings and
// the source attributes the job's mapping and filters read.
type Opener func(ctx context.Context, st store.SyncState, attributes []string) (source.Source, error)

// Config configures a Runner.
type Config struct {
	Store Store
	Open  Opener
	// Notify wakes the engine after records were staged.
	Notify func()
	// Owner names this replica in cycle leases. Default: a random ID.
	Owner string
	// Lease is how long a claimed cycle is held without renewal; the
	// runner renews it every third of it while the cycle runs, so a replica
	// that dies mid-cycle hands it over within one Lease. Default 30 s.
	Lease time.Duration
	// Batch is how many records are staged per transaction. Default 2,000.
	Batch int
	// RetryAfter is when a failed cycle is tried again, unless the job's
	// interval is shorter. Default 1 minute.
	RetryAfter time.Duration
	// Poll is how often the runner looks for due cycles and wakes.
	// Default 1 second.
	Poll   time.Duration
	Clock  clockwork.Clock
	Logger *slog.Logger
}

// CheckAndSetDefaults validates required fields and fills defaults.
func (c *Config) CheckAndSetDefaults() error {
	if c.Store == nil || c.Open == nil {
		return errors.New("cycle config: Store and Open are required")
	}
	if c.Notify == nil {
		c.Notify = func() {}
	}
	if c.Owner == "" {
		c.Owner = uuid.NewString()
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 2000
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Runner runs due cycles and wakes.
type Runner struct {
	cfg Config
}

// New returns a Runner.
func New(cfg Config) (*Runner, error) {
	if err := cfg.CheckAndSetDefaults(); err != nil {
		return nil, err
	}
	return &Runner{cfg: cfg}, nil
}

// Run runs cycles and wakes until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	tick := r.cfg.Clock.NewTicker(r.cfg.Poll)
	defer tick.Stop()
	for {
		for {
			ran, err := r.RunDue(ctx)
			if err != nil && ctx.Err() == nil {
				r.cfg.Logger.Error("claiming a cycle failed", "error", err)
			}
			if !ran || ctx.Err() != nil {
				break
			}
		}
		if _, err := r.HandleWakes(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Error("handling wakes failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
		}
	}
}

// RunDue claims one due cycle and runs it. ran is false when no cycle was
// due. A cycle that fails is recorded in the job's sync state and retried
// later; only a failure to claim or record is returned.
func (r *Runner) RunDue(ctx context.Context) (ran bool, err error) {
	st, ok, err := r.cfg.Store.ClaimCycle(ctx, r.cfg.Owner, r.cfg.Clock.Now(), r.cfg.Lease)
	if err != nil || !ok {
		return false, err
	}
	return true, r.run(ctx, st)
}

func (r *Runner) run(ctx context.Context, st store.SyncState) error {
	// Renew the lease while the cycle runs; losing it (another replica
	// took the cycle over) stops this one.
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		tick := r.cfg.Clock.NewTicker(r.cfg.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-tick.Chan():
				if err := r.cfg.Store.ExtendLease(cctx, st.JobID, r.cfg.Owner, r.cfg.Clock.Now().Add(r.cfg.Lease)); err != nil && cctx.Err() == nil {
					r.cfg.Logger.Warn("cycle lease lost; another replica runs the cycle", "job_id", st.JobID, "error", err)
					cancel(err)
					return
				}
			}
		}
	}()
	defer func() { cancel(nil); <-renewed }()
	return r.runLeased(cctx, st)
}

func (r *Runner) runLeased(ctx context.Context, st store.SyncState) error {
	now := r.cfg.Clock.Now()
	sum := store.CycleSummary{ID: uuid.Must(uuid.NewV7()).String(), StartedAt: now}
	log := r.cfg.Logger.With("job_id", st.JobID, "cycle_id", sum.ID)
	end := store.CycleEnd{}
	wm, version, err := r.read(ctx, st, &sum, log)
	sum.FinishedAt = r.cfg.Clock.Now()
	interval := st.Interval
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the lease expires and another replica takes over
		}
		sum.Error = err.Error()
		if k := source.KindOf(err); k != "" {
			sum.Error = string(k) + ": " + err.Error()
		}
		log.Warn("cycle failed", "kind", sum.Kind, "error", err)
		interval = min(interval, r.cfg.RetryAfter)
		if d := retryAfter(err); d > interval {
			interval = d
		}
	} else {
		end.Watermark, end.WatermarkVersion = wm, version
		log.Info("cycle finished", "kind", sum.Kind, "read", sum.Read, "staged", sum.Staged,
			"duration_ms", sum.FinishedAt.Sub(sum.StartedAt).Milliseconds())
	}
	end.Summary, end.NextCycleAt = sum, sum.FinishedAt.Add(interval)
	if err := r.cfg.Store.FinishCycle(ctx, st.JobID, r.cfg.Owner, end); err != nil {
		return fmt.Errorf("cycle %s of %s: %w", sum.ID, st.JobID, err)
	}
	return nil
}

func retryAfter(err error) time.Duration {
	var se *source.Error
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// read runs the source and stages what it returned; it returns the new
// watermark and the schema version it was made with.
func (r *Runner) read(ctx context.Context, st store.SyncState, sum *store.CycleSummary, log *slog.Logger) ([]byte, int, error) {
	job, err := r.cfg.Store.GetJob(ctx, st.JobID)
	if err != nil {
		return nil, 0, err
	}
	attrs, err := engine.SourceAttributes(job)
	if err != nil {
		return nil, 0, err
	}
	src, err := r.cfg.Open(ctx, st, attrs)
	if err != nil {
		return nil, 0, fmt.Errorf("open %s source: %w", st.SourceKind, err)
	}
	sum.Kind = Incremental
	if st.Watermark == nil || st.WatermarkVersion != job.SchemaVersion {
		sum.Kind = Initial
	}
	log.Info("cycle started", "kind", sum.Kind, "source", st.SourceKind)
	b := r.newBatcher(ctx, job.ID, sum)
	if sum.Kind == Incremental {
		if b.digests, err = r.cfg.Store.Digests(ctx, job.ID); err != nil {
			return nil, 0, err
		}
	}
	var wm source.Watermark
	if sum.Kind == Initial {
		wm, err = src.Full(ctx, b.add)
	} else {
		wm, err = src.Changes(ctx, st.Watermark, b.add)
	}
	if err != nil {
		return nil, 0, err
	}
	if err := b.flush(); err != nil {
		return nil, 0, err
	}
	if len(wm) == 0 {
		wm = source.Watermark("{}") // "read once": the next cycle is incremental
	}
	return wm, job.SchemaVersion, nil
}

// batcher stages records in batches.
type batcher struct {
	r       *Runner
	ctx     context.Context
	jobID   string
	sum     *store.CycleSummary
	digests map[string]int64 // nil: stage every record
	// wakesAfter drops the record's wakes at or before it; zero: now.
	wakesAfter time.Time
	n          int
	cur        store.Upload
}

func (r *Runner) newBatcher(ctx context.Context, jobID string, sum *store.CycleSummary) *batcher {
	return &batcher{r: r, ctx: ctx, jobID: jobID, sum: sum}
}

func (b *batcher) add(rec source.Record) error {
	b.sum.Read++
	if rec.Anchor == "" {
		return fmt.Errorf("the source returned a record without an anchor (record %d of the cycle)", b.sum.Read)
	}
	payload, err := engine.EncodeSource(rec.Attributes)
	if err != nil {
		return fmt.Errorf("record %q: %w", rec.Anchor, err)
	}
	d := Digest(payload)
	after := b.wakesAfter
	if after.IsZero() {
		after = b.r.cfg.Clock.Now()
	}
	for _, at := range rec.Wake {
		if at.After(after) {
			b.cur.Wakes = append(b.cur.Wakes, store.Wake{JobID: b.jobID, Anchor: rec.Anchor, DueAt: at})
		}
	}
	if b.digests != nil && b.digests[rec.Anchor] == d {
		return b.flushIfFull() // unchanged since the last record staged
	}
	if b.digests != nil {
		b.digests[rec.Anchor] = d // a second report in one cycle is a repeat
	}
	b.cur.Records = append(b.cur.Records, store.StagedRecord{BulkID: rec.Anchor, Anchor: rec.Anchor, Payload: payload, Digest: d})
	return b.flushIfFull()
}

func (b *batcher) flushIfFull() error {
	if len(b.cur.Records)+len(b.cur.Wakes) < b.r.cfg.Batch {
		return nil
	}
	return b.flush()
}

func (b *batcher) flush() error {
	if len(b.cur.Records) == 0 && len(b.cur.Wakes) == 0 {
		return nil
	}
	b.n++
	b.cur.ID, b.cur.CycleID, b.cur.JobID, b.cur.ReceivedAt = engine.BatchUploadID(b.sum.ID, b.n), b.sum.ID, b.jobID, b.r.cfg.Clock.Now()
	if err := b.r.cfg.Store.StageUpload(b.ctx, b.cur); err != nil {
		return err
	}
	b.sum.Staged += len(b.cur.Records)
	if len(b.cur.Records) > 0 {
		b.r.cfg.Notify()
	}
	b.cur = store.Upload{}
	return nil
}

// Digest fingerprints an encoded record (FNV-1a, 64 bits); never zero.
func Digest(payload []byte) int64 {
	h := fnv.New64a()
	h.Write(payload)
	if d := int64(h.Sum64()); d != 0 {
		return d
	}
	return 1
}

// HandleWakes reads the workers whose wakes are due as of their wake
// instant and stages them, one batch per job. It returns how many wakes it
// handled.
func (r *Runner) HandleWakes(ctx context.Context) (int, error) {
	due, err := r.cfg.Store.DueWakes(ctx, r.cfg.Clock.Now(), 500)
	if err != nil {
		return 0, err
	}
	sources := map[string]workerReader{}
	batches := map[string]*batcher{}
	done := map[string][]store.Wake{}
	var jobs []string // in the order first seen
	for _, w := range due {
		log := r.cfg.Logger.With("job_id", w.JobID)
		src, ok := sources[w.JobID]
		if !ok {
			src, err = r.openFor(ctx, w.JobID)
			if err != nil {
				log.Warn("wake skipped: the job's source cannot be opened", "error", err)
				if errors.Is(err, store.ErrNotFound) {
					_ = r.cfg.Store.DeleteWake(ctx, w) // the job is gone
				}
				continue
			}
			sources[w.JobID] = src
		}
		if src == nil {
			continue // paused, quarantined or failing this round: the wake waits
		}
		rec, found, err := src.Worker(ctx, w.Anchor, w.DueAt)
		if err != nil {
			log.Warn("wake failed; retried on the next poll", "error", err)
			sources[w.JobID] = nil // don't hammer a failing source this round
			continue
		}
		b := batches[w.JobID]
		if b == nil {
			b = r.newBatcher(ctx, w.JobID, &store.CycleSummary{ID: "wake-" + uuid.Must(uuid.NewV7()).String()})
			batches[w.JobID] = b
			jobs = append(jobs, w.JobID)
		}
		if found {
			// Later wakes of the record are kept even if already due: this
			// poll is late, and the next one handles them.
			b.wakesAfter = w.DueAt
			if err := b.add(rec); err != nil {
				return 0, fmt.Errorf("wake of %s: %w", w.JobID, err)
			}
		}
		done[w.JobID] = append(done[w.JobID], w)
	}
	handled := 0
	for _, jobID := range jobs {
		// Staged first, then forgotten: a crash in between handles the
		// wakes again, which the engine absorbs.
		if err := batches[jobID].flush(); err != nil {
			return handled, err
		}
		for _, w := range done[jobID] {
			if err := r.cfg.Store.DeleteWake(ctx, w); err != nil {
				return handled, err
			}
			handled++
		}
	}
	return handled, nil
}

// openFor opens the source of a job, or returns nil when the job is paused
// or quarantined. A job without a pull source (API-driven) gets its staged
// records back: the worker's latest record is processed again, which is
// what a wake of the lifecycle (a first or last day of work) needs.
func (r *Runner) openFor(ctx context.Context, jobID string) (workerReader, error) {
	job, err := r.cfg.Store.GetJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if job.Paused || job.QuarantineReason != "" {
		return nil, nil
	}
	st, err := r.cfg.Store.GetSyncState(ctx, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return staged{st: r.cfg.Store, jobID: jobID}, nil
	}
	if err != nil {
		return nil, err
	}
	attrs, err := engine.SourceAttributes(job)
	if err != nil {
		return nil, err
	}
	return r.cfg.Open(ctx, st, attrs)
}

// workerReader reads one worker as of an instant: a pull source, or the
// records staged for a job without one.
type workerReader interface {
	Worker(ctx context.Context, anchor string, at time.Time) (source.Record, bool, error)
}

// staged answers Worker from the records already staged for a job without
// a pull source.
type staged struct {
	st    Store
	jobID string
}

// Worker returns the worker's latest staged record, whatever at is.
func (s staged) Worker(ctx context.Context, anchor string, _ time.Time) (source.Record, bool, error) {
	rec, err := s.st.LatestRecord(ctx, s.jobID, anchor)
	if errors.Is(err, store.ErrNotFound) {
		return source.Record{}, false, nil
	}
	if err != nil {
		return source.Record{}, false, err
	}
	attrs, err := engine.DecodeSource(rec.Payload)
	if err != nil {
		return source.Record{}, false, err
	}
	return source.Record{Anchor: anchor, Attributes: attrs}, true, nil
}
