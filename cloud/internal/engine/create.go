package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

func (e *Engine) create(ctx context.Context, job store.Job, cj *compiledJob, rec store.StagedRecord, src map[string]expr.Value, entry *store.LogEntry, t *trail) (*store.Link, error) {
	entry.Action = "create"
	m := cj.mapping
	ev, err := m.Evaluate(src, mapping.Create, e.evalOptsFor(ctx, job, rec, "", t))
	if err != nil {
		return nil, mappingErr(t, err)
	}
	if t.forceDisabled {
		if ev.Attrs == nil {
			ev.Attrs = map[string][]string{}
		}
		ev.Attrs[attrAccountDisabled] = []string{"True"}
	}
	if err := e.resolveReferences(ctx, job, rec, m.Targets(), ev.Attrs, t); err != nil {
		return nil, err
	}
	parent := first(ev.Attrs, attrParentDN)
	if parent == "" {
		parent = job.DefaultContainer
	}
	cn := first(ev.Attrs, attrCN)
	if cn == "" {
		cn = first(ev.Attrs, "displayName")
	}
	if cn == "" {
		cn = rec.Anchor
	}
	enable := first(ev.Attrs, attrAccountDisabled) != "True"
	t.redact(ev.Redacted)
	var attrs []*agentv1.Attribute
	for _, name := range sortedKeys(ev.Attrs) {
		if isVirtual(name) {
			continue
		}
		attrs = append(attrs, &agentv1.Attribute{Name: name, Values: ev.Attrs[name]})
		t.change(name, nil, ev.Attrs[name])
	}
	t.change(attrAccountDisabled, nil, []string{boolText(!enable)})
	t.add("EntrySynchronizationAdd", StepProcessing, StatusSuccess, "The user will be created", map[string]string{"parentDistinguishedName": parent})

	var match *agentv1.Match
	if mrs := m.Matching(); len(mrs) > 0 {
		if v, ok, err := mrs[0].Value(src, e.evalOpts()); err == nil && ok && v != "" {
			match = &agentv1.Match{Attribute: mrs[0].Target, Value: v}
		}
	}
	if match == nil {
		return nil, &errRecord{code: "MissingMatchingValue", msg: "the record has no value for any matching attribute",
			recommendation: "Send the matching attribute (externalId by default) with every record."}
	}
	// An earlier create of this worker may have reached a DC that failed
	// before answering: the account may exist there only, so the create
	// runs there (and adopts it) rather than make a second one elsewhere.
	pin, err := e.pinnedDC(ctx, job.ID, rec.Anchor)
	if err != nil {
		return nil, err
	}
	res, err := e.do(ctx, job.ID, t, &agentv1.Operation{
		OpId: opID(rec, "create"), Domain: job.Domain, OnlyDc: pin,
		Kind: &agentv1.Operation_CreateUser{CreateUser: &agentv1.CreateUser{
			ParentDn: parent, Cn: cn, Attributes: attrs, Enable: enable, Match: match, BaseDn: domainDN(job), PasswordLength: e.cfg.PasswordLength,
			MatchChecked: t.matchChecked,
		}},
	})
	if err != nil {
		return nil, err
	}
	if res.GetError() != nil {
		t.add("EntryExportAdd", StepExport, StatusFailure, "Creating the user failed", nil)
		de := dirErr(res.GetError())
		if dc := res.GetError().GetInDoubtDc(); dc != "" {
			t.pinDC = dc
			de.recommendation = "Domain controller " + dc + " failed while creating the account, so the account may exist there only. " +
				"hrsync retries the create on that DC alone, which finishes the account it holds instead of making a second one on another DC. " +
				"If that DC is gone for good, restart the job with the Escrows scope to create the account on another DC."
		}
		return nil, de
	}
	if len(res.GetEntries()) != 1 {
		return nil, &errRecord{code: "InternalError", msg: "the agent did not return the created user"}
	}
	created := res.GetEntries()[0]
	entry.TargetID, entry.TargetName = created.GetObjectGuid(), created.GetDn()
	desc := "Created the user"
	if res.GetOutcome() == agentv1.Outcome_OUTCOME_ADOPTED {
		desc = "Finished creating the user that an earlier attempt started"
	}
	t.add("EntryExportAdd", StepExport, StatusSuccess, desc, map[string]string{"objectGUID": created.GetObjectGuid()})
	if len(cj.writeBack) > 0 {
		e.writeBack(ctx, job, rec, cj.writeBack, append(slices.Clone(attrs), created.GetAttributes()...), entry, t)
	}
	return &store.Link{JobID: job.ID, Anchor: rec.Anchor, ObjectGUID: created.GetObjectGuid(), DN: created.GetDn(), Enabled: created.GetEnabled(), UpdatedAt: e.cfg.Clock.Now()}, nil
}

// writeBack writes the new account's values back to HR. A failure is a
// warning on the record: the account exists; the admin sees what HR lacks.
func (e *Engine) writeBack(ctx context.Context, job store.Job, rec store.StagedRecord, spec map[string]string, have []*agentv1.Attribute, entry *store.LogEntry, t *trail) {
	values := map[string]string{}
	var names []string
	for hr, dir := range spec {
		for _, a := range have {
			if strings.EqualFold(a.GetName(), dir) && len(a.GetValues()) > 0 {
				values[hr] = a.GetValues()[0]
				names = append(names, hr)
				break
			}
		}
	}
	slices.Sort(names)
	if len(values) == 0 {
		return
	}
	if e.cfg.WriteBack == nil {
		entry.Status = StatusWarning
		t.add("EntryWriteBack", StepExport, StatusSkipped, "The job's policy writes back to HR, but its source cannot (an API-driven or CSV job)", nil)
		return
	}
	if err := e.cfg.WriteBack(ctx, job.ID, rec.Anchor, values); err != nil {
		entry.Status = StatusWarning
		entry.ErrorCode, entry.ErrorMessage = "WriteBackFailed", err.Error()
		entry.Recommendation = "The account was created; check the HR system's write-back permissions for the values named, then restart the job to try again."
		t.add("EntryWriteBack", StepExport, StatusFailure, "Writing back to HR failed: "+strings.Join(names, ", "), nil)
		return
	}
	t.add("EntryWriteBack", StepExport, StatusSuccess, "Wrote back to HR: "+strings.Join(names, ", "), nil)
}
