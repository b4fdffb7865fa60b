package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// referenceAttributes are target attributes whose mapped value is the
// source anchor of another record (the manager's worker ID), written to the
// directory as that record's DN.
var referenceAttributes = []string{"manager"}

func isReference(name string) bool {
	for _, r := range referenceAttributes {
		if strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

// resolveReferences replaces the anchors of reference attributes in attrs
// by DNs where the target is linked, and returns the references that must
// wait for their target. Every reference attribute the mapping writes loses
// its earlier pending entry (the trail records that).
func (e *Engine) resolveReferences(ctx context.Context, job store.Job, rec store.StagedRecord, targets []string, attrs map[string][]string, t *trail) error {
	for _, name := range targets {
		if isReference(name) {
			t.refDel = append(t.refDel, store.ReferenceKey{JobID: job.ID, Anchor: rec.Anchor, Attribute: name})
		}
	}
	for name, vals := range attrs {
		if !isReference(name) || len(vals) == 0 {
			continue
		}
		target := vals[0]
		if target == rec.Anchor || (target == t.matchValue && t.matchValue != "") {
			// A worker who is their own manager (the CEO in many HR
			// systems) gets no manager.
			delete(attrs, name)
			continue
		}
		l, err := e.cfg.Store.GetLink(ctx, job.ID, target)
		if isNotFound(err) {
			// The reference may name its target by the matching value
			// (SuccessFactors' managerId is a personIdExternal).
			l, err = e.cfg.Store.LinkByMatchValue(ctx, job.ID, target)
		}
		switch {
		case err == nil:
			attrs[name] = []string{l.DN}
			t.add("EntryReferenceResolution", StepReferenceResolution, StatusSuccess,
				fmt.Sprintf("%s resolved to the directory object of %q", name, target), map[string]string{name: l.DN})
		case isNotFound(err):
			delete(attrs, name)
			t.refPut = append(t.refPut, store.PendingReference{JobID: job.ID, Anchor: rec.Anchor, Attribute: name, Target: target, CreatedAt: e.cfg.Clock.Now()})
			t.add("EntryReferenceResolution", StepReferenceResolution, StatusSkipped,
				fmt.Sprintf("%s refers to %q, who has no directory object yet; it is set as soon as they do", name, target), nil)
		default:
			return err
		}
	}
	return nil
}

// sameDN compares two DNs as the directory does.
func sameDN(a, b string) bool {
	da, errA := ldap.ParseDN(a)
	db, errB := ldap.ParseDN(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(a, b)
	}
	return da.EqualFold(db)
}

// resolvePending sets the references that waited for a target which is now
// linked: one update per reference, logged like any other change.
func (e *Engine) resolvePending(ctx context.Context, job store.Job) error {
	for {
		refs, err := e.cfg.Store.ResolvableReferences(ctx, job.ID, 100)
		if err != nil || len(refs) == 0 {
			return err
		}
		for _, r := range refs {
			if err := e.resolveOne(ctx, job, r); err != nil {
				return err
			}
		}
	}
}

func (e *Engine) resolveOne(ctx context.Context, job store.Job, r store.ResolvableReference) error {
	start := e.cfg.Clock.Now()
	entry := store.LogEntry{ID: newID(), JobID: job.ID, CycleID: "reference-resolution", ChangeID: newID(),
		Action: "update", Status: StatusSuccess, SourceID: r.Anchor, SourceName: r.Anchor,
		TargetID: r.Holder.ObjectGUID, TargetName: r.Holder.DN}
	var t trail
	t.add("EntryReferenceResolution", StepReferenceResolution, StatusSuccess,
		fmt.Sprintf("%q now has a directory object; setting %s", r.Target, r.Attribute), map[string]string{r.Attribute: r.To.DN})
	res, err := e.do(ctx, job.ID, &t, &agentv1.Operation{
		OpId:   fmt.Sprintf("ref.%s.%s.%s.%d", r.Anchor, r.Attribute, r.To.ObjectGUID, r.CreatedAt.UnixMilli()),
		Domain: job.Domain,
		Kind: &agentv1.Operation_ModifyUser{ModifyUser: &agentv1.ModifyUser{
			Target:  &agentv1.ObjectRef{ObjectGuid: r.Holder.ObjectGUID, Dn: r.Holder.DN},
			Changes: []*agentv1.Attribute{{Name: r.Attribute, Values: []string{r.To.DN}}},
		}},
	})
	if err != nil {
		return err
	}
	if e := res.GetError(); e != nil {
		rec := dirErr(e)
		entry.Status, entry.ErrorCode, entry.ErrorMessage, entry.Recommendation = StatusFailure, rec.code, rec.msg, rec.recommendation
		t.add("EntryExportUpdate", StepExport, StatusFailure, "Setting the reference failed", nil)
	} else {
		t.change(r.Attribute, nil, []string{r.To.DN})
		t.add("EntryExportUpdate", StepExport, StatusSuccess, "Updated the user", nil)
	}
	entry.Steps, entry.Modified = t.json()
	entry.ActivityTime = e.cfg.Clock.Now()
	entry.DurationMS = entry.ActivityTime.Sub(start).Milliseconds()
	// Done or failed (the log says which), the reference no longer waits:
	// the holder's next record sets it again. Retrying here would repeat
	// the same answer.
	return e.cfg.Store.FinishRecord(ctx, store.Outcome{Log: entry,
		DeleteReferences: []store.ReferenceKey{{JobID: job.ID, Anchor: r.Anchor, Attribute: r.Attribute}}})
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
