package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"google.golang.org/protobuf/proto"
)

// fakeDir is an in-memory directory behind a fake dispatcher: enough of
// AD's behaviour for the engine's decisions.
type fakeDir struct {
	mu      sync.Mutex
	objects map[string]*agentv1.Entry // by GUID
	ops     []*agentv1.Operation
	fail    map[string]*agentv1.Error // by op kind name, e.g. "create"
	n       int
	// attempt is the attempt every result reports (0: the first).
	attempt uint32
}

func newFakeDir() *fakeDir {
	return &fakeDir{objects: map[string]*agentv1.Entry{}, fail: map[string]*agentv1.Error{}}
}

func attr(e *agentv1.Entry, name string) []string {
	for _, a := range e.GetAttributes() {
		if strings.EqualFold(a.GetName(), name) {
			return a.GetValues()
		}
	}
	return nil
}

func setAttr(e *agentv1.Entry, name string, vs []string) {
	for i, a := range e.Attributes {
		if strings.EqualFold(a.GetName(), name) {
			if len(vs) == 0 {
				e.Attributes = append(e.Attributes[:i], e.Attributes[i+1:]...)
			} else {
				a.Values = vs
			}
			return
		}
	}
	if len(vs) > 0 {
		e.Attributes = append(e.Attributes, &agentv1.Attribute{Name: name, Values: vs})
	}
}

func (d *fakeDir) Do(ctx context.Context, jobID string, op *agentv1.Operation) (*agentv1.Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ops = append(d.ops, op)
	res := &agentv1.Result{OpId: op.GetOpId(), Attempt: d.attempt}
	switch k := op.GetKind().(type) {
	case *agentv1.Operation_FindUser:
		if e := d.fail["find"]; e != nil {
			res.Error = e
			return res, nil
		}
		for _, o := range d.objects {
			if g := k.FindUser.GetObjectGuid(); g != "" && o.GetObjectGuid() == g {
				res.Entries = append(res.Entries, o)
			}
			if m := k.FindUser.GetMatch(); m != nil && len(attr(o, m.GetAttribute())) > 0 && attr(o, m.GetAttribute())[0] == m.GetValue() {
				res.Entries = append(res.Entries, o)
			}
		}
	case *agentv1.Operation_CreateUser:
		if e := d.fail["create"]; e != nil {
			res.Error = e
			return res, nil
		}
		d.n++
		cu := k.CreateUser
		o := &agentv1.Entry{Dn: "CN=" + cu.GetCn() + "," + cu.GetParentDn(), ObjectGuid: fmt.Sprintf("guid-%d", d.n), Enabled: cu.GetEnable(),
			Attributes: append([]*agentv1.Attribute{{Name: cu.GetMatch().GetAttribute(), Values: []string{cu.GetMatch().GetValue()}}}, cu.GetAttributes()...)}
		d.objects[o.ObjectGuid] = o
		res.Entries = []*agentv1.Entry{o}
	case *agentv1.Operation_DeleteUser:
		g := k.DeleteUser.GetTarget().GetObjectGuid()
		o, ok := d.objects[g]
		switch {
		case !ok:
			res.Outcome = agentv1.Outcome_OUTCOME_UNCHANGED
		case o.GetEnabled():
			res.Error = &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM, Message: o.GetDn() + " is enabled"}
		default:
			delete(d.objects, g)
			res.Outcome = agentv1.Outcome_OUTCOME_DELETED
			res.Entries = []*agentv1.Entry{o}
		}
	case *agentv1.Operation_ExportUsers:
		if e := d.fail["export"]; e != nil {
			res.Error = e
			return res, nil
		}
		for _, o := range d.objects {
			res.Entries = append(res.Entries, proto.Clone(o).(*agentv1.Entry))
		}
	case *agentv1.Operation_LookupValues:
		lv := k.LookupValues
		for _, o := range d.objects {
			for _, v := range attr(o, lv.GetAttribute()) {
				for _, want := range lv.GetValues() {
					if strings.EqualFold(v, want) {
						res.Entries = append(res.Entries, &agentv1.Entry{Dn: o.GetDn(), ObjectGuid: o.GetObjectGuid(),
							Attributes: []*agentv1.Attribute{{Name: lv.GetAttribute(), Values: []string{v}}}})
					}
				}
			}
		}
	case *agentv1.Operation_ModifyUser:
		o := d.objects[k.ModifyUser.GetTarget().GetObjectGuid()]
		for _, c := range k.ModifyUser.GetChanges() {
			setAttr(o, c.GetName(), c.GetValues())
		}
		if k.ModifyUser.Enabled != nil {
			o.Enabled = k.ModifyUser.GetEnabled()
		}
		res.Entries = []*agentv1.Entry{o}
	}
	return res, nil
}

func (d *fakeDir) kinds() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, op := range d.ops {
		out = append(out, strings.TrimPrefix(fmt.Sprintf("%T", op.GetKind()), "*agentv1.Operation_"))
	}
	return out
}

type rig struct {
	clk *clockwork.FakeClock
	st  *sqlite.Store
	eng *Engine
	dir *fakeDir
	job store.Job
	n   int
}

func newRig(t *testing.T, mappingJSON, policyJSON string) *rig {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	job := store.Job{ID: "j", ServicePrincipal: "sp", Name: "t", Template: "API2AD", Domain: "hrsync.test",
		DefaultContainer: "OU=Users,DC=hrsync,DC=test", Mapping: []byte(mappingJSON), Scoping: []byte(policyJSON), UploadTokenHash: []byte{1}}
	require.NoError(t, st.CreateJob(context.Background(), job))
	job, err = st.GetJob(context.Background(), "j")
	require.NoError(t, err)
	dir := newFakeDir()
	clk := clockwork.NewFakeClockAt(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	eng, err := New(Config{Store: st, Dispatch: dir, Clock: clk})
	require.NoError(t, err)
	return &rig{clk: clk, st: st, eng: eng, dir: dir, job: job}
}

// run stages one record and processes the job, returning the new log entry.
func (r *rig) run(t *testing.T, attrs map[string]string) store.LogEntry {
	t.Helper()
	ctx := context.Background()
	src := map[string]expr.Value{}
	for k, v := range attrs {
		src[k] = expr.String(v)
	}
	payload, err := EncodeSource(src)
	require.NoError(t, err)
	r.n++
	require.NoError(t, r.st.StageUpload(ctx, store.Upload{ID: fmt.Sprintf("u%d", r.n), JobID: "j", ReceivedAt: time.Now(),
		Records: []store.StagedRecord{{Anchor: attrs["externalId"], Payload: payload}}}))
	require.NoError(t, r.eng.processJob(ctx, "j"))
	logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j", Limit: 1000})
	require.NoError(t, err)
	var found []store.LogEntry
	for _, l := range logs {
		if l.CycleID == fmt.Sprintf("u%d", r.n) {
			found = append(found, l)
		}
	}
	require.Len(t, found, 1, "one log entry for the record")
	return found[0]
}

func modified(t *testing.T, l store.LogEntry) map[string][2]string {
	var ms []Modified
	require.NoError(t, json.Unmarshal(l.Modified, &ms))
	out := map[string][2]string{}
	for _, m := range ms {
		out[m.DisplayName] = [2]string{m.OldValue, m.NewValue}
	}
	return out
}

const testMapping = `{"rules":[
 {"target":"employeeID","type":"direct","source":"externalId","matchingPriority":1},
 {"target":"displayName","type":"direct","source":"displayName"},
 {"target":"title","type":"direct","source":"title","flowNullValues":true},
 {"target":"department","type":"direct","source":"dept"},
 {"target":"extensionAttribute1","type":"expression","expression":"Redact([secret])"},
 {"target":"accountDisabled","type":"expression","expression":"Switch([active], , \"False\", \"True\", \"True\", \"False\")"}
]}`

func TestEngineDecisions(t *testing.T) {
	t.Run("create, then update only what changed, then clear with flow null values", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "title": "Eng", "dept": "R&D", "active": "True"})
		require.Equal(t, "create", l.Action)
		require.Equal(t, StatusSuccess, l.Status, l.ErrorMessage)
		require.Equal(t, "guid-1", l.TargetID)
		link, err := r.st.GetLink(context.Background(), "j", "1")
		require.NoError(t, err)
		require.Equal(t, "guid-1", link.ObjectGUID)

		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "title": "Lead", "dept": "R&D", "active": "True"})
		require.Equal(t, "update", l.Action)
		require.Equal(t, map[string][2]string{"title": {"Eng", "Lead"}}, modified(t, l))

		// title flows null values: an empty source clears it; department
		// does not: its value stays.
		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "True"})
		require.Equal(t, map[string][2]string{"title": {"Lead", ""}}, modified(t, l))
		o := r.dir.objects["guid-1"]
		require.Nil(t, attr(o, "title"))
		require.Equal(t, []string{"R&D"}, attr(o, "department"))
	})

	t.Run("an operation dispatched more than once says so in the log", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.dir.attempt = 3
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "title": "Eng", "active": "True"})
		require.Equal(t, StatusSuccess, l.Status, l.ErrorMessage)
		var steps []Step
		require.NoError(t, json.Unmarshal(l.Steps, &steps))
		var re *Step
		for i := range steps {
			if steps[i].Name == "EntryExportRedispatch" {
				re = &steps[i]
			}
		}
		require.NotNil(t, re, "steps: %s", l.Steps)
		require.Equal(t, "3", re.Details["dispatches"])
		require.Contains(t, re.Details["opId"], "create")
		require.Contains(t, re.Description, "Dispatched 3 times")

		r.dir.attempt = 1
		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "title": "Lead", "active": "True"})
		require.Equal(t, "update", l.Action)
		require.NotContains(t, string(l.Steps), "EntryExportRedispatch", "a first dispatch is not a retry")
	})

	t.Run("disable is its own action and identical data is skipped", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "True"})
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "False"})
		require.Equal(t, "disable", l.Action)
		require.False(t, r.dir.objects["guid-1"].GetEnabled())
		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "False"})
		require.Equal(t, StatusSkipped, l.Status)
	})

	t.Run("redacted values never reach the log", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "secret": "s3cr3t-badge", "active": "True"})
		require.NotContains(t, string(l.Modified), "s3cr3t-badge")
		require.Equal(t, [2]string{"", "[Redact]"}, modified(t, l)["extensionAttribute1"])
		require.Equal(t, []string{"s3cr3t-badge"}, attr(r.dir.objects["guid-1"], "extensionAttribute1"), "the directory gets the real value")
		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "secret": "new-badge", "active": "True"})
		require.Equal(t, [2]string{"[Redact]", "[Redact]"}, modified(t, l)["extensionAttribute1"])
		require.NotContains(t, string(l.Modified), "badge")
	})

	t.Run("scoping: out of scope is skipped and says why", func(t *testing.T) {
		r := newRig(t, testMapping, `{"scope":{"groups":[{"clauses":[{"attribute":"dept","operator":"EQUALS","value":"Sales"}]}]}}`)
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "dept": "R&D"})
		require.Equal(t, StatusSkipped, l.Status)
		require.Contains(t, string(l.Steps), "Out of scope")
		require.Empty(t, r.dir.objects)
		l = r.run(t, map[string]string{"externalId": "2", "displayName": "Bo", "dept": "Sales"})
		require.Equal(t, "create", l.Action)
		require.Contains(t, string(l.Steps), "In scope")
	})

	t.Run("input filter skips before any directory read", func(t *testing.T) {
		r := newRig(t, testMapping, `{"inputScope":{"groups":[{"clauses":[{"attribute":"externalId","operator":"REGEX MATCH","value":"^[0-9]+$"}]}]}}`)
		l := r.run(t, map[string]string{"externalId": "C-1", "displayName": "Contractor"})
		require.Equal(t, StatusSkipped, l.Status)
		require.Empty(t, r.dir.kinds(), "nothing was sent to the directory")
	})

	t.Run("update-only job never creates", func(t *testing.T) {
		r := newRig(t, testMapping, `{"flowTypes":{"add":false,"update":true,"delete":false}}`)
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada"})
		require.Equal(t, StatusSkipped, l.Status)
		require.Empty(t, r.dir.objects)
		require.NotContains(t, r.dir.kinds(), "CreateUser")
	})

	t.Run("two directory users with the same matching value is an error", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		for _, g := range []string{"a", "b"} {
			r.dir.objects[g] = &agentv1.Entry{Dn: "CN=" + g + ",DC=x", ObjectGuid: g, Attributes: []*agentv1.Attribute{{Name: "employeeID", Values: []string{"1"}}}}
		}
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada"})
		require.Equal(t, StatusFailure, l.Status)
		require.Equal(t, "DuplicateTargetEntries", l.ErrorCode)
		require.NotEmpty(t, l.Recommendation)
	})

	t.Run("a directory error is logged with a recommendation", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.dir.fail["create"] = &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS, Message: "entry already exists"}
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada"})
		require.Equal(t, StatusFailure, l.Status)
		require.Equal(t, "ERROR_CODE_ALREADY_EXISTS", l.ErrorCode)
		require.Contains(t, l.Recommendation, "cn")
		_, err := r.st.GetLink(context.Background(), "j", "1")
		require.ErrorIs(t, err, store.ErrNotFound, "no link for a failed create")
	})

	t.Run("a schema change takes effect without a restart", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "dept": "R&D"})
		_, err := r.st.UpdateJobSchema(context.Background(), "j", []byte(strings.Replace(testMapping, `"source":"dept"`, `"source":"division"`, 1)), nil)
		require.NoError(t, err)
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "division": "Platform"})
		require.Equal(t, [2]string{"R&D", "Platform"}, modified(t, l)["department"])
	})
}

const uniqueMapping = `{"rules":[
 {"target":"employeeID","type":"direct","source":"externalId","matchingPriority":1},
 {"target":"displayName","type":"direct","source":"displayName"},
 {"target":"userPrincipalName","type":"expression","apply":"onCreate","expression":"SelectUniqueValue(Join(\"@\", NormalizeDiacritics(Join(\".\", [first], [last])), \"hrsync.test\"), Join(\"@\", NormalizeDiacritics(Join(\".\", Mid([first], 1, 1), [last])), \"hrsync.test\"))"}
]}`

func TestSelectUniqueValueAgainstTheDirectory(t *testing.T) {
	ctx := context.Background()
	upn := func(r *rig, guid string) string { return attr(r.dir.objects[guid], "userPrincipalName")[0] }

	t.Run("a value held in the directory is skipped", func(t *testing.T) {
		r := newRig(t, uniqueMapping, `{}`)
		r.dir.objects["other"] = &agentv1.Entry{ObjectGuid: "other", Dn: "CN=x", Attributes: []*agentv1.Attribute{{Name: "userPrincipalName", Values: []string{"JOSE.GARCIA@hrsync.test"}}}}
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "José García", "first": "José", "last": "García"})
		require.Equal(t, StatusSuccess, l.Status, l.ErrorMessage)
		require.Equal(t, "J.Garcia@hrsync.test", upn(r, l.TargetID), "case-insensitive: the first candidate is taken")
	})

	t.Run("two namesakes in one upload get different values", func(t *testing.T) {
		r := newRig(t, uniqueMapping, `{}`)
		var recs []store.StagedRecord
		for _, id := range []string{"1", "2"} {
			p, err := EncodeSource(map[string]expr.Value{"externalId": expr.String(id), "displayName": expr.String("José García " + id),
				"first": expr.String("José"), "last": expr.String("García")})
			require.NoError(t, err)
			recs = append(recs, store.StagedRecord{Anchor: id, Payload: p})
		}
		require.NoError(t, r.st.StageUpload(ctx, store.Upload{ID: "u", JobID: "j", ReceivedAt: time.Now(), Records: recs}))
		require.NoError(t, r.eng.processJob(ctx, "j"))
		got := map[string]bool{}
		for g := range r.dir.objects {
			got[upn(r, g)] = true
		}
		require.Equal(t, map[string]bool{"Jose.Garcia@hrsync.test": true, "J.Garcia@hrsync.test": true}, got)
		require.Empty(t, r.eng.reserved, "reservations end with their records")
	})

	t.Run("all candidates taken is a record failure, never an empty value", func(t *testing.T) {
		r := newRig(t, uniqueMapping, `{}`)
		r.dir.objects["o"] = &agentv1.Entry{ObjectGuid: "o", Dn: "CN=o", Attributes: []*agentv1.Attribute{{Name: "userPrincipalName",
			Values: []string{"Jose.Garcia@hrsync.test", "J.Garcia@hrsync.test"}}}}
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "José García", "first": "José", "last": "García"})
		require.Equal(t, StatusFailure, l.Status)
		require.Equal(t, "SelectUniqueValueExhausted", l.ErrorCode)
		require.Len(t, r.dir.objects, 1, "nothing was created")
	})
}

const managerMapping = `{"rules":[
 {"target":"employeeID","type":"direct","source":"externalId","matchingPriority":1},
 {"target":"displayName","type":"direct","source":"displayName"},
 {"target":"manager","type":"direct","source":"mgr"}
]}`

func TestManagerReferences(t *testing.T) {
	ctx := context.Background()
	mgrOf := func(r *rig, guid string) []string { return attr(r.dir.objects[guid], "manager") }

	t.Run("manager first: set in the create", func(t *testing.T) {
		r := newRig(t, managerMapping, `{}`)
		boss := r.run(t, map[string]string{"externalId": "b", "displayName": "Boss"})
		emp := r.run(t, map[string]string{"externalId": "e", "displayName": "Emp", "mgr": "b"})
		require.Equal(t, "create", emp.Action)
		require.Equal(t, []string{"CN=Boss,OU=Users,DC=hrsync,DC=test"}, mgrOf(r, emp.TargetID))
		require.Contains(t, string(emp.Steps), "referenceResolution")
		require.Empty(t, mgrOf(r, boss.TargetID))
	})

	t.Run("employee first: the reference waits and resolves when the manager arrives", func(t *testing.T) {
		r := newRig(t, managerMapping, `{}`)
		emp := r.run(t, map[string]string{"externalId": "e", "displayName": "Emp", "mgr": "b"})
		require.Equal(t, StatusSuccess, emp.Status, emp.ErrorMessage)
		require.Empty(t, mgrOf(r, emp.TargetID))
		n, err := r.st.CountPendingReferences(ctx, "j")
		require.NoError(t, err)
		require.Equal(t, 1, n)

		r.run(t, map[string]string{"externalId": "b", "displayName": "Boss"})
		require.Equal(t, []string{"CN=Boss,OU=Users,DC=hrsync,DC=test"}, mgrOf(r, emp.TargetID), "resolved without a restart")
		n, _ = r.st.CountPendingReferences(ctx, "j")
		require.Zero(t, n)
		logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
		require.NoError(t, err)
		require.Len(t, logs, 3, "the resolution is logged as its own update")
		require.Equal(t, "update", logs[2].Action)
		require.Equal(t, "e", logs[2].SourceID)
		require.Equal(t, [2]string{"", "CN=Boss,OU=Users,DC=hrsync,DC=test"}, modified(t, logs[2])["manager"])
	})

	t.Run("a manager change updates the DN; an unchanged one is left alone", func(t *testing.T) {
		r := newRig(t, managerMapping, `{}`)
		r.run(t, map[string]string{"externalId": "b1", "displayName": "Boss One"})
		r.run(t, map[string]string{"externalId": "b2", "displayName": "Boss Two"})
		emp := r.run(t, map[string]string{"externalId": "e", "displayName": "Emp", "mgr": "b1"})
		// The directory spells the DN differently (case): still the same.
		r.dir.objects[emp.TargetID].Attributes[len(r.dir.objects[emp.TargetID].Attributes)-1].Values = []string{"cn=boss one,ou=users,dc=hrsync,dc=test"}
		l := r.run(t, map[string]string{"externalId": "e", "displayName": "Emp", "mgr": "b1"})
		require.Equal(t, StatusSkipped, l.Status)
		l = r.run(t, map[string]string{"externalId": "e", "displayName": "Emp", "mgr": "b2"})
		require.Equal(t, "CN=Boss Two,OU=Users,DC=hrsync,DC=test", modified(t, l)["manager"][1])
		require.Equal(t, []string{"CN=Boss Two,OU=Users,DC=hrsync,DC=test"}, mgrOf(r, emp.TargetID))
	})

	t.Run("a worker who is their own manager gets none", func(t *testing.T) {
		r := newRig(t, managerMapping, `{}`)
		ceo := r.run(t, map[string]string{"externalId": "c", "displayName": "CEO", "mgr": "c"})
		require.Equal(t, StatusSuccess, ceo.Status)
		require.Empty(t, mgrOf(r, ceo.TargetID))
		n, _ := r.st.CountPendingReferences(ctx, "j")
		require.Zero(t, n)
	})
}

// retry stages due escrows and processes them, returning the new entries.
func (r *rig) retry(t *testing.T) []store.LogEntry {
	t.Helper()
	ctx := context.Background()
	before, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j", Limit: 1000})
	require.NoError(t, err)
	require.NoError(t, r.eng.stageDueEscrows(ctx))
	require.NoError(t, r.eng.processJob(ctx, "j"))
	after, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j", Limit: 1000})
	require.NoError(t, err)
	return after[len(before):]
}

func TestEscrow(t *testing.T) {
	ctx := context.Background()
	busy := &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_INSUFFICIENT_ACCESS, Message: "no rights on the OU"}

	t.Run("a failure is retried with growing delays until it succeeds", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.dir.fail["create"] = busy
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada"})
		require.Equal(t, StatusFailure, l.Status)
		require.Contains(t, l.Recommendation, "retries this worker")
		esc, err := r.st.GetEscrow(ctx, "j", "1")
		require.NoError(t, err)
		require.Equal(t, 1, esc.Attempts)

		require.Empty(t, r.retry(t), "not due before a minute")
		r.clk.Advance(time.Minute)
		got := r.retry(t)
		require.Len(t, got, 1)
		require.Equal(t, StatusFailure, got[0].Status)
		esc, _ = r.st.GetEscrow(ctx, "j", "1")
		require.Equal(t, 2, esc.Attempts)
		require.Equal(t, r.clk.Now().Add(5*time.Minute), esc.NextAttempt)

		require.Empty(t, r.retry(t), "the next retry waits five minutes")
		delete(r.dir.fail, "create") // the admin fixed the rights
		r.clk.Advance(5 * time.Minute)
		got = r.retry(t)
		require.Len(t, got, 1)
		require.Equal(t, "create", got[0].Action)
		require.Equal(t, StatusSuccess, got[0].Status)
		_, err = r.st.GetEscrow(ctx, "j", "1")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.Len(t, r.dir.objects, 1)
		r.clk.Advance(time.Hour)
		require.Empty(t, r.retry(t), "nothing left to retry")
	})

	t.Run("a newer record replaces the failed one; the stale retry is skipped", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.dir.fail["create"] = busy
		r.run(t, map[string]string{"externalId": "1", "displayName": "Old Name"})
		delete(r.dir.fail, "create")
		// A newer upload of the same worker is queued, then the retry of the
		// old failure becomes due and is queued behind it.
		p, err := EncodeSource(map[string]expr.Value{"externalId": expr.String("1"), "displayName": expr.String("New Name")})
		require.NoError(t, err)
		require.NoError(t, r.st.StageUpload(ctx, store.Upload{ID: "u-new", JobID: "j", ReceivedAt: time.Now(),
			Records: []store.StagedRecord{{Anchor: "1", Payload: p}}}))
		r.clk.Advance(time.Minute)
		require.NoError(t, r.eng.stageDueEscrows(ctx))
		pending, err := r.st.PendingRecords(ctx, "j", 10)
		require.NoError(t, err)
		require.Len(t, pending, 2, "the new record and the retry")
		require.NoError(t, r.eng.processJob(ctx, "j"))

		require.Len(t, r.dir.objects, 1)
		for _, o := range r.dir.objects {
			require.Equal(t, []string{"New Name"}, attr(o, "displayName"), "old data never overwrites new")
		}
		logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
		require.NoError(t, err)
		last := logs[len(logs)-1]
		require.Equal(t, StatusSkipped, last.Status)
		require.Contains(t, string(last.Steps), "newer record")
	})

	t.Run("a create in doubt on a failed DC is retried on that DC only", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.dir.fail["create"] = &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, Message: "dc1 failed", InDoubtDc: "ldaps://dc1"}
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada"})
		require.Equal(t, StatusFailure, l.Status)
		require.Contains(t, l.Recommendation, "Domain controller ldaps://dc1 failed while creating the account")
		esc, err := r.st.GetEscrow(ctx, "j", "1")
		require.NoError(t, err)
		require.Equal(t, "ldaps://dc1", esc.PinnedDC)
		onlyDC := func() string {
			t.Helper()
			for i := len(r.dir.ops) - 1; i >= 0; i-- {
				if r.dir.ops[i].GetCreateUser() != nil {
					return r.dir.ops[i].GetOnlyDc()
				}
			}
			t.Fatal("no create sent")
			return ""
		}
		require.Empty(t, onlyDC(), "the first create may run anywhere")

		// Still down at the first retry, for another reason: the pin stays.
		r.dir.fail["create"] = &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, Message: "dial dc1: refused"}
		r.clk.Advance(time.Minute)
		require.Len(t, r.retry(t), 1)
		require.Equal(t, "ldaps://dc1", onlyDC())
		esc, err = r.st.GetEscrow(ctx, "j", "1")
		require.NoError(t, err)
		require.Equal(t, "ldaps://dc1", esc.PinnedDC)

		// A newer record of the worker inherits the pin; once the create
		// succeeds there, the pin is gone with the escrow.
		delete(r.dir.fail, "create")
		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada L."})
		require.Equal(t, StatusSuccess, l.Status)
		require.Equal(t, "ldaps://dc1", onlyDC())
		_, err = r.st.GetEscrow(ctx, "j", "1")
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	t.Run("a record that cannot be read is not escrowed", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		require.NoError(t, r.st.StageUpload(ctx, store.Upload{ID: "bad", JobID: "j", ReceivedAt: time.Now(),
			Records: []store.StagedRecord{{Anchor: "1", Payload: []byte(`{"externalId":1}`)}}}))
		require.NoError(t, r.eng.processJob(ctx, "j"))
		n, err := r.st.CountEscrows(ctx, "j")
		require.NoError(t, err)
		require.Zero(t, n)
	})

	t.Run("retries stop after 28 days", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.dir.fail["create"] = busy
		r.run(t, map[string]string{"externalId": "1", "displayName": "Ada"})
		var last []store.LogEntry
		for range 40 {
			r.clk.Advance(24 * time.Hour)
			if got := r.retry(t); len(got) > 0 {
				last = got
			}
		}
		require.Contains(t, last[0].Recommendation, "automatic retries stopped")
		n, _ := r.st.CountEscrows(ctx, "j")
		require.Zero(t, n)
	})
}

// stage queues one upload with several records and processes the job.
func (r *rig) stage(t *testing.T, id string, records ...map[string]string) {
	t.Helper()
	ctx := context.Background()
	var recs []store.StagedRecord
	for _, attrs := range records {
		src := map[string]expr.Value{}
		for k, v := range attrs {
			src[k] = expr.String(v)
		}
		p, err := EncodeSource(src)
		require.NoError(t, err)
		recs = append(recs, store.StagedRecord{Anchor: attrs["externalId"], Payload: p})
	}
	require.NoError(t, r.st.StageUpload(ctx, store.Upload{ID: id, JobID: "j", ReceivedAt: r.clk.Now(), Records: recs}))
	job, err := r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	r.job = job
	if err := r.eng.processJob(ctx, "j"); !errors.Is(err, errJobHeld) {
		require.NoError(t, err)
	}
}

func TestAccidentalDeletionGuard(t *testing.T) {
	ctx := context.Background()
	people := func(active string, ids ...string) []map[string]string {
		var out []map[string]string
		for _, id := range ids {
			out = append(out, map[string]string{"externalId": id, "displayName": "P " + id, "active": active})
		}
		return out
	}
	enabledCount := func(r *rig) int {
		n := 0
		for _, o := range r.dir.objects {
			if o.GetEnabled() {
				n++
			}
		}
		return n
	}

	t.Run("over the cycle threshold nothing is disabled and the job is quarantined", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deletionThreshold":2}`)
		r.stage(t, "hire", people("True", "1", "2", "3", "4")...)
		require.Equal(t, 4, enabledCount(r))

		r.clk.Advance(time.Minute)
		r.stage(t, "mistake", people("False", "1", "2", "3")...)
		require.Equal(t, 4, enabledCount(r), "no account was disabled")
		job, err := r.st.GetJob(ctx, "j")
		require.NoError(t, err)
		require.Equal(t, QuarantineTooManyDeletes, job.QuarantineReason)
		pending, err := r.st.PendingRecords(ctx, "j", 10)
		require.NoError(t, err)
		require.Len(t, pending, 3, "the records wait, nothing is lost")
		logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
		require.NoError(t, err)
		staged := 0
		for _, l := range logs {
			if l.Action == "stagedDelete" {
				staged++
				require.Contains(t, l.ErrorMessage, "3 accounts would be disabled")
			}
		}
		require.Equal(t, 3, staged)

		// While quarantined, later uploads wait too.
		r.stage(t, "later", people("True", "5")...)
		require.Len(t, r.dir.objects, 4)

		// The admin looked and allows the deletes.
		r.clk.Advance(time.Minute)
		require.NoError(t, r.st.AllowDeletes(ctx, "j", r.clk.Now()))
		require.NoError(t, r.eng.processJob(ctx, "j"))
		require.Equal(t, 2, enabledCount(r), "three disabled, one new")
		require.Len(t, r.dir.objects, 5)
	})

	t.Run("under the threshold disables go through", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deletionThreshold":2}`)
		r.stage(t, "hire", people("True", "1", "2", "3")...)
		r.stage(t, "leave", people("False", "1", "2")...)
		require.Equal(t, 1, enabledCount(r))
		// Already disabled accounts do not count again.
		r.stage(t, "again", people("False", "1", "2")...)
		job, _ := r.st.GetJob(ctx, "j")
		require.Empty(t, job.QuarantineReason)
	})

	t.Run("the 24-hour window catches a mistake spread over uploads", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deletionThreshold":10,"deletionThreshold24h":3}`)
		r.stage(t, "hire", people("True", "1", "2", "3", "4")...)
		r.stage(t, "a", people("False", "1", "2")...)
		r.stage(t, "b", people("False", "3", "4")...)
		require.Equal(t, 2, enabledCount(r))
		job, _ := r.st.GetJob(ctx, "j")
		require.Equal(t, QuarantineTooManyDeletes, job.QuarantineReason)

		r.clk.Advance(25 * time.Hour)
		require.NoError(t, r.st.SetQuarantine(ctx, "j", "", r.clk.Now()))
		r.stage(t, "next-day", nil...)
		require.Equal(t, 0, enabledCount(r), "a day later the window has room again")
	})

	t.Run("threshold 0 turns the guard off", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deletionThreshold":0,"deletionThreshold24h":0}`)
		r.stage(t, "hire", people("True", "1", "2", "3")...)
		r.stage(t, "leave", people("False", "1", "2", "3")...)
		require.Equal(t, 0, enabledCount(r))
	})
}

func TestOutOfScopeDeprovisioning(t *testing.T) {
	ctx := context.Background()
	sales := `"scope":{"groups":[{"clauses":[{"attribute":"dept","operator":"EQUALS","value":"Sales"}]}]}`
	worker := func(id, dept string) map[string]string {
		return map[string]string{"externalId": id, "displayName": "W " + id, "dept": dept, "active": "True"}
	}
	tests := []struct {
		name        string
		policy      string
		wantAction  string
		wantStatus  string
		wantEnabled bool
	}{
		{"leaving the scope disables the account", `{` + sales + `}`, "disable", StatusSuccess, false},
		{"skipOutOfScopeDeletions leaves it alone", `{` + sales + `,"skipOutOfScopeDeletions":true}`, "other", StatusSkipped, true},
		{"an update-only job never deprovisions", `{` + sales + `,"flowTypes":{"add":true,"update":true,"delete":false}}`, "other", StatusSkipped, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, testMapping, tc.policy)
			hired := r.run(t, worker("1", "Sales"))
			require.Equal(t, "create", hired.Action)
			l := r.run(t, worker("1", "R&D"))
			require.Equal(t, tc.wantAction, l.Action, string(l.Steps))
			require.Equal(t, tc.wantStatus, l.Status, l.ErrorMessage)
			require.Contains(t, string(l.Steps), "Out of scope")
			require.Equal(t, tc.wantEnabled, r.dir.objects[hired.TargetID].GetEnabled())
			link, err := r.st.GetLink(ctx, "j", "1")
			require.NoError(t, err)
			require.Equal(t, tc.wantEnabled, link.Enabled)
		})
	}

	t.Run("the deletion guard counts workers leaving the scope", func(t *testing.T) {
		r := newRig(t, testMapping, `{`+sales+`,"deletionThreshold":1}`)
		r.stage(t, "hire", worker("1", "Sales"), worker("2", "Sales"))
		r.stage(t, "reorg", worker("1", "R&D"), worker("2", "R&D"))
		job, err := r.st.GetJob(ctx, "j")
		require.NoError(t, err)
		require.Equal(t, QuarantineTooManyDeletes, job.QuarantineReason, "a bad scoping change cannot mass-disable")
		for _, o := range r.dir.objects {
			require.True(t, o.GetEnabled())
		}
	})
}

func TestQuarantineOnRefusedCredentialsAndRecovery(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{}`)
	r.dir.fail["find"] = &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_INVALID_CREDENTIALS, Message: "80090308: LdapErr: DSID-0C09044E"}
	r.stage(t, "u1", map[string]string{"externalId": "1", "displayName": "Ada"}, map[string]string{"externalId": "2", "displayName": "Bo"})

	job, err := r.st.GetJob(ctx, "j")
	require.NoError(t, err)
	require.Equal(t, QuarantineException, job.QuarantineReason)
	pending, err := r.st.PendingRecords(ctx, "j", 10)
	require.NoError(t, err)
	require.NotEmpty(t, pending, "records stay queued: nothing is lost")
	n, err := r.st.CountEscrows(ctx, "j")
	require.NoError(t, err)
	require.Zero(t, n, "no per-record escrow for a job-wide failure")
	logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	require.Equal(t, "ERROR_CODE_INVALID_CREDENTIALS", logs[0].ErrorCode)
	require.Contains(t, logs[0].Recommendation, "recovers")

	// Not yet due: still quarantined.
	require.NoError(t, r.eng.probeQuarantined(ctx, r.jobs(t)))
	job, _ = r.st.GetJob(ctx, "j")
	require.Equal(t, QuarantineException, job.QuarantineReason)

	// Due, still broken: tried and quarantined again, with a longer wait.
	r.clk.Advance(time.Minute)
	require.NoError(t, r.eng.probeQuarantined(ctx, r.jobs(t)))
	job, _ = r.st.GetJob(ctx, "j")
	require.Empty(t, job.QuarantineReason, "lifted to try again")
	require.ErrorIs(t, r.eng.processJob(ctx, "j"), errJobHeld)
	job, _ = r.st.GetJob(ctx, "j")
	require.Equal(t, QuarantineException, job.QuarantineReason)
	r.clk.Advance(time.Minute)
	require.NoError(t, r.eng.probeQuarantined(ctx, r.jobs(t)))
	job, _ = r.st.GetJob(ctx, "j")
	require.Equal(t, QuarantineException, job.QuarantineReason, "the second wait is five minutes")

	// The admin fixes the password: the job recovers on its own.
	delete(r.dir.fail, "find")
	r.clk.Advance(5 * time.Minute)
	require.NoError(t, r.eng.probeQuarantined(ctx, r.jobs(t)))
	require.NoError(t, r.eng.processJob(ctx, "j"))
	job, _ = r.st.GetJob(ctx, "j")
	require.Empty(t, job.QuarantineReason)
	require.Len(t, r.dir.objects, 2, "both queued records were provisioned")
	require.Empty(t, r.eng.probes, "the recovery schedule is forgotten")
}

func TestPlanAndApply(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{}`)
	r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "title": "Eng", "active": "True"})
	require.NoError(t, r.st.SetPaused(ctx, "j", true))
	r.stage(t, "next", map[string]string{"externalId": "1", "displayName": "Ada", "title": "Lead", "active": "True"},
		map[string]string{"externalId": "2", "displayName": "Bo", "active": "True"})

	writes := func() int {
		n := 0
		for _, k := range r.dir.kinds() {
			if k == "CreateUser" || k == "ModifyUser" {
				n++
			}
		}
		return n
	}
	before := writes()
	logsBefore, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
	require.NoError(t, err)

	p, err := r.eng.Plan(ctx, "j")
	require.NoError(t, err)
	require.Equal(t, before, writes(), "planning writes nothing to the directory")
	logsAfter, _ := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j"})
	require.Len(t, logsAfter, len(logsBefore), "nor to the store")
	require.Equal(t, 2, p.Records)
	require.Equal(t, map[string]int{"update": 1, "create": 1}, p.Counts)
	byWorker := map[string]PlanEntry{}
	for _, e := range p.Entries {
		byWorker[e.Worker] = e
	}
	require.Equal(t, []Modified{{DisplayName: "title", OldValue: "Eng", NewValue: "Lead"}}, byWorker["1"].Modified)
	require.Len(t, byWorker["2"].Operations, 1)
	require.Contains(t, string(byWorker["2"].Operations[0]), "createUser")
	require.Contains(t, p.Summary(), `title: "Eng" -> "Lead"`)

	// Apply refuses while not paused, and after the directory changed.
	require.NoError(t, r.st.SetPaused(ctx, "j", false))
	_, err = r.eng.ApplyPlan(ctx, "j", p.Fingerprint)
	require.ErrorIs(t, err, ErrNotPaused)
	require.NoError(t, r.st.SetPaused(ctx, "j", true))
	for _, o := range r.dir.objects {
		setAttr(o, "title", []string{"Changed by hand"})
	}
	_, err = r.eng.ApplyPlan(ctx, "j", p.Fingerprint)
	require.ErrorIs(t, err, ErrPlanChanged)
	require.Equal(t, before, writes())

	// A fresh plan applies: the job resumes and does what the plan said.
	p, err = r.eng.Plan(ctx, "j")
	require.NoError(t, err)
	_, err = r.eng.ApplyPlan(ctx, "j", p.Fingerprint)
	require.NoError(t, err)
	require.NoError(t, r.eng.processJob(ctx, "j"))
	require.Len(t, r.dir.objects, 2)
	for _, o := range r.dir.objects {
		if attr(o, "employeeID")[0] == "1" {
			require.Equal(t, []string{"Lead"}, attr(o, "title"))
		}
	}
}

// jobs lists the rig's jobs, as the engine's loop does each round.
func (r *rig) jobs(t *testing.T) []store.Job {
	t.Helper()
	all, err := r.st.ListJobs(context.Background())
	require.NoError(t, err)
	return all
}

// sweepExpired runs the expiry sweep now, whenever the last one ran.
func (r *rig) sweepExpired(t *testing.T) {
	t.Helper()
	r.eng.lastExpiry = time.Time{}
	r.eng.sweepExpired(context.Background(), r.jobs(t))
}
