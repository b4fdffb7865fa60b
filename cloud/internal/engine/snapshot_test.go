package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// stageMany stages one upload of records and returns its ID.
func (r *rig) stageMany(t *testing.T, recs ...map[string]string) string {
	t.Helper()
	r.n++
	u := store.Upload{ID: fmt.Sprintf("u%d", r.n), JobID: "j", ReceivedAt: time.Now()}
	for _, attrs := range recs {
		src := map[string]expr.Value{}
		for k, v := range attrs {
			src[k] = expr.String(v)
		}
		payload, err := EncodeSource(src)
		require.NoError(t, err)
		u.Records = append(u.Records, store.StagedRecord{Anchor: attrs["externalId"], Payload: payload})
	}
	require.NoError(t, r.st.StageUpload(context.Background(), u))
	return u.ID
}

func (r *rig) count(kind string) int {
	n := 0
	for _, k := range r.dir.kinds() {
		if k == kind {
			n++
		}
	}
	return n
}

func TestSnapshotMatching(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{}`)
	r.eng.cfg.SnapshotMin = 3
	r.eng.cfg.Workers = 1
	// Two users already in the directory; matching is case-insensitive, as AD's.
	r.dir.objects["g-a"] = &agentv1.Entry{Dn: "CN=A,OU=Users,DC=hrsync,DC=test", ObjectGuid: "g-a", Enabled: true,
		Attributes: []*agentv1.Attribute{{Name: "employeeID", Values: []string{"E-1"}}, {Name: "displayName", Values: []string{"Ann"}}}}
	r.dir.objects["g-b"] = &agentv1.Entry{Dn: "CN=B,OU=Users,DC=hrsync,DC=test", ObjectGuid: "g-b", Enabled: true,
		Attributes: []*agentv1.Attribute{{Name: "employeeID", Values: []string{"e-2"}}, {Name: "displayName", Values: []string{"Ben"}}}}
	r.stageMany(t,
		map[string]string{"externalId": "e-1", "displayName": "Ann", "active": "True"},
		map[string]string{"externalId": "E-2", "displayName": "Benjamin", "active": "True"},
		map[string]string{"externalId": "3", "displayName": "Cleo", "active": "True"},
		map[string]string{"externalId": "3", "displayName": "Cleo M.", "active": "True"}, // same worker again in the drain
	)
	require.NoError(t, r.eng.processJob(ctx, "j"))
	require.Equal(t, 1, r.count("ExportUsers"), "the directory is read once")
	require.Equal(t, 1, r.count("FindUser"), "only the created worker's second record reads the directory")
	require.Equal(t, 1, r.count("CreateUser"))
	require.True(t, r.creates()[0].GetMatchChecked(), "the agent is told the match was checked against the whole directory")
	require.Nil(t, r.eng.snapshotFor("j"), "the snapshot is dropped when the backlog drained")

	la, err := r.st.GetLink(ctx, "j", "e-1")
	require.NoError(t, err)
	require.Equal(t, "g-a", la.ObjectGUID, "matched in memory across case")
	lb, err := r.st.GetLink(ctx, "j", "E-2")
	require.NoError(t, err)
	require.Equal(t, "g-b", lb.ObjectGUID)
	require.Equal(t, []string{"Benjamin"}, attr(r.dir.objects["g-b"], "displayName"), "the update diffed against the snapshot")
	require.Len(t, r.dir.objects, 3, "no duplicate for the worker seen twice")
	var created *agentv1.Entry
	for g, o := range r.dir.objects {
		if g != "g-a" && g != "g-b" {
			created = o
		}
	}
	require.Equal(t, []string{"Cleo M."}, attr(created, "displayName"))
}

func TestSnapshotSmallBacklogAndExportFailure(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{}`)
	r.eng.cfg.SnapshotMin = 3
	r.stageMany(t, map[string]string{"externalId": "1", "displayName": "A", "active": "True"})
	require.NoError(t, r.eng.processJob(ctx, "j"))
	require.Zero(t, r.count("ExportUsers"), "a small backlog is matched one by one")
	require.False(t, r.creates()[0].GetMatchChecked(), "without a snapshot the agent checks the match itself")

	r.dir.fail["export"] = &agentv1.Error{Code: agentv1.ErrorCode_ERROR_CODE_UNAVAILABLE, Message: "no DC"}
	r.stageMany(t,
		map[string]string{"externalId": "1", "displayName": "A2", "active": "True"},
		map[string]string{"externalId": "2", "displayName": "B", "active": "True"},
		map[string]string{"externalId": "3", "displayName": "C", "active": "True"})
	require.NoError(t, r.eng.processJob(ctx, "j"))
	require.Equal(t, 1, r.count("ExportUsers"))
	require.Len(t, r.dir.objects, 3, "a failed export falls back to matching one by one")
}

func TestSnapshotDuplicatesAreReported(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{}`)
	r.eng.cfg.SnapshotMin = 1
	for _, g := range []string{"g1", "g2"} {
		r.dir.objects[g] = &agentv1.Entry{Dn: "CN=" + g + ",DC=hrsync,DC=test", ObjectGuid: g,
			Attributes: []*agentv1.Attribute{{Name: "employeeID", Values: []string{"7"}}}}
	}
	id := r.stageMany(t, map[string]string{"externalId": "7", "displayName": "Dup", "active": "True"})
	require.NoError(t, r.eng.processJob(ctx, "j"))
	logs, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j", CycleID: id, Limit: 10})
	require.NoError(t, err)
	require.Len(t, logs, 1)
	require.Equal(t, "DuplicateTargetEntries", logs[0].ErrorCode)
	require.Zero(t, r.count("FindUser"))
}

func (r *rig) creates() []*agentv1.CreateUser {
	r.dir.mu.Lock()
	defer r.dir.mu.Unlock()
	var out []*agentv1.CreateUser
	for _, op := range r.dir.ops {
		if cu := op.GetCreateUser(); cu != nil {
			out = append(out, cu)
		}
	}
	return out
}

func TestCycleOf(t *testing.T) {
	for _, tc := range []struct {
		rec  store.StagedRecord
		want string
	}{
		{store.StagedRecord{UploadID: BatchUploadID("0193-abc", 3), CycleID: "0193-abc"}, "0193-abc"},
		{store.StagedRecord{UploadID: "ondemand.5c1e-77"}, "ondemand.5c1e-77"},
		{store.StagedRecord{UploadID: "9f2c.7"}, "9f2c.7"}, // an API upload ID never names a cycle
	} {
		if got := cycleOf(tc.rec); got != tc.want {
			t.Errorf("cycleOf(%+v) = %q, want %q", tc.rec, got, tc.want)
		}
	}
}
