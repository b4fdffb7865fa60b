package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/store"
)

func TestDeleteAfterDays(t *testing.T) {
	ctx := context.Background()
	day := 24 * time.Hour
	logsOf := func(t *testing.T, r *rig, action string) []store.LogEntry {
		all, err := r.st.QueryLogs(ctx, store.LogQuery{JobID: "j", Limit: 1000})
		require.NoError(t, err)
		var out []store.LogEntry
		for _, l := range all {
			if l.Action == action {
				out = append(out, l)
			}
		}
		return out
	}

	t.Run("a leaver's account is deleted after the days, not before", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deleteAfterDays":30}`)
		r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "True"})
		r.run(t, map[string]string{"externalId": "2", "displayName": "Bo", "active": "True"})
		r.clk.Advance(time.Hour)
		l := r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "False"})
		require.Equal(t, "disable", l.Action)

		r.clk.Advance(30*day - time.Minute)
		r.sweepExpired(t)
		require.Len(t, r.dir.objects, 2, "not yet")
		r.clk.Advance(2 * time.Minute)
		r.sweepExpired(t)
		require.Len(t, r.dir.objects, 1)
		require.Contains(t, r.dir.objects, "guid-2", "the active worker's account stays")
		del := logsOf(t, r, "delete")
		require.Len(t, del, 1)
		require.Equal(t, StatusSuccess, del[0].Status)
		require.Equal(t, "1", del[0].SourceID)
		_, err := r.st.GetLink(ctx, "j", "1")
		require.ErrorIs(t, err, store.ErrNotFound, "the link goes with the account")

		r.sweepExpired(t)
		require.Len(t, logsOf(t, r, "delete"), 1, "nothing more to delete")
		// A rehire of the deleted worker gets a new account.
		l = r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "True"})
		require.Equal(t, "create", l.Action)
	})

	t.Run("an account enabled outside hrsync is kept", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deleteAfterDays":1}`)
		r.run(t, map[string]string{"externalId": "1", "displayName": "Ada", "active": "False"})
		r.dir.objects["guid-1"].Enabled = true // a helpdesk re-enabled it
		r.clk.Advance(2 * day)
		r.sweepExpired(t)
		require.Contains(t, r.dir.objects, "guid-1")
		other := logsOf(t, r, "other")
		require.Len(t, other, 1)
		require.Equal(t, "ERROR_CODE_UNWILLING_TO_PERFORM", other[0].ErrorCode)
		link, err := r.st.GetLink(ctx, "j", "1")
		require.NoError(t, err)
		require.True(t, link.Enabled)
		r.clk.Advance(2 * day)
		r.sweepExpired(t)
		require.Len(t, logsOf(t, r, "other"), 1, "not tried again while enabled")
	})

	t.Run("the guard holds mass deletes until an admin allows them", func(t *testing.T) {
		r := newRig(t, testMapping, `{"deleteAfterDays":1,"deletionThreshold":1}`)
		r.run(t, map[string]string{"externalId": "1", "displayName": "A", "active": "False"})
		r.run(t, map[string]string{"externalId": "2", "displayName": "B", "active": "False"})
		r.clk.Advance(2 * day)
		r.sweepExpired(t)
		require.Len(t, r.dir.objects, 2)
		require.Len(t, logsOf(t, r, "stagedDelete"), 2)
		job, err := r.st.GetJob(ctx, "j")
		require.NoError(t, err)
		require.Equal(t, QuarantineTooManyDeletes, job.QuarantineReason)
		r.sweepExpired(t)
		require.Len(t, r.dir.objects, 2, "a quarantined job deletes nothing")

		require.NoError(t, r.st.AllowDeletes(ctx, "j", r.clk.Now()))
		r.sweepExpired(t)
		require.Empty(t, r.dir.objects)
		require.Len(t, logsOf(t, r, "delete"), 2)
	})

	t.Run("no policy, no deletes; bad values are refused", func(t *testing.T) {
		r := newRig(t, testMapping, `{}`)
		r.run(t, map[string]string{"externalId": "1", "displayName": "A", "active": "False"})
		r.clk.Advance(3650 * day)
		r.sweepExpired(t)
		require.Len(t, r.dir.objects, 1)
		_, err := compileJob([]byte(testMapping), []byte(`{"deleteAfterDays":-1}`), 1)
		require.ErrorContains(t, err, "deleteAfterDays")
	})
}

func TestExpirySweepRunsAtMostOncePerMinute(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{"deleteAfterDays":1}`)
	r.run(t, map[string]string{"externalId": "1", "displayName": "A", "active": "False"})
	r.clk.Advance(25 * time.Hour) // the delete is due
	r.eng.lastExpiry = r.clk.Now().Add(-30 * time.Second)
	r.eng.sweepExpired(ctx, r.jobs(t))
	require.Len(t, r.dir.objects, 1, "within a minute of the last sweep nothing is looked at")
	r.clk.Advance(31 * time.Second)
	r.eng.sweepExpired(ctx, r.jobs(t))
	require.Empty(t, r.dir.objects, "a minute after it the due delete goes through")
}
