package csvfeed

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/source"
)

// drop is a drop folder with a source over it.
type drop struct {
	dir   string
	clock *clockwork.FakeClock
	src   *Source
	g     *got
}

func newDrop(t *testing.T, mutate func(*Config)) *drop {
	t.Helper()
	d := &drop{dir: t.TempDir(), clock: clockwork.NewFakeClockAt(testNow), g: &got{}}
	settle := Duration(30 * time.Second)
	cfg := Config{Folder: d.dir, Key: "id", Settle: &settle, Clock: d.clock,
		Report: func(r FileReport) { d.g.reports = append(d.g.reports, r) }}
	if mutate != nil {
		mutate(&cfg)
	}
	var err error
	d.src, err = New(cfg)
	require.NoError(t, err)
	return d
}

// put drops a file that was last modified age ago.
func (d *drop) put(t *testing.T, name, content string, age time.Duration) {
	t.Helper()
	writeAt(t, filepath.Join(d.dir, name), []byte(content), d.clock.Now().Add(-age))
}

func (d *drop) reset() { d.g.order, d.g.records, d.g.reports = nil, nil, nil }

func (d *drop) outcomes() map[string]Outcome {
	out := map[string]Outcome{}
	for _, r := range d.g.reports {
		out[r.File] = r.Outcome
	}
	return out
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func wmOf(t *testing.T, w source.Watermark) watermark {
	t.Helper()
	var m watermark
	require.NoError(t, json.Unmarshal(w, &m))
	return m
}

func TestDropFolderSnapshots(t *testing.T) {
	ctx := context.Background()
	d := newDrop(t, nil)

	// An empty folder: nothing to read, and the next call is incremental.
	wm, err := d.src.Full(ctx, d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.order)

	d.put(t, "w-001.csv", "id,name\n1,Ann\n2,Bo\n", time.Hour)
	d.put(t, "w-002.csv", "id,name\n1,Ann\n2,Bob\n3,Cy\n", time.Hour)
	d.put(t, "w-003.csv", "id,name\n1,Ann\n1,Dup\n", time.Hour)    // rejected
	d.put(t, "w-004.csv", "id,name\n1,Ann\n", 10*time.Second)      // still being written
	d.put(t, "w-005.csv", "id,name\n9,Zed\n", time.Hour)           // waits behind w-004
	d.put(t, "notes.txt", "not matched by the pattern", time.Hour) // ignored
	wm, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "2", "3"}, d.g.order, "only the newest good snapshot is read")
	require.Equal(t, "Bob", d.g.records["2"]["name"])
	require.Equal(t, map[string]Outcome{"w-001.csv": Superseded, "w-002.csv": Read, "w-003.csv": Rejected}, d.outcomes())
	require.Equal(t, watermark{V: 1, Last: "w-003.csv", Sent: "w-002.csv"}, wmOf(t, wm))
	require.Equal(t, []string{"notes.txt", "w-004.csv", "w-005.csv"}, names(t, d.dir))
	require.Equal(t, []string{"w-001.csv", "w-002.csv"}, names(t, filepath.Join(d.dir, ProcessedDir)))
	require.Equal(t, []string{"w-003.csv", "w-003.csv.error.txt"}, names(t, filepath.Join(d.dir, FailedDir)))
	note, err := os.ReadFile(filepath.Join(d.dir, FailedDir, "w-003.csv.error.txt"))
	require.NoError(t, err)
	require.Equal(t, "w-003.csv line 3, column 1: key \"1\" is also on line 2: each worker must be on one row\n", string(note))

	// Nothing new: nothing read.
	d.reset()
	wm2, err := d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.order)
	require.Equal(t, wmOf(t, wm), wmOf(t, wm2))

	// Once w-004 settled, w-004 and w-005 are read: w-005 wins.
	d.clock.Advance(20 * time.Second)
	d.reset()
	wm, err = d.src.Changes(ctx, wm2, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"9"}, d.g.order)
	require.Equal(t, watermark{V: 1, Last: "w-005.csv", Sent: "w-005.csv"}, wmOf(t, wm))

	// A file dropped again under an old name is refused, never read twice.
	d.reset()
	d.put(t, "w-002.csv", "id,name\n1,Old\n", time.Hour)
	_, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.order)
	require.Equal(t, map[string]Outcome{"w-002.csv": Rejected}, d.outcomes())
	require.Contains(t, d.g.reports[0].Err.Error(), `sorts at or before "w-005.csv", the last file handled`)
	require.Equal(t, filepath.Join(d.dir, FailedDir, "w-002.csv"), d.g.reports[0].MovedTo)

	// An old name still being written is left alone until it is complete.
	d.reset()
	d.put(t, "w-001.csv", "id,name\n1,Old\n", time.Second)
	_, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.reports)
	require.Contains(t, names(t, d.dir), "w-001.csv")
	d.clock.Advance(time.Minute)
	_, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Equal(t, map[string]Outcome{"w-001.csv": Rejected}, d.outcomes())

	// Full reads the newest snapshot again (after a mapping change).
	d.reset()
	_, err = d.src.Full(ctx, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"9"}, d.g.order)
}

func TestDropFolderCrashBeforeWatermarkIsStored(t *testing.T) {
	ctx := context.Background()
	d := newDrop(t, func(c *Config) { c.Files = Delta })
	wm0, err := d.src.Full(ctx, d.g.add)
	require.NoError(t, err)
	d.put(t, "a.csv", "id,name\n1,Ann\n", time.Hour)
	d.put(t, "b.csv", "id,name\n2,Bo\n", time.Hour)
	wm1, err := d.src.Changes(ctx, wm0, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "2"}, d.g.order)
	require.Empty(t, names(t, d.dir), "both files moved to processed/")

	// The engine crashed before storing wm1: the same call again reads the
	// moved files from processed/, in the same order.
	d.reset()
	_, err = d.src.Changes(ctx, wm0, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "2"}, d.g.order)

	// With wm1 stored, they are never read again.
	d.reset()
	_, err = d.src.Changes(ctx, wm1, d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.order)

	// A failure while staging leaves the watermark where it was.
	d.put(t, "c.csv", "id,name\n3,Cy\n4,Di\n", time.Hour)
	boom := errors.New("stage failed")
	wm, err := d.src.Changes(ctx, wm1, func(source.Record) error { return boom })
	require.ErrorIs(t, err, boom)
	require.Nil(t, wm)
	d.reset()
	_, err = d.src.Changes(ctx, wm1, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"3", "4"}, d.g.order)
}

func TestDropFolderDeltas(t *testing.T) {
	ctx := context.Background()
	d := newDrop(t, func(c *Config) { c.Files = Delta })
	d.put(t, "d1.csv", "id,name\n1,Ann\n2,Bo\n", time.Hour)
	d.put(t, "d2.csv", "id,name\n2,Bob\n3,Cy\n", time.Hour)
	wm, err := d.src.Full(ctx, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "2", "3"}, d.g.order, "Full merges every delta, later files winning")
	require.Equal(t, "Bob", d.g.records["2"]["name"])

	d.reset()
	d.put(t, "d3.csv", "id,name\n1,Anna\n", time.Hour)
	d.put(t, "d4.csv", "id,name\n3,Cyd\n", time.Hour)
	wm, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "3"}, d.g.order, "each delta is read, in order")
	require.Equal(t, map[string]Outcome{"d3.csv": Read, "d4.csv": Read}, d.outcomes())
	require.Equal(t, "d4.csv", wmOf(t, wm).Last)

	// Worker answers from every delta merged.
	rec, ok, err := d.src.Worker(ctx, "2", testNow)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "Bob", rec.Attributes["name"].AsString())
	rec, ok, err = d.src.Worker(ctx, "1", testNow)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "Anna", rec.Attributes["name"].AsString())
}

func TestDropFolderAbsentLeavers(t *testing.T) {
	ctx := context.Background()
	d := newDrop(t, func(c *Config) { c.Leavers = &Leavers{Absent: true} })
	d.put(t, "s1.csv", "id,name\n1,Ann\n2,Bo\n3,Cy\n4,Di\n", time.Hour)
	wm, err := d.src.Full(ctx, d.g.add)
	require.NoError(t, err)
	require.Equal(t, "True", d.g.records["2"]["active"])

	// 2 left; 3 is in the file on a bad row: not a leaver.
	d.reset()
	d.put(t, "s2.csv", "id,name\n1,Ann\n3,Cy,extra\n4,Di\n", time.Hour)
	wm, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "4", "2"}, d.g.order)
	require.Equal(t, map[string]string{"id": "2", "name": "Bo", "active": "False"}, d.g.records["2"], "the previous row, inactive")
	require.Equal(t, 3, d.g.reports[0].Records)
	require.Len(t, d.g.reports[0].Problems, 1)

	// A row without a key switches the rule off for that file.
	d.reset()
	d.put(t, "s3.csv", "id,name\n1,Ann\n,Ghost\n", time.Hour)
	wm, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1"}, d.g.order, "4 is not reported as a leaver")

	// An empty snapshot is refused: it would make everyone a leaver.
	d.reset()
	d.put(t, "s4.csv", "id,name\n", time.Hour)
	_, err = d.src.Changes(ctx, wm, d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.order)
	require.Equal(t, map[string]Outcome{"s4.csv": Rejected}, d.outcomes())
	require.Contains(t, d.g.reports[0].Err.Error(), "has no rows: with leavers.absent an empty snapshot would make every worker a leaver")

	// Worker reads the newest snapshot in processed/.
	_, ok, err := d.src.Worker(ctx, "4", testNow)
	require.NoError(t, err)
	require.False(t, ok, "4 is not in s3.csv")
	rec, ok, err := d.src.Worker(ctx, "1", testNow)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "True", rec.Attributes["active"].AsString())
}

func TestDropFolderClockSkew(t *testing.T) {
	d := newDrop(t, nil)
	d.put(t, "x.csv", "id\n1\n", -time.Hour) // modified "in the future"
	wm, err := d.src.Changes(context.Background(), watermark{}.encode(), d.g.add)
	require.NoError(t, err)
	require.Empty(t, d.g.order, "waits until our clock passes the file's time")
	d.clock.Advance(time.Hour + 30*time.Second)
	_, err = d.src.Changes(context.Background(), wm, d.g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1"}, d.g.order)
}
