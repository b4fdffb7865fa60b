package csvfeed

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/shared/confload"
)

func TestValidate(t *testing.T) {
	neg := Duration(-time.Second)
	tests := []struct {
		name   string
		cfg    Config
		fields []string
		want   string
	}{
		{"nothing to read", Config{Key: "id"}, []string{"path"}, "path: set path (one file) or folder (a drop folder)"},
		{"both", Config{Path: "a.csv", Folder: "d", Key: "id"}, []string{"folder"}, "folder: set path or folder, not both"},
		{"no key", Config{Path: "a.csv"}, []string{"key"}, "key: is required"},
		{"delimiter", Config{Path: "a.csv", Key: "id", Delimiter: ";;"}, []string{"delimiter"}, `delimiter: must be one character, got ";;"`},
		{"quote as delimiter", Config{Path: "a.csv", Key: "id", Delimiter: `"`}, []string{"delimiter"}, `delimiter: "\"" cannot separate fields`},
		{"encoding", Config{Path: "a.csv", Key: "id", Encoding: "ebcdic"}, []string{"encoding"}, `encoding: "ebcdic" is not supported`},
		{"files", Config{Folder: "d", Key: "id", Files: "full"}, []string{"files"}, `files: must be "snapshot" or "delta", got "full"`},
		{"delta with a path", Config{Path: "a.csv", Key: "id", Files: Delta}, []string{"files"}, "files: delta files need a folder"},
		{"pattern", Config{Folder: "d", Key: "id", Pattern: "[x"}, []string{"pattern"}, `pattern: "[x" is not a file name pattern`},
		{"pattern with a path", Config{Path: "a.csv", Key: "id", Pattern: "*.csv"}, []string{"pattern"}, "pattern: only applies to a folder"},
		{"settle", Config{Path: "a.csv", Key: "id", Settle: &neg}, []string{"settle"}, "settle: must not be negative, got -1s"},
		{"column attribute", Config{Path: "a.csv", Key: "id", Columns: map[string]string{"Name": "[x]"}}, []string{`columns["Name"]`},
			`columns["Name"]: attribute name "[x]" must not contain brackets, quotes or line breaks`},
		{"two columns one attribute", Config{Path: "a.csv", Key: "id", Columns: map[string]string{"A": "x", "B": "x"}}, []string{`columns["B"]`},
			`columns["B"]: attribute "x" is also the attribute of column "A"`},
		{"date format", Config{Path: "a.csv", Key: "id", Dates: map[string]string{"hired": "dd/mm/yyyy"}}, []string{`dates["hired"]`},
			`dates["hired"]: "dd/mm/yyyy" must hold a year, a month and a day`},
		{"date format letters", Config{Path: "a.csv", Key: "id", Dates: map[string]string{"hired": "yyyy-MM-dd Q"}}, []string{`dates["hired"]`},
			`character 'Q' is neither a date token`},
		{"12-hour clock without tt", Config{Path: "a.csv", Key: "id", Dates: map[string]string{"t": "yyyy-MM-dd hh:mm"}}, []string{`dates["t"]`},
			"a 12-hour clock (hh) needs tt"},
		{"fractions", Config{Path: "a.csv", Key: "id", Dates: map[string]string{"t": "yyyy-MM-dd HH:mm:ssfff"}}, []string{`dates["t"]`},
			"fractions of a second are written fff, right after '.' or ','"},
		{"time zone", Config{Path: "a.csv", Key: "id", TimeZone: "Mars/Olympus"}, []string{"timeZone"}, `timeZone: "Mars/Olympus" is not an IANA time zone`},
		{"leavers without a rule", Config{Path: "a.csv", Key: "id", Leavers: &Leavers{}}, []string{"leavers"}, "leavers: set column, lastDayColumn or absent"},
		{"values without a column", Config{Path: "a.csv", Key: "id", Leavers: &Leavers{LastDayColumn: "l", ActiveValues: []string{"A"}}}, []string{"leavers.column"},
			"leavers.column: is required with activeValues or inactiveValues"},
		{"overlapping values", Config{Path: "a.csv", Key: "id", Leavers: &Leavers{Column: "s", ActiveValues: []string{"A", "x"}, InactiveValues: []string{" X "}}},
			[]string{"leavers.inactiveValues"}, `leavers.inactiveValues: "x" is also an active value`},
		{"absent with a path", Config{Path: "a.csv", Key: "id", Leavers: &Leavers{Absent: true}}, []string{"leavers.absent"},
			"leavers.absent: needs a folder of snapshot files"},
		{"absent with deltas", Config{Folder: "d", Key: "id", Files: Delta, Leavers: &Leavers{Absent: true}}, []string{"leavers.absent"}, "leavers.absent"},
		{"attributes", Config{Path: "a.csv", Key: "id", Attributes: []string{"ok", " padded"}}, []string{"attributes[1]"}, "attributes[1]: attribute name \" padded\" has leading or trailing spaces"},
		{"several at once", Config{Delimiter: "ab", Encoding: "x"}, []string{"path", "key", "delimiter", "encoding"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			require.Error(t, err)
			var fields []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var fe *confload.FieldError
				require.True(t, errors.As(e, &fe), "%v", e)
				fields = append(fields, fe.Field)
			}
			require.Equal(t, tc.fields, fields)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	require.NoError(t, Config{Folder: "d", Key: "id", Files: Snapshot, Delimiter: "\\t", Encoding: "ISO_8859-1",
		Dates:   map[string]string{"a": "yyyy-MM-ddTHH:mm:ss.fffK", "b": "d.M.yy", "c": "M/d/yyyy h:mm tt"},
		Leavers: &Leavers{Column: "s", LastDayColumn: "l", Absent: true}}.Validate())
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"folder":"/srv/drop","key":"EmployeeID","settle":"2m","files":"delta",
		"columns":{"EmployeeID":"WorkerID"},"leavers":{"column":"Status","activeValues":["A"],"inactiveValues":["T"]}}`))
	require.NoError(t, err)
	require.Equal(t, Duration(2*time.Minute), *c.Settle)
	require.Equal(t, "WorkerID", c.Columns["EmployeeID"])
	require.Equal(t, []string{"A"}, c.Leavers.ActiveValues)

	_, err = ParseConfig([]byte(`{"path":"a.csv","key":"id","delimeter":";"}`))
	require.ErrorContains(t, err, `unknown field "delimeter"`)
	_, err = ParseConfig([]byte(`{"path":"a.csv","key":"id","settle":30}`))
	require.ErrorContains(t, err, `a duration is a string such as "30s"`)
	_, err = ParseConfig([]byte(`{"path":"a.csv"}`))
	require.ErrorContains(t, err, "key: is required")
	_, err = ParseConfig([]byte(`{"path":"a.csv","key":"id"} {}`))
	require.ErrorContains(t, err, "unexpected data after the object")

	b, err := Duration(90 * time.Second).MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, `"1m30s"`, string(b))
}

func TestDateLayout(t *testing.T) {
	tests := []struct {
		format, layout string
		hasTime        bool
	}{
		{"yyyy-MM-dd", "2006-01-02", false},
		{"dd.MM.yyyy", "02.01.2006", false},
		{"M/d/yy", "1/2/06", false},
		{"yyyy-MM-ddTHH:mm:ss.fffK", "2006-01-02T15:04:05.000Z07:00", true},
		{"M/d/yyyy h:mm:ss tt", "1/2/2006 3:04:05 PM", true},
		{"yyyy-MM-dd HH:mm zzz", "2006-01-02 15:04 -07:00", true},
	}
	for _, tc := range tests {
		layout, hasTime, err := dateLayout(tc.format)
		require.NoError(t, err, tc.format)
		require.Equal(t, tc.layout, layout, tc.format)
		require.Equal(t, tc.hasTime, hasTime, tc.format)
	}
}

func TestNewPreparesTheFolder(t *testing.T) {
	dir := t.TempDir()
	_, err := New(Config{Folder: dir, Key: "id"})
	require.NoError(t, err)
	for _, d := range []string{ProcessedDir, FailedDir} {
		st, err := os.Stat(filepath.Join(dir, d))
		require.NoError(t, err)
		require.True(t, st.IsDir())
	}
	_, err = New(Config{Key: "id"})
	require.ErrorContains(t, err, "path: set path")
}
