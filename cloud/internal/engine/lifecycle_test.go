package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

func TestLifecycleDecide(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	sydney, err := time.LoadLocation("Australia/Sydney")
	require.NoError(t, err)
	l, err := compileLifecycle(Lifecycle{HireDate: "hire", LastDayOfWork: "last", TimeZone: "tz", PrepareDays: 14})
	require.NoError(t, err)
	rec := func(kv ...string) map[string]expr.Value {
		m := map[string]expr.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = expr.String(kv[i+1])
		}
		return m
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		src       map[string]expr.Value
		prepareAt time.Time
		disable   bool
		wakes     []time.Time
		err       string
	}{
		{name: "no dates: nothing to do", src: rec()},
		{name: "hire beyond the prepare window waits",
			src:       rec("hire", "2026-12-24", "tz", "Asia/Kolkata"),
			prepareAt: time.Date(2026, 12, 10, 0, 0, 0, 0, kolkata), wakes: []time.Time{time.Date(2026, 12, 10, 0, 0, 0, 0, kolkata)}},
		{name: "hire within the window: prepared disabled, enabled at local midnight",
			src:     rec("hire", "2026-12-01-08:00", "tz", "Asia/Kolkata"),
			disable: true, wakes: []time.Time{time.Date(2026, 12, 1, 0, 0, 0, 0, kolkata)}},
		{name: "hired already", src: rec("hire", "2026-11-22", "tz", "Asia/Kolkata")},
		{name: "last day ahead: disabled at the end of it in Sydney",
			src:   rec("hire", "2020-01-01", "last", "2026-11-30", "tz", "Australia/Sydney"),
			wakes: []time.Time{time.Date(2026, 12, 1, 0, 0, 0, 0, sydney)}},
		{name: "last day over in Sydney though not in UTC",
			// 12:00 UTC on 22 Nov is 23:00 in Sydney; the 22nd ends at 13:00 UTC.
			src: rec("last", "2026-11-21", "tz", "Australia/Sydney"), disable: true},
		{name: "last day still running in Sydney", src: rec("last", "2026-11-22", "tz", "Australia/Sydney"),
			wakes: []time.Time{time.Date(2026, 11, 23, 0, 0, 0, 0, sydney)}},
		{name: "a rehire ignores the earlier last day", src: rec("hire", "2026-11-01", "last", "2025-06-30")},
		{name: "no zone: the default (UTC)", src: rec("last", "2026-11-22"), wakes: []time.Time{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}},
		{name: "a bad date", src: rec("hire", "01/12/2026"), err: "does not start with a calendar date"},
		{name: "an impossible date", src: rec("hire", "2026-02-30"), err: "does not start with a calendar date"},
		{name: "a bad zone", src: rec("hire", "2026-12-01", "tz", "Mars/Olympus"), err: "not an IANA time zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.decide(tt.src, now)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.True(t, tt.prepareAt.Equal(got.prepareAt), "prepareAt %v, want %v", got.prepareAt, tt.prepareAt)
			require.Equal(t, tt.disable, got.disable, got.why)
			require.Len(t, got.wakes, len(tt.wakes))
			for i := range tt.wakes {
				require.True(t, tt.wakes[i].Equal(got.wakes[i]), "wake %v, want %v", got.wakes[i], tt.wakes[i])
			}
		})
	}
	for _, bad := range []Lifecycle{{PrepareDays: 3}, {HireDate: "h", PrepareDays: 400}, {HireDate: "h", DefaultTimeZone: "Nowhere/None"}} {
		_, err := compileLifecycle(bad)
		require.Error(t, err, "%+v", bad)
	}
}

func TestFutureHireIsPreparedAndEnabledOnTime(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, testMapping, `{"lifecycle":{"hireDate":"hireDate","timeZone":"tz","prepareDays":14}}`)
	// The rig's clock: 2026-11-22 00:00 UTC. First day: 20 December in Kolkata.
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	require.NoError(t, err)
	worker := map[string]string{"externalId": "7", "displayName": "Priya", "active": "True", "hireDate": "2026-12-20", "tz": "Asia/Kolkata"}
	l := r.run(t, worker)
	require.Equal(t, StatusSkipped, l.Status)
	require.Contains(t, string(l.Steps), "prepared from")
	require.Empty(t, r.dir.objects)
	prepare := time.Date(2026, 12, 6, 0, 0, 0, 0, kolkata)
	due, err := r.st.DueWakes(ctx, prepare, 10)
	require.NoError(t, err)
	require.Len(t, due, 1)
	require.True(t, due[0].DueAt.Equal(prepare))

	r.clk.Advance(prepare.Sub(r.clk.Now()))
	l = r.run(t, worker)
	require.Equal(t, "create", l.Action, l.ErrorMessage)
	require.False(t, r.dir.objects["guid-1"].GetEnabled(), "prepared disabled although the mapping says active")
	start := time.Date(2026, 12, 20, 0, 0, 0, 0, kolkata)
	due, err = r.st.DueWakes(ctx, start, 10)
	require.NoError(t, err)
	require.Len(t, due, 2, "the prepare wake (handled by the cycle runner) and the first day")

	r.clk.Advance(start.Sub(r.clk.Now()) - time.Second)
	l = r.run(t, worker)
	require.Equal(t, StatusSkipped, l.Status, "a second before midnight in Kolkata: still disabled")
	r.clk.Advance(time.Second)
	l = r.run(t, worker)
	require.Equal(t, map[string][2]string{"accountDisabled": {"True", "False"}}, modified(t, l))
	require.True(t, r.dir.objects["guid-1"].GetEnabled())

	// The last day of work is keyed: disabled at the end of it, in Kolkata.
	worker["lastDay"] = "2027-03-31"
	r2 := newRig(t, testMapping, `{"lifecycle":{"lastDayOfWork":"lastDay","timeZone":"tz"}}`)
	r2.clk.Advance(r.clk.Now().Sub(r2.clk.Now()))
	require.Equal(t, "create", r2.run(t, worker).Action)
	end := time.Date(2027, 4, 1, 0, 0, 0, 0, kolkata)
	r2.clk.Advance(end.Sub(r2.clk.Now()))
	l = r2.run(t, worker)
	require.Equal(t, "disable", l.Action)
}
