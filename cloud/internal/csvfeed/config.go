package csvfeed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/shared/confload"
)

// Config configures a CSV source. Exactly one of Path and Folder is set.
type Config struct {
	// Path is the one file to read: an export the HR system overwrites in
	// place. Changes reads it again when its content changed.
	Path string `json:"path,omitempty"`
	// Folder is a drop folder: the HR system (or an SFTP upload) puts one
	// file per export into it. Files are read in name order (name them so
	// that order is time order, e.g. workers-20260105T0600.csv), then moved
	// to Folder/processed or, when rejected, to Folder/failed next to a
	// NAME.error.txt saying why.
	Folder string `json:"folder,omitempty"`
	// Pattern selects the files of Folder by base name (filepath.Match
	// syntax). Default "*.csv"; in-flight names such as x.csv.part or
	// .x.csv.tmp do not match it.
	Pattern string `json:"pattern,omitempty"`
	// Files says what each file of Folder holds: "snapshot" (default), every
	// worker the HR system exports, or "delta", only the workers that
	// changed since the previous file.
	Files string `json:"files,omitempty"`
	// Settle is how long a file must be left unmodified before it is read,
	// so a file still being written is not read half-way. Default 30s;
	// "0s" reads at once (when the writer renames complete files into
	// place).
	Settle *Duration `json:"settle,omitempty"`

	// Key is the column that identifies a worker: the anchor (an employee
	// ID that is never reused). Required.
	Key string `json:"key"`
	// Columns maps column names to source attribute names, the names
	// mapping rules reference ([EmployeeID], [GivenName], ...). Columns not
	// listed are ignored. Empty: every column, named as its header.
	// Column names are matched case-insensitively.
	Columns map[string]string `json:"columns,omitempty"`
	// Delimiter is the field separator: one character, "," by default;
	// "tab" or "\t" for tab-separated files.
	Delimiter string `json:"delimiter,omitempty"`
	// Encoding of the files: "utf-8" (default; with or without a byte order
	// mark), "utf-16" (byte order mark required, as Excel's "Unicode text"
	// writes it), "windows-1252", "iso-8859-1" or "iso-8859-15".
	Encoding string `json:"encoding,omitempty"`
	// Dates maps date columns to their format, written with the tokens
	// yyyy yy MM M dd d HH H hh h mm ss fff tt zzz K (as in .NET), e.g.
	// "dd.MM.yyyy" or "yyyy-MM-ddTHH:mm:ss". A date-only value becomes
	// "yyyy-MM-dd", a value with a time RFC 3339; a cell that does not
	// match its format makes its row bad.
	Dates map[string]string `json:"dates,omitempty"`
	// TimeZone is the IANA zone of workers' dates (the last day of work
	// ends at midnight there, a hire starts at midnight there). Default
	// "UTC". TimeZoneColumn, when set, names a column holding each
	// worker's own zone; an empty cell falls back to TimeZone.
	TimeZone       string `json:"timeZone,omitempty"`
	TimeZoneColumn string `json:"timeZoneColumn,omitempty"`
	// HireDateColumn, when set, names the date column of the first day of
	// work: a record whose hire is in the future wakes the engine at the
	// start of that day (Record.Wake), so date-driven mappings apply on
	// time.
	HireDateColumn string `json:"hireDateColumn,omitempty"`
	// Leavers says how a worker who left is recognised. Without it the
	// feed reports no active state at all.
	Leavers *Leavers `json:"leavers,omitempty"`
	// Attributes, when set, limits the attributes reported to these
	// (the ones the job's mapping reads): a change in any other column
	// then does not make the engine process the worker again.
	Attributes []string `json:"attributes,omitempty"`
	// MaxFileBytes bounds the size of one file. Default 1 GiB.
	MaxFileBytes int64 `json:"maxFileBytes,omitempty"`

	// Report, when set, is called once for each file the source handled:
	// read, superseded by a newer snapshot, or rejected. It runs on the
	// calling goroutine.
	Report func(FileReport) `json:"-"`
	// Clock is "now" for settling files and for the leaver rules.
	// Default: the real clock.
	Clock clockwork.Clock `json:"-"`
	// Logger receives one line per file and one per bad row (file, line,
	// column and reason, never cell values). Default: discard.
	Logger *slog.Logger `json:"-"`
}

// Leavers recognises workers who left. The state goes to Attribute as
// "True" (active) or "False"; the rules combine: a worker is active when
// the Column says so (if set) and the last day of work (if set) has not
// ended.
type Leavers struct {
	// Attribute receives the state. Default "active", the attribute the
	// default API-driven mapping reads.
	Attribute string `json:"attribute,omitempty"`
	// Column holds the state as the HR system writes it. ActiveValues and
	// InactiveValues list its values (trimmed, case-insensitive); any
	// other value, or an empty cell, makes the row bad. Defaults:
	// 1 true yes y active a / 0 false no n inactive i terminated t.
	Column         string   `json:"column,omitempty"`
	ActiveValues   []string `json:"activeValues,omitempty"`
	InactiveValues []string `json:"inactiveValues,omitempty"`
	// LastDayColumn is a date column holding the last day of work: the
	// worker is a leaver from the end of that day in their time zone, and
	// a record whose last day is still to come wakes the engine then.
	LastDayColumn string `json:"lastDayColumn,omitempty"`
	// Absent (Folder with snapshot files only): a worker who was in the
	// previous file read and is missing from the newest one is a leaver:
	// the previous row is reported again with Attribute "False". Rows
	// whose key could not be read switch the rule off for that file, so a
	// damaged row never disables anyone.
	Absent bool `json:"absent,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("30s",
// "2m") in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// File kinds.
const (
	Snapshot = "snapshot"
	Delta    = "delta"
)

// Defaults.
const (
	DefaultPattern      = "*.csv"
	DefaultSettle       = 30 * time.Second
	DefaultMaxFileBytes = 1 << 30
	DefaultActiveAttr   = "active"
)

var (
	defaultActiveValues   = []string{"1", "true", "yes", "y", "active", "a"}
	defaultInactiveValues = []string{"0", "false", "no", "n", "inactive", "i", "terminated", "t"}
)

// ParseConfig decodes a JSON configuration strictly (an unknown field is
// an error) and validates it.
func ParseConfig(b []byte) (Config, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("csv source config: %w", err)
	}
	if dec.More() {
		return Config{}, errors.New("csv source config: unexpected data after the object")
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate reports every invalid field, each error naming its field.
func (c Config) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) { errs = append(errs, confload.Field(field, format, args...)) }
	switch {
	case c.Path == "" && c.Folder == "":
		add("path", "set path (one file) or folder (a drop folder)")
	case c.Path != "" && c.Folder != "":
		add("folder", "set path or folder, not both")
	}
	if c.Pattern != "" {
		if c.Folder == "" {
			add("pattern", "only applies to a folder")
		}
		if _, err := filepath.Match(c.Pattern, "x"); err != nil || strings.ContainsAny(c.Pattern, `/\`) {
			add("pattern", "%q is not a file name pattern", c.Pattern)
		}
	}
	switch c.Files {
	case "", Snapshot:
	case Delta:
		if c.Folder == "" {
			add("files", "delta files need a folder")
		}
	default:
		add("files", "must be %q or %q, got %q", Snapshot, Delta, c.Files)
	}
	if c.Settle != nil && *c.Settle < 0 {
		add("settle", "must not be negative, got %s", time.Duration(*c.Settle))
	}
	if strings.TrimSpace(c.Key) == "" {
		add("key", "is required: the column that identifies a worker")
	}
	if _, err := delimiter(c.Delimiter); err != nil {
		add("delimiter", "%w", err)
	}
	if _, err := lookupEncoding(c.Encoding); err != nil {
		add("encoding", "%w", err)
	}
	attrs := map[string]string{}
	for _, col := range sortedKeys(c.Columns) {
		a := c.Columns[col]
		field := fmt.Sprintf("columns[%q]", col)
		if strings.TrimSpace(col) == "" {
			add(field, "a column name must not be empty")
		}
		if why := checkAttrName(a); why != "" {
			add(field, "%s", why)
		} else if other, dup := attrs[a]; dup {
			add(field, "attribute %q is also the attribute of column %q", a, other)
		}
		attrs[a] = col
	}
	for _, col := range sortedKeys(c.Dates) {
		if _, _, err := dateLayout(c.Dates[col]); err != nil {
			add(fmt.Sprintf("dates[%q]", col), "%w", err)
		}
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			add("timeZone", "%q is not an IANA time zone: %w", c.TimeZone, err)
		}
	}
	if l := c.Leavers; l != nil {
		if l.Attribute != "" {
			if why := checkAttrName(l.Attribute); why != "" {
				add("leavers.attribute", "%s", why)
			}
		}
		if l.Column == "" && l.LastDayColumn == "" && !l.Absent {
			add("leavers", "set column, lastDayColumn or absent")
		}
		if l.Column == "" && (len(l.ActiveValues) > 0 || len(l.InactiveValues) > 0) {
			add("leavers.column", "is required with activeValues or inactiveValues")
		}
		act, inact := valuesOr(l.ActiveValues, defaultActiveValues), valuesOr(l.InactiveValues, defaultInactiveValues)
		for _, v := range act {
			if slices.Contains(inact, v) {
				add("leavers.inactiveValues", "%q is also an active value", v)
			}
		}
		if l.Absent && (c.Folder == "" || c.Files == Delta) {
			add("leavers.absent", "needs a folder of snapshot files: the previous file is kept in processed/")
		}
	}
	if c.MaxFileBytes < 0 {
		add("maxFileBytes", "must not be negative")
	}
	for i, a := range c.Attributes {
		if why := checkAttrName(a); why != "" {
			add(fmt.Sprintf("attributes[%d]", i), "%s", why)
		}
	}
	return errors.Join(errs...)
}

// checkAttrName says why name cannot be a source attribute that mappings
// reference as [name] ("" when it can).
func checkAttrName(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "an attribute name must not be empty"
	case strings.TrimSpace(name) != name:
		return fmt.Sprintf("attribute name %q has leading or trailing spaces", name)
	case strings.ContainsAny(name, "[]\"\r\n\x00"):
		return fmt.Sprintf("attribute name %q must not contain brackets, quotes or line breaks", name)
	}
	return ""
}

// delimiter returns the field separator of a Delimiter setting.
func delimiter(s string) (rune, error) {
	switch s {
	case "":
		return ',', nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) {
		return 0, fmt.Errorf("must be one character, got %q", s)
	}
	if r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError || r == 0xFEFF {
		return 0, fmt.Errorf("%q cannot separate fields", s)
	}
	return r, nil
}

func valuesOr(vs, def []string) []string {
	if len(vs) == 0 {
		return def
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// dateLayout converts a .NET-style date format to a Go layout; hasTime
// says whether it holds a time of day, which decides the normalised form.
func dateLayout(format string) (layout string, hasTime bool, err error) {
	if format == "" {
		return "", false, errors.New("a date format must not be empty")
	}
	tokens := []struct{ tok, goTok string }{
		{"yyyy", "2006"}, {"yy", "06"}, {"MM", "01"}, {"M", "1"}, {"dd", "02"}, {"d", "2"},
		{"HH", "15"}, {"H", "15"}, {"hh", "03"}, {"h", "3"}, {"mm", "04"}, {"ss", "05"},
		{"fff", "000"}, {"tt", "PM"}, {"zzz", "-07:00"}, {"K", "Z07:00"},
	}
	var b strings.Builder
	var seen []string
	for i := 0; i < len(format); {
		matched := false
		for _, t := range tokens {
			if strings.HasPrefix(format[i:], t.tok) {
				if t.tok == "fff" && (i == 0 || (format[i-1] != '.' && format[i-1] != ',')) {
					return "", false, fmt.Errorf("%q: fractions of a second are written fff, right after '.' or ','", format)
				}
				b.WriteString(t.goTok)
				seen = append(seen, t.tok)
				i += len(t.tok)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		c := format[i]
		if strings.HasPrefix(format[i:], "f") {
			return "", false, fmt.Errorf("%q: fractions of a second are written fff, right after '.' or ','", format)
		}
		if !strings.ContainsRune(" -/.:,T", rune(c)) {
			return "", false, fmt.Errorf("%q: character %q is neither a date token (yyyy yy MM M dd d HH H hh h mm ss fff tt zzz K) nor a separator ( -/.:,T)", format, c)
		}
		b.WriteByte(c)
		i++
	}
	has := func(ts ...string) bool {
		for _, t := range ts {
			if slices.Contains(seen, t) {
				return true
			}
		}
		return false
	}
	if !has("yyyy", "yy") || !has("MM", "M") || !has("dd", "d") {
		return "", false, fmt.Errorf("%q must hold a year, a month and a day", format)
	}
	if has("hh", "h") != has("tt") {
		return "", false, fmt.Errorf("%q: a 12-hour clock (hh) needs tt (AM/PM), and tt needs hh", format)
	}
	return b.String(), has("HH", "H", "hh", "h"), nil
}
