package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

func (e *Engine) update(ctx context.Context, job store.Job, m *mapping.Compiled, rec store.StagedRecord, src map[string]expr.Value, cur *agentv1.Entry, entry *store.LogEntry, t *trail) (*store.Link, error) {
	entry.Action = "update"
	entry.TargetID, entry.TargetName = cur.GetObjectGuid(), cur.GetDn()
	link := &store.Link{JobID: job.ID, Anchor: rec.Anchor, ObjectGUID: cur.GetObjectGuid(), DN: cur.GetDn(), Enabled: cur.GetEnabled(), UpdatedAt: e.cfg.Clock.Now()}
	ev, err := m.Evaluate(src, mapping.Update, e.evalOptsFor(ctx, job, rec, cur.GetObjectGuid(), t))
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
	mod, disable, err := planUpdate(ev, cur, t)
	if err != nil {
		return nil, err
	}
	if disable {
		entry.Action = "disable"
	}
	if len(mod.Changes) == 0 && mod.Enabled == nil && mod.NewCn == "" && mod.NewParentDn == "" {
		entry.Status = StatusSkipped
		t.add("EntrySynchronizationSkipped", StepProcessing, StatusSkipped, "The directory already holds these values; nothing to export", nil)
		return link, nil
	}
	t.add("EntrySynchronizationUpdate", StepProcessing, StatusSuccess, fmt.Sprintf("%d attribute(s) will change", len(t.modified)), nil)
	res, err := e.do(ctx, job.ID, t, &agentv1.Operation{
		OpId: opID(rec, "modify"), Domain: job.Domain, Kind: &agentv1.Operation_ModifyUser{ModifyUser: mod},
	})
	if err != nil {
		return nil, err
	}
	if res.GetError() != nil {
		t.add("EntryExportUpdate", StepExport, StatusFailure, "Updating the user failed", nil)
		return nil, dirErr(res.GetError())
	}
	if es := res.GetEntries(); len(es) == 1 {
		link.DN, link.Enabled = es[0].GetDn(), es[0].GetEnabled()
		entry.TargetName = link.DN
	} else if mod.Enabled != nil {
		link.Enabled = *mod.Enabled
	}
	t.add("EntryExportUpdate", StepExport, StatusSuccess, "Updated the user", map[string]string{"objectGUID": cur.GetObjectGuid()})
	return link, nil
}

// planUpdate computes what must change for an existing user to hold what
// the mapping evaluated: the attributes that differ, the account state, a
// rename and a move. It reads nothing and writes nothing; the changes are
// recorded on t. disable is true when the change disables the account.
func planUpdate(ev mapping.Evaluated, cur *agentv1.Entry, t *trail) (mod *agentv1.ModifyUser, disable bool, err error) {
	have := map[string][]string{}
	for _, a := range cur.GetAttributes() {
		have[strings.ToLower(a.GetName())] = a.GetValues()
	}
	mod = &agentv1.ModifyUser{Target: &agentv1.ObjectRef{ObjectGuid: cur.GetObjectGuid(), Dn: cur.GetDn()}}
	force := lowerSet(ev.Force)
	t.redact(ev.Redacted)
	for _, name := range sortedKeys(ev.Attrs) {
		if isVirtual(name) {
			continue
		}
		want, old := ev.Attrs[name], have[strings.ToLower(name)]
		same := sameValues(want, old)
		if isReference(name) && len(want) == 1 && len(old) == 1 {
			same = sameDN(want[0], old[0])
		}
		if same && !force[strings.ToLower(name)] {
			continue
		}
		mod.Changes = append(mod.Changes, &agentv1.Attribute{Name: name, Values: want})
		t.change(name, old, want)
	}
	for _, name := range sortedKeys(ev.FillIfEmpty) {
		if old := have[strings.ToLower(name)]; len(old) == 0 && !isVirtual(name) {
			mod.Changes = append(mod.Changes, &agentv1.Attribute{Name: name, Values: ev.FillIfEmpty[name]})
			t.change(name, nil, ev.FillIfEmpty[name])
		}
	}
	for _, name := range ev.Clear {
		// The source became empty and the rule flows null values: remove
		// what the directory holds (an empty values list deletes).
		if old := have[strings.ToLower(name)]; len(old) > 0 && !isVirtual(name) {
			mod.Changes = append(mod.Changes, &agentv1.Attribute{Name: name})
			t.change(name, old, nil)
		}
	}
	if v, ok := ev.Attrs[attrAccountDisabled]; ok && len(v) == 1 {
		wantEnabled := v[0] != "True"
		if wantEnabled != cur.GetEnabled() {
			mod.Enabled = &wantEnabled
			t.change(attrAccountDisabled, []string{boolText(!cur.GetEnabled())}, []string{boolText(!wantEnabled)})
			disable = !wantEnabled
		}
	}
	curDN, err := ldap.ParseDN(cur.GetDn())
	if err != nil || len(curDN.RDNs) == 0 {
		return nil, false, &errRecord{code: "InvalidTargetDN", msg: fmt.Sprintf("the directory returned an unparsable DN %q", cur.GetDn())}
	}
	curCN := curDN.RDNs[0].Attributes[0].Value
	curParent := &ldap.DN{RDNs: curDN.RDNs[1:]}
	if cn := first(ev.Attrs, attrCN); cn != "" && cn != curCN {
		mod.NewCn = cn
		t.change(attrCN, []string{curCN}, []string{cn})
	}
	if p := first(ev.Attrs, attrParentDN); p != "" {
		want, err := ldap.ParseDN(p)
		if err != nil {
			return nil, false, &errRecord{code: "InvalidParentDN", msg: fmt.Sprintf("parentDistinguishedName %q is not a valid DN: %v", p, err)}
		}
		if !want.EqualFold(curParent) {
			mod.NewParentDn = p
			t.change(attrParentDN, []string{curParent.String()}, []string{p})
		}
	}
	return mod, disable, nil
}
