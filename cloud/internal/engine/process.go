package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Virtual target attributes handled by the engine rather than written as is.
const (
	attrAccountDisabled = "accountDisabled"
	attrParentDN        = "parentDistinguishedName"
	attrCN              = "cn"
)

func isVirtual(name string) bool {
	return strings.EqualFold(name, attrAccountDisabled) || strings.EqualFold(name, attrParentDN) || strings.EqualFold(name, attrCN)
}

// errRecord marks a failure of one record (logged, record finished), as
// opposed to a failure that must stop processing (ctx, store).
type errRecord struct {
	code, msg, recommendation string
	// quarantine: the error stops the whole job, not just this record.
	quarantine bool
}

func (e *errRecord) Error() string { return e.code + ": " + e.msg }

// processRecord runs one record through all steps and finishes it.
func (e *Engine) processRecord(ctx context.Context, job store.Job, cj *compiledJob, rec store.StagedRecord) error {
	start := e.cfg.Clock.Now()
	log := e.cfg.Logger.With("job_id", job.ID, "record_id", rec.ID)
	entry := store.LogEntry{
		ID: newID(), JobID: job.ID, CycleID: cycleOf(rec), ChangeID: newID(),
		Action: "other", Status: StatusSuccess, SourceID: rec.Anchor,
	}
	var t trail
	defer e.release(rec.ID)
	if stale, err := e.superseded(ctx, job, rec); err != nil {
		return err
	} else if stale {
		entry.Status = StatusSkipped
		t.add("EntryImport", StepImport, StatusSkipped, "Retry of an earlier failure skipped: a newer record of this worker was processed since", nil)
		entry.Steps, entry.Modified = t.json()
		entry.ActivityTime = e.cfg.Clock.Now()
		return e.finish(ctx, store.Outcome{RecordID: rec.ID, Log: entry})
	}
	link, err := e.apply(ctx, job, cj, rec, &entry, &t)
	if err != nil {
		var re *errRecord
		if !errors.As(err, &re) {
			return err // ctx or store: the record stays pending
		}
		entry.Status, entry.ErrorCode, entry.ErrorMessage, entry.Recommendation = StatusFailure, re.code, re.msg, re.recommendation
		log.Warn("record failed", "error_code", re.code)
		if re.quarantine {
			// Every record would fail like this one: log it, keep the
			// record queued, stop the job.
			entry.Recommendation = "The directory refused the agent's service account. Fix its password or rights on the agent; the job retries on its own and recovers."
			entry.Steps, entry.Modified = t.json()
			entry.ActivityTime = e.cfg.Clock.Now()
			if err := e.cfg.Store.FinishRecord(ctx, store.Outcome{Log: entry}); err != nil {
				return err
			}
			return errQuarantine
		}
	}
	entry.Steps, entry.Modified = t.json()
	entry.ActivityTime = e.cfg.Clock.Now()
	entry.DurationMS = entry.ActivityTime.Sub(start).Milliseconds()
	if link != nil && t.matchValue != "" {
		link.MatchValue = t.matchValue
	}
	out := store.Outcome{RecordID: rec.ID, Log: entry, Link: link}
	if entry.Status != StatusFailure {
		out.PutReferences, out.DeleteReferences, out.Unlink = t.refPut, t.refDel, t.unlink
	}
	for _, at := range t.wakes {
		out.Wakes = append(out.Wakes, store.Wake{JobID: job.ID, Anchor: rec.Anchor, DueAt: at})
	}
	if err := e.escrowFor(ctx, job, rec, &out, t.pinDC); err != nil {
		return err
	}
	if err := e.finish(ctx, out); err != nil {
		return err
	}
	if entry.Status == StatusSuccess {
		e.recovered(ctx, job.ID)
	}
	log.Debug("record processed", "action", entry.Action, "status", entry.Status)
	return nil
}

// finish writes a record's outcome; a record an earlier run already
// finished is left as it is.
func (e *Engine) finish(ctx context.Context, out store.Outcome) error {
	if err := e.cfg.Store.FinishRecord(ctx, out); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}

func (e *Engine) apply(ctx context.Context, job store.Job, cj *compiledJob, rec store.StagedRecord, entry *store.LogEntry, t *trail) (*store.Link, error) {
	m := cj.mapping
	src, err := DecodeSource(rec.Payload)
	if err != nil {
		t.add("EntryImport", StepImport, StatusFailure, "The record could not be read", nil)
		return nil, &errRecord{code: "InvalidSourceRecord", msg: err.Error()}
	}
	entry.SourceName = displayName(src, rec.Anchor)
	// The matching values, computed once: stored on the link, and used to
	// match when there is no link yet.
	var matches []matchValue
	for _, mr := range m.Matching() {
		v, ok, err := mr.Value(src, e.evalOpts())
		if err == nil && (!ok || v == "") {
			continue
		}
		matches = append(matches, matchValue{target: mr.Target, value: v, err: err})
		if err == nil && t.matchValue == "" {
			t.matchValue = v
		}
	}
	from := "the API"
	if rec.CycleID != "" {
		from = "the HR source" // a batch of a pull cycle or a wake
	}
	t.add("EntryImport", StepImport, StatusSuccess, fmt.Sprintf("Received user %q from %s", rec.Anchor, from),
		map[string]string{"externalId": rec.Anchor, "bulkId": rec.BulkID})
	if in, reason, err := cj.inputScope.Check(src); !in {
		entry.Status = StatusSkipped
		t.add("EntrySynchronizationScoping", StepScoping, StatusSkipped, "Skipped by the input filter: "+reason, nil)
		if err != nil {
			return nil, &errRecord{code: "ScopingUndecided", msg: err.Error(), recommendation: "Scoping filters compare single values; map a single-valued attribute."}
		}
		return nil, nil
	}
	in, reason, err := cj.scope.Check(src)
	if err != nil {
		t.add("EntrySynchronizationScoping", StepScoping, StatusFailure, "Scoping could not be decided: "+reason, nil)
		return nil, &errRecord{code: "ScopingUndecided", msg: err.Error(), recommendation: "Scoping filters compare single values; map a single-valued attribute."}
	}
	if !in {
		return e.outOfScope(ctx, job, cj, rec, reason, entry, t)
	}
	t.add("EntrySynchronizationScoping", StepScoping, StatusSuccess, "In scope: "+strings.TrimPrefix(reason, "in scope: "), nil)
	tm, err := cj.lifecycle.decide(src, e.cfg.Clock.Now())
	if err != nil {
		t.add("EntrySynchronizationScoping", StepScoping, StatusFailure, "The worker's dates could not be read", nil)
		return nil, &errRecord{code: "InvalidLifecycleDate", msg: err.Error(),
			recommendation: "Map the job's lifecycle attributes to dates (YYYY-MM-DD) and time zones (IANA names such as Asia/Kolkata)."}
	}
	t.wakes = tm.wakes
	if !tm.prepareAt.IsZero() {
		entry.Status = StatusSkipped
		t.add("EntrySynchronizationSkipped", StepProcessing, StatusSkipped, tm.why, nil)
		if l, err := e.cfg.Store.GetLink(ctx, job.ID, rec.Anchor); err == nil {
			return &l, nil
		}
		return nil, nil
	}
	if tm.disable {
		t.forceDisabled = true
		t.add("EntrySynchronizationScoping", StepScoping, StatusSuccess, tm.why, nil)
	}

	// Matching: the link first, then the matching attributes by priority.
	readAttrs := readAttributes(m)
	var current *agentv1.Entry
	snap := e.snapshotFor(job.ID)
	l, err := e.cfg.Store.GetLink(ctx, job.ID, rec.Anchor)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	linked := false
	if err == nil && snap != nil {
		if en, ok := snap.linked(l.ObjectGUID); ok {
			current, linked = en, true
			t.add("EntryImportObject", StepMatching, StatusSuccess, "Found the linked user by objectGUID (directory read at the start of the cycle)", map[string]string{"objectGUID": l.ObjectGUID})
		}
	}
	if err == nil && current == nil {
		res, err := e.do(ctx, job.ID, t, &agentv1.Operation{
			OpId: opID(rec, "find"), Domain: job.Domain,
			Kind: &agentv1.Operation_FindUser{FindUser: &agentv1.FindUser{BaseDn: domainDN(job), By: &agentv1.FindUser_ObjectGuid{ObjectGuid: l.ObjectGUID}, Attributes: readAttrs}},
		})
		if err != nil {
			return nil, err
		}
		if res.GetError() != nil {
			t.add("EntryImportObject", StepMatching, StatusFailure, "Reading the linked user failed", nil)
			return nil, dirErr(res.GetError())
		}
		if len(res.GetEntries()) == 1 {
			current, linked = res.GetEntries()[0], true
			t.add("EntryImportObject", StepMatching, StatusSuccess, "Found the linked user by objectGUID", map[string]string{"objectGUID": l.ObjectGUID})
		}
	}
	if current == nil {
		t.matchChecked = snap != nil
		for _, mv := range matches {
			if mv.err != nil {
				t.add("EntryImportObject", StepMatching, StatusFailure, "The matching attribute could not be computed", nil)
				return nil, &errRecord{code: "MatchingAttributeError", msg: mv.err.Error()}
			}
			value := mv.value
			var found []*agentv1.Entry
			known := false
			if snap != nil {
				found, known = snap.match(mv.target, value)
			}
			if !known {
				t.matchChecked = false
				res, err := e.do(ctx, job.ID, t, &agentv1.Operation{
					OpId: opID(rec, "match-"+mv.target), Domain: job.Domain,
					Kind: &agentv1.Operation_FindUser{FindUser: &agentv1.FindUser{BaseDn: domainDN(job),
						By: &agentv1.FindUser_Match{Match: &agentv1.Match{Attribute: mv.target, Value: value}}, Attributes: readAttrs}},
				})
				if err != nil {
					return nil, err
				}
				if res.GetError() != nil {
					t.add("EntryImportObject", StepMatching, StatusFailure, "Looking up the user failed", nil)
					return nil, dirErr(res.GetError())
				}
				found = res.GetEntries()
			}
			switch n := len(found); {
			case n > 1:
				t.add("EntryImportObject", StepMatching, StatusFailure, fmt.Sprintf("%d users have %s = %q", n, mv.target, value), nil)
				return nil, &errRecord{code: "DuplicateTargetEntries", msg: fmt.Sprintf("%d directory users match %s = %q", n, mv.target, value),
					recommendation: "Make the matching attribute unique in the directory, then upload the record again."}
			case n == 1:
				current = found[0]
				t.add("EntryImportObject", StepMatching, StatusSuccess, fmt.Sprintf("Matched the user on %s", mv.target), map[string]string{mv.target: value})
			}
			if current != nil {
				break // the first matching attribute that finds a user wins
			}
		}
	}
	if current != nil && !linked {
		owner, skip, err := e.checkOwner(ctx, job, cj, rec, src, current, t)
		if err != nil {
			return nil, err
		}
		if skip {
			entry.Status = StatusSkipped
			entry.TargetID, entry.TargetName = current.GetObjectGuid(), current.GetDn()
			return nil, nil
		}
		if owner != "" && cj.conversions == ConversionNewAccount {
			return nil, &errRecord{code: "ConversionNeedsDistinctMatchingValue",
				msg:            fmt.Sprintf("the matching user belongs to worker %q and this persona has the same matching value, so a new account could not be told apart from it", owner),
				recommendation: "With conversions: newAccount, map the matching attribute so that each persona has its own value (for example the worker ID with the worker type), or use conversions: transfer."}
		}
	}
	if current == nil {
		if !cj.flow.Add {
			entry.Status = StatusSkipped
			t.add("EntrySynchronizationSkipped", StepProcessing, StatusSkipped, "No matching user, and the job may not create users (flow types: "+cj.flow.String()+")", nil)
			return nil, nil
		}
		t.add("EntryImportObjectNotFound", StepMatching, StatusSuccess, "No matching user in the directory; it will be created", nil)
		return e.create(ctx, job, cj, rec, src, entry, t)
	}
	if !cj.flow.Update {
		entry.Status, entry.Action = StatusSkipped, "update"
		entry.TargetID, entry.TargetName = current.GetObjectGuid(), current.GetDn()
		t.add("EntrySynchronizationSkipped", StepProcessing, StatusSkipped, "The job may not update users (flow types: "+cj.flow.String()+")", nil)
		return &store.Link{JobID: job.ID, Anchor: rec.Anchor, ObjectGUID: current.GetObjectGuid(), DN: current.GetDn(), Enabled: current.GetEnabled(), UpdatedAt: e.cfg.Clock.Now()}, nil
	}
	return e.update(ctx, job, m, rec, src, current, entry, t)
}

func opID(rec store.StagedRecord, step string) string {
	return fmt.Sprintf("rec-%d.%s", rec.ID, step)
}

// domainDN is where users are looked for: the whole domain.
func domainDN(job store.Job) string {
	parts := strings.Split(job.Domain, ".")
	for i, p := range parts {
		parts[i] = "DC=" + ldap.EscapeDN(p)
	}
	return strings.Join(parts, ",")
}

func dirErr(e *agentv1.Error) *errRecord {
	rec := &errRecord{code: e.GetCode().String(), msg: e.GetMessage(), quarantine: quarantining(e.GetCode())}
	switch e.GetCode() {
	case agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS:
		rec.recommendation = "Another object already has this name in the target container; map cn or parentDistinguishedName to a unique value."
	case agentv1.ErrorCode_ERROR_CODE_INSUFFICIENT_ACCESS:
		rec.recommendation = "Grant the agent's service account the rights to create and modify users in the target container."
	case agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION, agentv1.ErrorCode_ERROR_CODE_INVALID_ATTRIBUTE_SYNTAX:
		rec.recommendation = "A mapped value breaks a directory constraint (length, allowed characters, uniqueness); check the modified properties."
	case agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT:
		rec.recommendation = "The target container does not exist; check parentDistinguishedName and the job's default container."
	}
	return rec
}

func displayName(src map[string]expr.Value, fallback string) string {
	if v, ok := src["displayName"]; ok && !v.IsNullOrEmpty() {
		return v.AsString()
	}
	return fallback
}

func first(attrs map[string][]string, name string) string {
	for k, v := range attrs {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func sortedKeys(m map[string][]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func (e *Engine) evalOpts() mapping.EvalOptions {
	return mapping.EvalOptions{Now: e.cfg.Clock.Now}
}

// evalOptsFor adds the directory uniqueness oracle for one record; self is
// the GUID of the record's own object (empty on create).
func (e *Engine) evalOptsFor(ctx context.Context, job store.Job, rec store.StagedRecord, self string, t *trail) mapping.EvalOptions {
	o := e.evalOpts()
	o.Unique = &uniqueness{e: e, ctx: ctx, job: job, rec: rec, self: self, t: t}
	return o
}

// mappingErr turns a mapping failure into a record failure; a context or
// store failure inside the uniqueness check stops processing instead.
func mappingErr(t *trail, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	t.add("EntrySynchronizationError", StepProcessing, StatusFailure, "Evaluating the attribute mappings failed", nil)
	if errors.Is(err, expr.ErrUniqueExhausted) {
		return &errRecord{code: "SelectUniqueValueExhausted", msg: err.Error(),
			recommendation: "Every candidate of SelectUniqueValue is taken in the directory; add candidates (for example with a number) to the expression."}
	}
	return &errRecord{code: "AttributeMappingError", msg: err.Error()}
}

// readAttributes are the directory attributes to read before an update:
// every mapped target except the virtual ones, plus cn.
func readAttributes(m *mapping.Compiled) []string {
	out := []string{attrCN}
	for _, t := range m.Targets() {
		if !isVirtual(t) {
			out = append(out, t)
		}
	}
	return out
}

func lowerSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

// boolText renders a boolean as the expression language does.
func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// checkOwner looks at who else owns a user matched by its attributes. A
// record that would leave the account disabled never takes over the account
// of another persona (skip); an active one takes it over under the
// transfer policy, and fails under newAccount. owner is the
// other persona's anchor, or "".
func (e *Engine) checkOwner(ctx context.Context, job store.Job, cj *compiledJob, rec store.StagedRecord, src map[string]expr.Value,
	current *agentv1.Entry, t *trail) (owner string, skip bool, err error) {
	links, err := e.cfg.Store.LinksToObject(ctx, job.ID, current.GetObjectGuid())
	if err != nil {
		return "", false, err
	}
	for _, l := range links {
		if l.Anchor != rec.Anchor {
			owner = l.Anchor
			break
		}
	}
	if owner == "" {
		return "", false, nil
	}
	ev, err := cj.mapping.Evaluate(src, mapping.Update, e.evalOpts())
	if err == nil {
		if v := ev.Attrs[attrAccountDisabled]; len(v) == 1 && strings.EqualFold(v[0], "true") {
			t.add("EntrySynchronizationSkipped", StepMatching, StatusSkipped,
				fmt.Sprintf("The matching user belongs to worker %q; an inactive record does not take it over", owner), map[string]string{"owner": owner})
			return owner, true, nil
		}
	}
	if cj.conversions == ConversionNewAccount {
		t.add("EntryImportObject", StepMatching, StatusFailure,
			fmt.Sprintf("The matching user belongs to worker %q (conversions: newAccount)", owner), map[string]string{"owner": owner})
		return owner, false, nil
	}
	t.unlink = owner
	t.add("EntryImportObject", StepMatching, StatusSuccess,
		fmt.Sprintf("The matching user belonged to worker %q; it is transferred to this persona (conversions: transfer)", owner), map[string]string{"previousOwner": owner})
	return owner, false, nil
}

// matchValue is a record's value of one matching attribute, or the error
// computing it.
type matchValue struct {
	target, value string
	err           error
}
