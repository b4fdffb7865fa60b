package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// A snapshot is a job's target users read once with a paged export. While a
// large backlog drains (an initial cycle, a big upload), records are matched
// against it in memory instead of with one directory search each: a search
// on an unindexed attribute such as employeeID costs the directory a scan,
// so per-record matching grows with the square of the workforce.
//
// Any write through the engine makes the object's snapshot entry stale: it
// is forgotten, and the next record of that object reads the directory. A
// created object is added under its matching attributes, so a second record
// matching it in the same drain finds it. Changes made by others while the
// backlog drains are seen when the entry is next read from the directory.
type snapshot struct {
	taken time.Time

	mu     sync.Mutex
	byGUID map[string]*agentv1.Entry
	// byAttr indexes entries by lower-cased matching attribute and value
	// (AD compares these strings case-insensitively).
	byAttr map[string]map[string][]*agentv1.Entry
}

func newSnapshot(taken time.Time, entries []*agentv1.Entry, matching []string) *snapshot {
	s := &snapshot{taken: taken, byGUID: make(map[string]*agentv1.Entry, len(entries)), byAttr: map[string]map[string][]*agentv1.Entry{}}
	for _, a := range matching {
		s.byAttr[strings.ToLower(a)] = make(map[string][]*agentv1.Entry, len(entries))
	}
	for _, e := range entries {
		s.add(e)
	}
	return s
}

func (s *snapshot) add(e *agentv1.Entry) {
	s.byGUID[e.GetObjectGuid()] = e
	for _, a := range e.GetAttributes() {
		idx, ok := s.byAttr[strings.ToLower(a.GetName())]
		if !ok {
			continue
		}
		for _, v := range a.GetValues() {
			k := strings.ToLower(v)
			idx[k] = append(idx[k], e)
		}
	}
}

// linked returns the entry of a linked object; ok is false when the
// snapshot does not know it (created or written since), and the directory
// must be read.
func (s *snapshot) linked(guid string) (*agentv1.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byGUID[guid]
	return e, ok && e != nil
}

// match returns the entries whose attribute holds value, and whether the
// snapshot can answer (it indexed the attribute and no matching object was
// written since it was taken).
func (s *snapshot) match(attr, value string) ([]*agentv1.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, ok := s.byAttr[strings.ToLower(attr)]
	if !ok {
		return nil, false
	}
	found := idx[strings.ToLower(value)]
	for _, e := range found {
		if cur, ok := s.byGUID[e.GetObjectGuid()]; !ok || cur == nil {
			return nil, false // written since: ask the directory
		}
	}
	return found, true
}

// forget marks an object written: its entry is stale. It stays in the
// attribute index so a match on it defers to the directory.
func (s *snapshot) forget(guid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byGUID[guid]; ok {
		s.byGUID[guid] = nil
	}
}

// created indexes an object created since the snapshot was taken, stale
// from the start: a match on it defers to the directory.
func (s *snapshot) created(e *agentv1.Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(e)
	s.byGUID[e.GetObjectGuid()] = nil
}

// snapshotFor returns the job's snapshot, or nil when there is none.
func (e *Engine) snapshotFor(jobID string) *snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snapshots[jobID]
}

// prepareSnapshot takes a snapshot of the job's users when the backlog is
// large enough to be worth it and there is no fresh one.
func (e *Engine) prepareSnapshot(ctx context.Context, job store.Job, cj *compiledJob) error {
	if e.cfg.SnapshotMin <= 0 {
		return nil
	}
	if s := e.snapshotFor(job.ID); s != nil && e.cfg.Clock.Since(s.taken) < e.cfg.SnapshotTTL {
		return nil
	}
	n, err := e.cfg.Store.CountPendingRecords(ctx, job.ID)
	if err != nil {
		return err
	}
	if n < e.cfg.SnapshotMin {
		return nil
	}
	var matching []string
	for _, mr := range cj.mapping.Matching() {
		matching = append(matching, mr.Target)
	}
	start := e.cfg.Clock.Now()
	res, err := e.cfg.Dispatch.Do(ctx, job.ID, &agentv1.Operation{
		OpId: fmt.Sprintf("snapshot-%s-%s", job.ID, newID()), Domain: job.Domain,
		Kind: &agentv1.Operation_ExportUsers{ExportUsers: &agentv1.ExportUsers{BaseDn: domainDN(job), Attributes: readAttributes(cj.mapping), PageSize: 1000}},
	})
	if err != nil {
		return err
	}
	if res.GetError() != nil {
		// Not fatal: records are matched one by one, as without a snapshot.
		e.cfg.Logger.Warn("reading the directory for in-memory matching failed", "job_id", job.ID, "error_code", res.GetError().GetCode().String())
		return nil
	}
	s := newSnapshot(start, res.GetEntries(), matching)
	e.mu.Lock()
	e.snapshots[job.ID] = s
	e.mu.Unlock()
	e.cfg.Logger.Info("directory read for in-memory matching", "job_id", job.ID, "users", len(res.GetEntries()), "pending", n,
		"duration_ms", e.cfg.Clock.Since(start).Milliseconds())
	return nil
}

// dropSnapshot forgets the job's snapshot once its backlog has drained.
func (e *Engine) dropSnapshot(jobID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.snapshots, jobID)
}

// do runs an operation and keeps the job's snapshot honest about writes.
// An operation that had to be dispatched more than once (its agent was
// lost or did not answer in time) says so in the record's trail, when
// there is one.
func (e *Engine) do(ctx context.Context, jobID string, t *trail, op *agentv1.Operation) (*agentv1.Result, error) {
	res, err := e.cfg.Dispatch.Do(ctx, jobID, op)
	if t != nil {
		t.dispatched(op.GetOpId(), res)
	}
	s := e.snapshotFor(jobID)
	if s == nil {
		return res, err
	}
	switch k := op.GetKind().(type) {
	case *agentv1.Operation_ModifyUser:
		s.forget(k.ModifyUser.GetTarget().GetObjectGuid())
	case *agentv1.Operation_CreateUser:
		// Index the new object by what was written, whatever the agent
		// echoes back.
		cu := k.CreateUser
		for _, en := range res.GetEntries() {
			attrs := append([]*agentv1.Attribute{{Name: cu.GetMatch().GetAttribute(), Values: []string{cu.GetMatch().GetValue()}}}, cu.GetAttributes()...)
			s.created(&agentv1.Entry{Dn: en.GetDn(), ObjectGuid: en.GetObjectGuid(), Attributes: attrs})
		}
	}
	return res, err
}
