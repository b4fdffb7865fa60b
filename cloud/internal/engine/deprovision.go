package engine

import (
	"context"
	"fmt"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// deprovisions reports whether a worker who leaves scope loses their
// account's access: the job may delete (flow types) and does not skip
// out-of-scope deletions. Deprovisioning is a disable, never a delete.
func (cj *compiledJob) deprovisions() bool {
	return cj.flow.Delete && !cj.skipOutOfScope
}

// outOfScope handles a record outside the job's scope: an account hrsync
// provisioned and last saw enabled is disabled (Entra's default), unless the
// job skips out-of-scope deletions; anything else is skipped.
func (e *Engine) outOfScope(ctx context.Context, job store.Job, cj *compiledJob, rec store.StagedRecord, reason string, entry *store.LogEntry, t *trail) (*store.Link, error) {
	l, err := e.cfg.Store.GetLink(ctx, job.ID, rec.Anchor)
	linked := err == nil
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if !linked || !l.Enabled || !cj.deprovisions() {
		why := "no account of this worker is enabled"
		if linked && l.Enabled {
			why = "the job skips out-of-scope deletions"
		}
		entry.Status = StatusSkipped
		t.add("EntrySynchronizationScoping", StepScoping, StatusSkipped, fmt.Sprintf("Out of scope: %s; nothing to do (%s)", reason, why), nil)
		if linked {
			return &l, nil
		}
		return nil, nil
	}
	entry.Action, entry.TargetID, entry.TargetName = "disable", l.ObjectGUID, l.DN
	t.add("EntrySynchronizationScoping", StepScoping, StatusSuccess, "Out of scope: "+reason+"; the account is disabled", nil)
	off := false
	res, err := e.do(ctx, job.ID, t, &agentv1.Operation{
		OpId: opID(rec, "deprovision"), Domain: job.Domain,
		Kind: &agentv1.Operation_ModifyUser{ModifyUser: &agentv1.ModifyUser{
			Target: &agentv1.ObjectRef{ObjectGuid: l.ObjectGUID, Dn: l.DN}, Enabled: &off}},
	})
	if err != nil {
		return nil, err
	}
	if e := res.GetError(); e != nil {
		t.add("EntryExportUpdate", StepExport, StatusFailure, "Disabling the account failed", nil)
		return nil, dirErr(e)
	}
	t.change(attrAccountDisabled, []string{"False"}, []string{"True"})
	t.add("EntryExportUpdate", StepExport, StatusSuccess, "Disabled the account", map[string]string{"objectGUID": l.ObjectGUID})
	l.Enabled, l.UpdatedAt = false, e.cfg.Clock.Now()
	if es := res.GetEntries(); len(es) == 1 {
		l.DN = es[0].GetDn()
	}
	return &l, nil
}
