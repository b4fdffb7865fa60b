package csvfeed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

var testNow = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func zero() *Duration { d := Duration(0); return &d }

// writeAt writes a file and sets its modification time.
func writeAt(t *testing.T, path string, content []byte, mod time.Time) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, content, 0o600))
	require.NoError(t, os.Chtimes(path, mod, mod))
}

// got is what a read reported.
type got struct {
	records map[string]map[string]string // anchor → attribute → value
	wakes   map[string][]time.Time
	order   []string
	reports []FileReport
}

func (g *got) add(r source.Record) error {
	if g.records == nil {
		g.records, g.wakes = map[string]map[string]string{}, map[string][]time.Time{}
	}
	m := map[string]string{}
	for k, v := range r.Attributes {
		if v.Kind() != expr.KindString {
			return errors.New("attribute " + k + " is not a string")
		}
		m[k] = v.AsString()
	}
	g.records[r.Anchor] = m
	if len(r.Wake) > 0 {
		g.wakes[r.Anchor] = r.Wake
	}
	g.order = append(g.order, r.Anchor)
	return nil
}

// pathSource writes content to a file and returns a path-mode source.
func pathSource(t *testing.T, content []byte, mutate func(*Config)) (*Source, *got, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "workers.csv")
	writeAt(t, path, content, testNow.Add(-time.Hour))
	g := &got{}
	cfg := Config{Path: path, Key: "id", Settle: zero(), Clock: clockwork.NewFakeClockAt(testNow),
		Report: func(r FileReport) { g.reports = append(g.reports, r) }}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg)
	require.NoError(t, err)
	return s, g, path
}

func TestReadGoodFiles(t *testing.T) {
	utf16 := func(s string, bo unicode.Endianness) []byte {
		b, err := unicode.UTF16(bo, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	latin := func(s string, cm *charmap.Charmap) []byte {
		b, err := cm.NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name    string
		content []byte
		mutate  func(*Config)
		want    map[string]map[string]string
	}{
		{name: "plain", content: []byte("id,name\n1,Ann\n2,Bo\n"),
			want: map[string]map[string]string{"1": {"id": "1", "name": "Ann"}, "2": {"id": "2", "name": "Bo"}}},
		{name: "CRLF, trailing empty lines, no final newline", content: []byte("id,name\r\n1,Ann\r\n\r\n2,Bo"),
			want: map[string]map[string]string{"1": {"id": "1", "name": "Ann"}, "2": {"id": "2", "name": "Bo"}}},
		{name: "quoted fields with delimiters, quotes and line breaks", content: []byte("id,name,address\n1,\"O'Brien, \"\"Sio\"\"\",\"Havnegade 12\r\n1058 København\"\n"),
			want: map[string]map[string]string{"1": {"id": "1", "name": `O'Brien, "Sio"`, "address": "Havnegade 12\n1058 København"}}},
		{name: "diacritics and a UTF-8 byte order mark", content: []byte("\xef\xbb\xbfid,name\n1,Søren Kjær\n2,Zoë Ångström\n"),
			want: map[string]map[string]string{"1": {"id": "1", "name": "Søren Kjær"}, "2": {"id": "2", "name": "Zoë Ångström"}}},
		{name: "UTF-16 little endian", content: utf16("id,name\r\n1,Siobhán\r\n", unicode.LittleEndian), mutate: func(c *Config) { c.Encoding = "utf-16" },
			want: map[string]map[string]string{"1": {"id": "1", "name": "Siobhán"}}},
		{name: "UTF-16 big endian", content: utf16("id,name\n1,Łukasz\n", unicode.BigEndian), mutate: func(c *Config) { c.Encoding = "UTF16" },
			want: map[string]map[string]string{"1": {"id": "1", "name": "Łukasz"}}},
		{name: "windows-1252", content: latin("id,name\n1,François Müller – €\n", charmap.Windows1252), mutate: func(c *Config) { c.Encoding = "windows-1252" },
			want: map[string]map[string]string{"1": {"id": "1", "name": "François Müller – €"}}},
		{name: "iso-8859-15", content: latin("id,name\n1,Œuvre €\n", charmap.ISO8859_15), mutate: func(c *Config) { c.Encoding = "latin9" },
			want: map[string]map[string]string{"1": {"id": "1", "name": "Œuvre €"}}},
		{name: "semicolon", content: []byte("id;name\n1;Ann\n"), mutate: func(c *Config) { c.Delimiter = ";" },
			want: map[string]map[string]string{"1": {"id": "1", "name": "Ann"}}},
		{name: "tab", content: []byte("id\tname\n1\tAnn, Jr.\n"), mutate: func(c *Config) { c.Delimiter = "tab" },
			want: map[string]map[string]string{"1": {"id": "1", "name": "Ann, Jr."}}},
		{name: "blank rows, padding and empty cells", content: []byte(" id , name ,title\n,,\n 1 ,  Ann  ,\n"),
			want: map[string]map[string]string{"1": {"id": "1", "name": "Ann"}}},
		{name: "columns map names, case-insensitively, and drop the rest", content: []byte("ID,First Name,Salary\n7,Ann,100\n"),
			mutate: func(c *Config) {
				c.Key = "id"
				c.Columns = map[string]string{"first name": "FirstName", "Id": "WorkerID"}
			},
			want: map[string]map[string]string{"7": {"WorkerID": "7", "FirstName": "Ann"}}},
		{name: "attributes limit what is reported", content: []byte("id,a,b,c\n1,x,y,z\n"), mutate: func(c *Config) { c.Attributes = []string{"b", "c"} },
			want: map[string]map[string]string{"1": {"b": "y", "c": "z"}}},
		{name: "dates are normalised", content: []byte("id,hired,changed,stamp\n1,05.01.2026,1/5/2026 2:30:00 PM,2026-01-05T09:00:00+01:00\n"),
			mutate: func(c *Config) {
				c.TimeZone = "Europe/Copenhagen"
				c.Dates = map[string]string{"hired": "dd.MM.yyyy", "changed": "M/d/yyyy h:mm:ss tt", "stamp": "yyyy-MM-ddTHH:mm:sszzz"}
			},
			want: map[string]map[string]string{"1": {"id": "1", "hired": "2026-01-05", "changed": "2026-01-05T14:30:00+01:00", "stamp": "2026-01-05T09:00:00+01:00"}}},
		{name: "header only", content: []byte("id,name\n"), want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, g, _ := pathSource(t, tc.content, tc.mutate)
			wm, err := s.Full(context.Background(), g.add)
			require.NoError(t, err)
			require.NotEmpty(t, wm)
			if diff := cmp.Diff(tc.want, g.records); diff != "" {
				t.Fatalf("records (-want +got):\n%s", diff)
			}
			require.Len(t, g.reports, 1)
			require.Equal(t, Read, g.reports[0].Outcome)
			require.Empty(t, g.reports[0].Problems)
		})
	}
}

func TestBadRowsAreSkippedAndReported(t *testing.T) {
	content := "id,name,hired,state,zone\n" +
		"1,Ann,2026-01-05,active,\n" + // line 2: good
		"2,Bo,05/01/2026,active,\n" + // line 3: bad date
		",Cy,2026-01-05,active,\n" + // line 4: no key
		"4,\"Di\nDa\",2026-01-05,maybe,\n" + // lines 5-6: bad state (after an embedded newline)
		"5,Ed,2026-01-05\n" + // line 7: too few fields
		"6,Fa,2026-01-05,,\n" + // line 8: empty state
		"7,Gu,2026-01-05,a,Mars/Olympus\n" + // line 9: bad zone
		"8,Ha,,inactive,Europe/Oslo\n" // line 10: good
	s, g, _ := pathSource(t, []byte(content), func(c *Config) {
		c.Dates = map[string]string{"hired": "yyyy-MM-dd"}
		c.TimeZoneColumn = "zone"
		c.Leavers = &Leavers{Column: "state"}
	})
	_, err := s.Full(context.Background(), g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "8"}, g.order)
	require.Equal(t, "True", g.records["1"]["active"])
	require.Equal(t, "False", g.records["8"]["active"])
	var problems []string
	for _, p := range g.reports[0].Problems {
		problems = append(problems, p.String())
	}
	require.Equal(t, []string{
		"workers.csv line 3, column 3 (hired): is not a date in the format yyyy-MM-dd",
		"workers.csv line 4, column 1 (id): the key column is empty",
		"workers.csv line 6, column 4 (state): is neither an active value (1 true yes y active a) nor an inactive one (0 false no n inactive i terminated t)",
		"workers.csv line 7: has 3 fields, the header has 5",
		"workers.csv line 8, column 4 (state): is empty; the state must be one of 1 true yes y active a (active) or 0 false no n inactive i terminated t (inactive)",
		"workers.csv line 9, column 5 (zone): is not an IANA time zone (such as Europe/Copenhagen)",
	}, problems)
	for _, p := range problems {
		require.NotContains(t, p, "05/01/2026", "messages never quote cell values")
		require.NotContains(t, p, "maybe")
	}
}

func TestRejectedFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mutate  func(*Config)
		want    string
	}{
		{"empty", "", nil, "workers.csv: is empty: the first line must name the columns"},
		{"an xlsx workbook", "PK\x03\x04\x14\x00\x06\x00", nil, "workers.csv: is a ZIP archive (an .xlsx workbook?), not CSV: export the sheet as CSV"},
		{"binary", "id,name\n1,a\x00b\n", nil, "workers.csv line 2, column 4: holds a NUL character: it is not a text file"},
		{"not UTF-8", "id,name\n1,Ann\n2,M\xfcller\n", nil, "workers.csv line 3, column 4: is not valid UTF-8 here: set encoding to the one the file is written in (windows-1252, iso-8859-1, ...)"},
		{"UTF-16 read as UTF-8", "\xff\xfei\x00d\x00", nil, "workers.csv: starts with a UTF-16 byte order mark: set encoding to utf-16"},
		{"UTF-16 without a byte order mark", "i\x00d\x00", func(c *Config) { c.Encoding = "utf-16" }, "workers.csv: has no UTF-16 byte order mark"},
		{"UTF-8 read as windows-1252", "\xef\xbb\xbfid\n1\n", func(c *Config) { c.Encoding = "cp1252" }, "workers.csv: starts with a UTF-8 byte order mark: set encoding to utf-8"},
		{"bare quote", "id,name\n1,Ann\n2,Bo \"the\" Great\n", nil, "workers.csv line 3, column 6: is not valid CSV: bare \" in non-quoted-field"},
		{"unterminated quote", "id,name\n1,\"Ann\n2,Bo\n", nil, "workers.csv line 3, column 6: is not valid CSV: extraneous or missing \" in quoted-field (in the record that starts on line 2)"},
		{"missing key column", "ID_,name\n1,Ann\n", nil, `workers.csv line 1: has no column "id" (the key column); its columns are "ID_", "name"`},
		{"wrong delimiter", "id;name\n1;Ann\n", nil, `workers.csv line 1: has no column "id" (the key column); its columns are "id;name"; the header has a single column: is the delimiter ";"?`},
		{"duplicate keys", "id,name\n1,Ann\n2,Bo\n1,Cy\n", nil, `workers.csv line 4, column 1: key "1" is also on line 2: each worker must be on one row`},
		{"duplicate keys after padding", "name,id\nAnn,1\nBo, 1 \n", nil, `workers.csv line 3, column 2: key "1" is also on line 2: each worker must be on one row`},
		{"duplicate header", "id,Name,name\n", nil, `workers.csv line 1, column 3: column "name" is also column 2`},
		{"header without a name", "id,,name\n", nil, "workers.csv line 1, column 2: this column of the header has no name"},
		{"missing mapped column", "id,name\n1,a\n", func(c *Config) { c.Columns = map[string]string{"title": "JobTitle"} },
			`workers.csv line 1: has no column "title" (columns maps it to "JobTitle"); its columns are "id", "name"`},
		{"missing leaver column", "id,name\n1,a\n", func(c *Config) { c.Leavers = &Leavers{LastDayColumn: "last"} },
			`workers.csv line 1: has no column "last" (leavers.lastDayColumn)`},
		{"too large", "id,name\n1,Ann\n", func(c *Config) { c.MaxFileBytes = 10 }, "workers.csv: is larger than maxFileBytes (10 bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, g, _ := pathSource(t, []byte(tc.content), tc.mutate)
			wm, err := s.Full(context.Background(), g.add)
			require.Nil(t, wm)
			require.Equal(t, source.Validation, source.KindOf(err))
			var fe *FileError
			require.True(t, errors.As(err, &fe), "%T %v", err, err)
			require.True(t, strings.HasPrefix(fe.Error(), tc.want), "got  %s\nwant %s", fe.Error(), tc.want)
			require.Empty(t, g.order, "nothing of a rejected file is reported")
			require.Len(t, g.reports, 1)
			require.Equal(t, Rejected, g.reports[0].Outcome)
		})
	}
}

func TestPathChanges(t *testing.T) {
	s, g, path := pathSource(t, []byte("id,name\n1,Ann\n"), nil)
	ctx := context.Background()
	wm, err := s.Full(ctx, g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1"}, g.order)

	wm2, err := s.Changes(ctx, wm, g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1"}, g.order, "an unchanged file reports nothing")
	require.Equal(t, string(wm), string(wm2))

	writeAt(t, path, []byte("id,name\n1,Ann\n2,Bo\n"), testNow)
	wm3, err := s.Changes(ctx, wm2, g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "1", "2"}, g.order, "a changed file is read again whole; the engine skips identical records")
	require.NotEqual(t, string(wm2), string(wm3))

	_, err = s.Changes(ctx, source.Watermark(`{"v":9}`), g.add)
	require.Equal(t, source.Protocol, source.KindOf(err))
	_, err = s.Changes(ctx, source.Watermark(`nope`), g.add)
	require.Equal(t, source.Protocol, source.KindOf(err))

	require.NoError(t, os.Remove(path))
	_, err = s.Changes(ctx, wm3, g.add)
	require.Equal(t, source.Unavailable, source.KindOf(err))
}

func TestPathSettle(t *testing.T) {
	clock := clockwork.NewFakeClockAt(testNow)
	settle := Duration(time.Minute)
	s, g, path := pathSource(t, []byte("id\n1\n"), func(c *Config) { c.Settle = &settle; c.Clock = clock })
	require.NoError(t, os.Chtimes(path, testNow, testNow.Add(-20*time.Second)))
	_, err := s.Full(context.Background(), g.add)
	var se *source.Error
	require.True(t, errors.As(err, &se))
	require.Equal(t, source.Unavailable, se.Kind)
	require.Equal(t, 40*time.Second, se.RetryAfter)
	clock.Advance(40 * time.Second)
	_, err = s.Full(context.Background(), g.add)
	require.NoError(t, err)
	require.Equal(t, []string{"1"}, g.order)
}

func TestFnErrorStopsTheRead(t *testing.T) {
	s, _, _ := pathSource(t, []byte("id\n1\n2\n3\n"), nil)
	boom := errors.New("stage failed")
	n := 0
	_, err := s.Full(context.Background(), func(source.Record) error {
		n++
		if n == 2 {
			return boom
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, 2, n)
}

func TestLeaverRules(t *testing.T) {
	content := "id,last,hired,zone\n" +
		"past,2026-01-04,,\n" + // ended at midnight 2026-01-05 UTC (before now 09:00 UTC)
		"today,2026-01-05,,\n" + // ends at midnight after today
		"tokyo,2026-01-05,,Asia/Tokyo\n" + // ended 2026-01-05T15:00Z... no: 2026-01-06T00:00+09:00 = 2026-01-05T15:00Z
		"kiritimati,2026-01-04,,Pacific/Kiritimati\n" + // 2026-01-05T00:00+14:00 = 2026-01-04T10:00Z: ended
		"honolulu,2026-01-04,,Pacific/Honolulu\n" + // 2026-01-05T00:00-10:00 = 2026-01-05T10:00Z: still active
		"future,,2026-02-02,Europe/Copenhagen\n" + // hire wakes at 2026-02-01T23:00Z
		"plain,,,\n"
	s, g, _ := pathSource(t, []byte(content), func(c *Config) {
		c.Leavers = &Leavers{LastDayColumn: "last", Attribute: "Active"}
		c.HireDateColumn = "hired"
		c.TimeZoneColumn = "zone"
	})
	_, err := s.Full(context.Background(), g.add)
	require.NoError(t, err)
	active := map[string]string{}
	for k, v := range g.records {
		active[k] = v["Active"]
	}
	require.Equal(t, map[string]string{"past": "False", "today": "True", "tokyo": "True", "kiritimati": "False",
		"honolulu": "True", "future": "True", "plain": "True"}, active)
	require.Equal(t, map[string][]time.Time{
		"today":    {time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)},
		"tokyo":    {time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)},
		"honolulu": {time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)},
		"future":   {time.Date(2026, 2, 1, 23, 0, 0, 0, time.UTC)},
	}, normalise(g.wakes))

	// The engine reads a worker again at its wake instant.
	rec, ok, err := s.Worker(context.Background(), "tokyo", time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "False", rec.Attributes["Active"].AsString())
	require.Empty(t, rec.Wake)
	rec, ok, err = s.Worker(context.Background(), "tokyo", time.Date(2026, 1, 5, 14, 59, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "True", rec.Attributes["Active"].AsString())
	_, ok, err = s.Worker(context.Background(), "nobody", testNow)
	require.NoError(t, err)
	require.False(t, ok)
}

func normalise(m map[string][]time.Time) map[string][]time.Time {
	out := map[string][]time.Time{}
	for k, ts := range m {
		for _, t := range ts {
			out[k] = append(out[k], t.UTC())
		}
		sort.Slice(out[k], func(i, j int) bool { return out[k][i].Before(out[k][j]) })
	}
	return out
}

func TestActiveColumnAndLastDayCombine(t *testing.T) {
	content := "id,status,last\n1,A,\n2,T,\n3,A,2026-01-01\n4,A,2026-12-31\n"
	s, g, _ := pathSource(t, []byte(content), func(c *Config) {
		c.Leavers = &Leavers{Column: "status", LastDayColumn: "last", ActiveValues: []string{"A"}, InactiveValues: []string{"T"}}
	})
	_, err := s.Full(context.Background(), g.add)
	require.NoError(t, err)
	got := map[string]string{}
	for k, v := range g.records {
		got[k] = v["active"]
	}
	require.Equal(t, map[string]string{"1": "True", "2": "False", "3": "False", "4": "True"}, got)
}
