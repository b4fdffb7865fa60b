package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Plan is what the next cycle of a job would do: one entry per queued
// record, computed by running the records through the engine with writes
// captured instead of sent. Reads do reach the directory, so the plan sees
// the directory as it is.
type Plan struct {
	JobID string `json:"jobId"`
	// Fingerprint covers the queued records and everything read from the
	// directory; applying the plan checks it has not changed.
	Fingerprint string         `json:"fingerprint"`
	Records     int            `json:"records"`
	Entries     []PlanEntry    `json:"entries"`
	Counts      map[string]int `json:"counts"`
	// Quarantine is set when the cycle would trip a safety net.
	Quarantine string `json:"quarantine,omitempty"`
}

// PlanEntry is what one record would do.
type PlanEntry struct {
	Worker     string            `json:"worker"`
	Action     string            `json:"action"`
	Status     string            `json:"status"`
	Target     string            `json:"target,omitempty"`
	Modified   []Modified        `json:"modifiedProperties,omitempty"`
	Error      string            `json:"error,omitempty"`
	Operations []json.RawMessage `json:"operations,omitempty"`
}

// Summary renders the plan for people.
func (p *Plan) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d queued record(s):", p.Records)
	keys := make([]string, 0, len(p.Counts))
	for k := range p.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %d %s", p.Counts[k], k)
	}
	b.WriteString("\n")
	if p.Quarantine != "" {
		fmt.Fprintf(&b, "The cycle would be held: %s\n", p.Quarantine)
	}
	for _, e := range p.Entries {
		fmt.Fprintf(&b, "%-8s %-8s %s", e.Action, e.Status, e.Worker)
		if e.Target != "" {
			fmt.Fprintf(&b, " -> %s", e.Target)
		}
		b.WriteString("\n")
		for _, m := range e.Modified {
			fmt.Fprintf(&b, "    %s: %q -> %q\n", m.DisplayName, m.OldValue, m.NewValue)
		}
		if e.Error != "" {
			fmt.Fprintf(&b, "    error: %s\n", e.Error)
		}
	}
	return b.String()
}

// Plan computes the plan of a job's queued records without writing to the
// directory or the store.
func (e *Engine) Plan(ctx context.Context, jobID string) (*Plan, error) {
	job, err := e.cfg.Store.GetJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	recs, err := e.cfg.Store.PendingRecords(ctx, jobID, maxGuardRecords)
	if err != nil {
		return nil, err
	}
	cs := &captureStore{Store: e.cfg.Store}
	pd := &planDispatcher{real: e.cfg.Dispatch, prefix: "plan." + uuid.NewString() + "."}
	pe, err := New(Config{Store: cs, Dispatch: pd, Workers: 1, Clock: e.cfg.Clock, Logger: e.cfg.Logger, PasswordLength: e.cfg.PasswordLength})
	if err != nil {
		return nil, err
	}
	cj, err := pe.jobFor(job)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, r := range recs {
		fmt.Fprintf(h, "record %d %s %x\n", r.ID, r.Anchor, sha256.Sum256(r.Payload))
	}
	p := &Plan{JobID: jobID, Records: len(recs), Counts: map[string]int{}}
	if ok, err := pe.guardDeletes(ctx, job, cj, recs); err != nil {
		return nil, err
	} else if !ok {
		p.Quarantine = cs.quarantine
	}
	for _, r := range recs {
		pd.reset()
		cs.reset()
		if err := pe.processRecord(ctx, job, cj, r); err != nil {
			return nil, err
		}
		for _, o := range cs.outcomes {
			entry := PlanEntry{Worker: o.Log.SourceID, Action: o.Log.Action, Status: o.Log.Status, Target: o.Log.TargetName, Error: o.Log.ErrorMessage}
			_ = json.Unmarshal(o.Log.Modified, &entry.Modified)
			entry.Operations = pd.writes
			p.Entries = append(p.Entries, entry)
			p.Counts[entry.Action]++
		}
		h.Write(pd.reads)
	}
	p.Fingerprint = hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// captureStore lets reads through and keeps writes in memory.
type captureStore struct {
	Store
	mu         sync.Mutex
	outcomes   []store.Outcome
	quarantine string
}

func (c *captureStore) reset() {
	c.mu.Lock()
	c.outcomes = nil
	c.mu.Unlock()
}

func (c *captureStore) FinishRecord(_ context.Context, o store.Outcome) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o.Log.Action == "stagedDelete" {
		return nil // the guard's view is reported as the plan's quarantine
	}
	c.outcomes = append(c.outcomes, o)
	return nil
}

// MarkAlerted: a plan mails nobody and records nothing.
func (c *captureStore) MarkAlerted(context.Context, string, string) (bool, error) { return false, nil }

func (c *captureStore) SetQuarantine(_ context.Context, _, reason string, _ time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.quarantine = reason
	return nil
}

// planDispatcher sends reads (under op IDs of their own) and captures
// writes, answering them as the directory would if they succeeded.
type planDispatcher struct {
	real   Dispatcher
	prefix string
	mu     sync.Mutex
	reads  []byte
	writes []json.RawMessage
}

func (d *planDispatcher) reset() {
	d.mu.Lock()
	d.reads, d.writes = nil, nil
	d.mu.Unlock()
}

func (d *planDispatcher) Do(ctx context.Context, jobID string, op *agentv1.Operation) (*agentv1.Result, error) {
	switch k := op.GetKind().(type) {
	case *agentv1.Operation_CreateUser, *agentv1.Operation_ModifyUser:
		b, _ := protojson.Marshal(op)
		d.mu.Lock()
		d.writes = append(d.writes, b)
		d.mu.Unlock()
		res := &agentv1.Result{OpId: op.GetOpId()}
		if cu, ok := k.(*agentv1.Operation_CreateUser); ok {
			res.Outcome = agentv1.Outcome_OUTCOME_CREATED
			res.Entries = []*agentv1.Entry{{Dn: "CN=" + cu.CreateUser.GetCn() + "," + cu.CreateUser.GetParentDn(),
				ObjectGuid: "(planned)", Enabled: cu.CreateUser.GetEnable()}}
		} else {
			res.Outcome = agentv1.Outcome_OUTCOME_MODIFIED
		}
		return res, nil
	}
	read := proto.Clone(op).(*agentv1.Operation)
	read.OpId = d.prefix + op.GetOpId()
	res, err := d.real.Do(ctx, jobID, read)
	if err != nil {
		return nil, err
	}
	// Only what the directory said counts: op ID, attempt and sequence
	// differ on every dispatch.
	said := &agentv1.Result{Outcome: res.GetOutcome(), Error: res.GetError(), Entries: res.GetEntries()}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(said)
	d.mu.Lock()
	d.reads = append(d.reads, b...)
	d.mu.Unlock()
	res.OpId = op.GetOpId()
	return res, nil
}

// ErrPlanChanged: the queued records or the directory changed since the
// plan was made; make a new plan.
var ErrPlanChanged = errors.New("the source or the directory changed since the plan was made")

// ErrNotPaused: plans are applied to paused jobs, whose queue cannot move
// underneath the plan.
var ErrNotPaused = errors.New("the job is not paused")

// ApplyPlan resumes a paused job if its plan is still the one with
// fingerprint: same queued records, same directory reads. The records then
// take the normal path, which does exactly what the plan showed.
func (e *Engine) ApplyPlan(ctx context.Context, jobID, fingerprint string) (*Plan, error) {
	job, err := e.cfg.Store.GetJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if !job.Paused {
		return nil, ErrNotPaused
	}
	p, err := e.Plan(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if p.Fingerprint != fingerprint {
		return p, ErrPlanChanged
	}
	if err := e.cfg.Store.SetPaused(ctx, jobID, false); err != nil {
		return nil, err
	}
	e.Notify()
	return p, nil
}
