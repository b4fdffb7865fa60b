package csvfeed

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// FileError rejects a whole file: nothing of it is used.
type FileError struct {
	File string
	// Line and Column locate the problem (1-based; Column counts fields,
	// or characters for a quoting error); 0 when it has no one place.
	Line, Column int
	Reason       string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s line %d, column %d: %s", e.File, e.Line, e.Column, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
	}
	return e.File + ": " + e.Reason
}

// Problem is a bad row: it is skipped and the rest of the file is used.
// Messages never quote cell values (they may be personal data).
type Problem struct {
	File string
	Line int
	// Column is the 1-based field number, 0 for the row as a whole;
	// Header names that column.
	Column  int
	Header  string
	Message string
}

func (p Problem) String() string {
	if p.Column == 0 {
		return fmt.Sprintf("%s line %d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s line %d, column %d (%s): %s", p.File, p.Line, p.Column, p.Header, p.Message)
}

// MaxProblems is how many bad rows a FileReport lists; Omitted counts
// the others.
const MaxProblems = 1000

// encoding decodes the bytes of a file to UTF-8 text.
type encoding struct {
	name   string
	decode func(file string, raw []byte) (string, error)
}

func lookupEncoding(name string) (encoding, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "", "utf-8", "utf8":
		return encoding{"utf-8", decodeUTF8}, nil
	case "utf-16", "utf16", "unicode":
		return encoding{"utf-16", decodeUTF16}, nil
	case "windows-1252", "cp1252":
		return encoding{"windows-1252", decodeCharmap(charmap.Windows1252)}, nil
	case "iso-8859-1", "latin1", "latin-1":
		return encoding{"iso-8859-1", decodeCharmap(charmap.ISO8859_1)}, nil
	case "iso-8859-15", "latin9", "latin-9":
		return encoding{"iso-8859-15", decodeCharmap(charmap.ISO8859_15)}, nil
	}
	return encoding{}, fmt.Errorf("%q is not supported: use utf-8, utf-16, windows-1252, iso-8859-1 or iso-8859-15", name)
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

func decodeUTF8(file string, raw []byte) (string, error) {
	raw = bytes.TrimPrefix(raw, bomUTF8)
	if bytes.HasPrefix(raw, bomUTF16LE) || bytes.HasPrefix(raw, bomUTF16BE) {
		return "", &FileError{File: file, Reason: "starts with a UTF-16 byte order mark: set encoding to utf-16"}
	}
	if !utf8.Valid(raw) {
		line, col := position(raw, invalidUTF8At(raw))
		return "", &FileError{File: file, Line: line, Column: col,
			Reason: "is not valid UTF-8 here: set encoding to the one the file is written in (windows-1252, iso-8859-1, ...)"}
	}
	return string(raw), nil
}

func decodeUTF16(file string, raw []byte) (string, error) {
	if !bytes.HasPrefix(raw, bomUTF16LE) && !bytes.HasPrefix(raw, bomUTF16BE) {
		return "", &FileError{File: file, Reason: "has no UTF-16 byte order mark: a UTF-16 file must start with one (or set encoding to what the file is written in)"}
	}
	if len(raw)%2 != 0 {
		return "", &FileError{File: file, Reason: "has an odd number of bytes: it is not UTF-16 (truncated?)"}
	}
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
	if err != nil {
		return "", &FileError{File: file, Reason: "is not valid UTF-16: " + err.Error()}
	}
	return string(b), nil
}

func decodeCharmap(cm *charmap.Charmap) func(string, []byte) (string, error) {
	return func(file string, raw []byte) (string, error) {
		if bytes.HasPrefix(raw, bomUTF8) {
			return "", &FileError{File: file, Reason: "starts with a UTF-8 byte order mark: set encoding to utf-8"}
		}
		if bytes.HasPrefix(raw, bomUTF16LE) || bytes.HasPrefix(raw, bomUTF16BE) {
			return "", &FileError{File: file, Reason: "starts with a UTF-16 byte order mark: set encoding to utf-16"}
		}
		b, err := cm.NewDecoder().Bytes(raw)
		if err != nil {
			return "", &FileError{File: file, Reason: "cannot be decoded: " + err.Error()}
		}
		return string(b), nil
	}
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w <= 1 {
			return i
		}
		i += w
	}
	return len(b)
}

// position returns the 1-based line and character column of byte offset
// off.
func position(b []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += w
	}
	return line, col
}

// civil is a calendar day.
type civil struct {
	y int
	m time.Month
	d int
}

func (c civil) zero() bool { return c.y == 0 }

// start is the first instant of the day in loc.
func (c civil) start(loc *time.Location) time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, loc) }

// dateCol is a date column's format.
type dateCol struct {
	format  string // as configured, for messages
	layout  string
	hasTime bool
	hasZone bool
}

// header is a file's header resolved against the configuration.
type header struct {
	names []string
	key   int
	// attrs are the reported columns: index → attribute.
	attrs                                 map[int]string
	dates                                 map[int]dateCol
	active, lastDay, hireDate, timeZoneAt int // -1: none
}

// row is one data row.
type row struct {
	line  int
	key   string
	keyAt int // 1-based column of the key
	attrs map[string]expr.Value
	// active is -1 without a state column, else 0 or 1.
	active           int8
	lastDay, hireDay civil
	loc              *time.Location
}

// parser reads the files of one configuration.
type parser struct {
	cfg      Config
	comma    rune
	enc      encoding
	loc      *time.Location
	act      []string
	inact    []string
	keep     map[string]bool // nil: report every attribute
	zones    map[string]*time.Location
	problems []Problem
	omitted  int
}

func newParser(cfg Config) (*parser, error) {
	p := &parser{cfg: cfg, loc: time.UTC, zones: map[string]*time.Location{}}
	var err error
	if p.comma, err = delimiter(cfg.Delimiter); err != nil {
		return nil, err
	}
	if p.enc, err = lookupEncoding(cfg.Encoding); err != nil {
		return nil, err
	}
	if cfg.TimeZone != "" {
		if p.loc, err = time.LoadLocation(cfg.TimeZone); err != nil {
			return nil, err
		}
	}
	if l := cfg.Leavers; l != nil {
		p.act, p.inact = valuesOr(l.ActiveValues, defaultActiveValues), valuesOr(l.InactiveValues, defaultInactiveValues)
	}
	if cfg.Attributes != nil {
		p.keep = map[string]bool{}
		for _, a := range cfg.Attributes {
			p.keep[a] = true
		}
	}
	return p, nil
}

// problem records a bad row.
func (p *parser) problem(pr Problem) {
	if len(p.problems) >= MaxProblems {
		p.omitted++
		return
	}
	p.problems = append(p.problems, pr)
}

// decode turns a file's bytes into text, rejecting what is not text.
func (p *parser) decode(file string, raw []byte) (string, error) {
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		return "", &FileError{File: file, Reason: "is a ZIP archive (an .xlsx workbook?), not CSV: export the sheet as CSV"}
	}
	text, err := p.enc.decode(file, raw)
	if err != nil {
		return "", err
	}
	if i := strings.IndexByte(text, 0); i >= 0 {
		line, col := position([]byte(text), i)
		return "", &FileError{File: file, Line: line, Column: col, Reason: "holds a NUL character: it is not a text file"}
	}
	return text, nil
}

// scan reads every data row of text and calls fn with it; ok is false for
// a bad row (its problems are recorded; r.key is set when it could be
// read). A *FileError rejects the file; an error from fn stops the scan.
func (p *parser) scan(file, text string, fn func(r row, ok bool) error) error {
	p.problems, p.omitted = nil, 0
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = p.comma
	cr.FieldsPerRecord = -1
	first, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &FileError{File: file, Reason: "is empty: the first line must name the columns"}
	}
	if err != nil {
		return syntaxError(file, err)
	}
	h, err := p.header(file, first)
	if err != nil {
		return err
	}
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return syntaxError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if blank(fields) {
			continue
		}
		r, ok := p.row(file, h, cr, line, fields)
		if err := fn(r, ok); err != nil {
			return err
		}
	}
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// syntaxError turns a csv parse error into a rejection of the file: after
// a quoting error the row boundaries of the rest cannot be trusted.
func syntaxError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		reason := "is not valid CSV: " + pe.Err.Error()
		if pe.StartLine != pe.Line {
			reason += fmt.Sprintf(" (in the record that starts on line %d)", pe.StartLine)
		}
		return &FileError{File: file, Line: pe.Line, Column: pe.Column, Reason: reason}
	}
	return &FileError{File: file, Reason: "is not valid CSV: " + err.Error()}
}

// header resolves the header line against the configuration.
func (p *parser) header(file string, fields []string) (*header, error) {
	h := &header{names: make([]string, len(fields)), attrs: map[int]string{}, dates: map[int]dateCol{},
		active: -1, lastDay: -1, hireDate: -1, timeZoneAt: -1}
	seen := map[string]int{}
	for i, f := range fields {
		name := strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF"))
		if name == "" {
			return nil, &FileError{File: file, Line: 1, Column: i + 1, Reason: "this column of the header has no name"}
		}
		if j, dup := seen[strings.ToLower(name)]; dup {
			return nil, &FileError{File: file, Line: 1, Column: i + 1, Reason: fmt.Sprintf("column %q is also column %d", name, j+1)}
		}
		seen[strings.ToLower(name)] = i
		h.names[i] = name
	}
	find := func(col, setting string) (int, error) {
		if i, ok := seen[strings.ToLower(strings.TrimSpace(col))]; ok {
			return i, nil
		}
		reason := fmt.Sprintf("has no column %q (%s); its columns are %s", col, setting, strings.Join(quoteAll(h.names), ", "))
		if len(h.names) == 1 {
			for _, d := range []string{";", ",", "\t", "|"} {
				if d != string(p.comma) && strings.Contains(h.names[0], d) {
					reason += fmt.Sprintf("; the header has a single column: is the delimiter %q?", d)
					break
				}
			}
		}
		return -1, &FileError{File: file, Line: 1, Reason: reason}
	}
	var err error
	if h.key, err = find(p.cfg.Key, "the key column"); err != nil {
		return nil, err
	}
	if len(p.cfg.Columns) == 0 {
		for i, n := range h.names {
			h.attrs[i] = n
		}
	}
	for _, col := range sortedKeys(p.cfg.Columns) {
		i, err := find(col, fmt.Sprintf("columns maps it to %q", p.cfg.Columns[col]))
		if err != nil {
			return nil, err
		}
		h.attrs[i] = p.cfg.Columns[col]
	}
	for _, col := range sortedKeys(p.cfg.Dates) {
		i, err := find(col, "a date column")
		if err != nil {
			return nil, err
		}
		h.dates[i] = newDateCol(p.cfg.Dates[col])
	}
	special := func(col, setting string, at *int) error {
		if col == "" {
			return nil
		}
		i, err := find(col, setting)
		*at = i
		return err
	}
	if err := special(p.cfg.TimeZoneColumn, "timeZoneColumn", &h.timeZoneAt); err != nil {
		return nil, err
	}
	if err := special(p.cfg.HireDateColumn, "hireDateColumn", &h.hireDate); err != nil {
		return nil, err
	}
	if l := p.cfg.Leavers; l != nil {
		if err := special(l.Column, "leavers.column", &h.active); err != nil {
			return nil, err
		}
		if err := special(l.LastDayColumn, "leavers.lastDayColumn", &h.lastDay); err != nil {
			return nil, err
		}
	}
	for _, i := range []int{h.hireDate, h.lastDay} {
		if _, ok := h.dates[i]; i >= 0 && !ok {
			h.dates[i] = newDateCol("yyyy-MM-dd")
		}
	}
	return h, nil
}

func newDateCol(format string) dateCol {
	layout, hasTime, _ := dateLayout(format) // Validate checked it
	return dateCol{format: format, layout: layout, hasTime: hasTime, hasZone: strings.Contains(format, "zzz") || strings.Contains(format, "K")}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// row reads one data row; ok is false when it is bad.
func (p *parser) row(file string, h *header, cr *csv.Reader, line int, fields []string) (row, bool) {
	r := row{line: line, keyAt: h.key + 1, active: -1, loc: p.loc}
	if h.key < len(fields) {
		r.key = strings.TrimSpace(fields[h.key])
	}
	if len(fields) != len(h.names) {
		p.problem(Problem{File: file, Line: line, Message: fmt.Sprintf("has %d fields, the header has %d", len(fields), len(h.names))})
		return r, false
	}
	ok := true
	bad := func(i int, format string, args ...any) {
		l, _ := cr.FieldPos(i)
		p.problem(Problem{File: file, Line: l, Column: i + 1, Header: h.names[i], Message: fmt.Sprintf(format, args...)})
		ok = false
	}
	if r.key == "" {
		bad(h.key, "the key column is empty")
	}
	if i := h.timeZoneAt; i >= 0 {
		if z := strings.TrimSpace(fields[i]); z != "" {
			loc, err := p.zone(z)
			if err != nil {
				bad(i, "is not an IANA time zone (such as Europe/Copenhagen)")
			} else {
				r.loc = loc
			}
		}
	}
	r.attrs = make(map[string]expr.Value, len(h.attrs)+1)
	days := map[int]civil{}
	for i, f := range fields {
		v := strings.TrimSpace(f)
		if v == "" {
			continue
		}
		if dc, isDate := h.dates[i]; isDate {
			norm, day, err := parseDate(dc, v, r.loc)
			if err != nil {
				bad(i, "is not a date in the format %s", dc.format)
				continue
			}
			v, days[i] = norm, day
		}
		if a, reported := h.attrs[i]; reported && (p.keep == nil || p.keep[a]) {
			r.attrs[a] = expr.String(v)
		}
	}
	r.lastDay, r.hireDay = days[h.lastDay], days[h.hireDate]
	if i := h.active; i >= 0 {
		switch v := strings.ToLower(strings.TrimSpace(fields[i])); {
		case v == "":
			bad(i, "is empty; the state must be one of %s (active) or %s (inactive)", strings.Join(p.act, " "), strings.Join(p.inact, " "))
		case contains(p.act, v):
			r.active = 1
		case contains(p.inact, v):
			r.active = 0
		default:
			bad(i, "is neither an active value (%s) nor an inactive one (%s)", strings.Join(p.act, " "), strings.Join(p.inact, " "))
		}
	}
	return r, ok
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func (p *parser) zone(name string) (*time.Location, error) {
	if loc, ok := p.zones[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("unknown zone %q", name)
	}
	p.zones[name] = loc
	return loc, nil
}

// parseDate reads a date cell and normalises it: "2006-01-02" for a date,
// RFC 3339 for a date and time (in loc when the format has no offset).
func parseDate(dc dateCol, v string, loc *time.Location) (string, civil, error) {
	if !dc.hasZone {
		t, err := time.ParseInLocation(dc.layout, v, loc)
		if err != nil {
			return "", civil{}, err
		}
		if !dc.hasTime {
			return t.Format("2006-01-02"), civil{t.Year(), t.Month(), t.Day()}, nil
		}
		return t.Format(time.RFC3339Nano), civil{t.Year(), t.Month(), t.Day()}, nil
	}
	t, err := time.Parse(dc.layout, v)
	if err != nil {
		return "", civil{}, err
	}
	return t.Format(time.RFC3339Nano), civil{t.Year(), t.Month(), t.Day()}, nil
}

// record is the source record of a good row as of at.
func (p *parser) record(r row, at time.Time) source.Record {
	rec := source.Record{Anchor: r.key, Attributes: r.attrs}
	if l := p.cfg.Leavers; l != nil {
		active := r.active != 0
		if !r.lastDay.zero() {
			end := r.lastDay.start(r.loc).AddDate(0, 0, 1) // midnight after the last day
			if at.Before(end) {
				rec.Wake = append(rec.Wake, end)
			} else {
				active = false
			}
		}
		p.setActive(rec.Attributes, active)
	}
	if !r.hireDay.zero() {
		if start := r.hireDay.start(r.loc); start.After(at) {
			rec.Wake = append(rec.Wake, start)
		}
	}
	return rec
}

// setActive writes the leaver state attribute.
func (p *parser) setActive(attrs map[string]expr.Value, active bool) {
	a := p.cfg.Leavers.Attribute
	if a == "" {
		a = DefaultActiveAttr
	}
	if p.keep != nil && !p.keep[a] {
		return
	}
	if active {
		attrs[a] = expr.String("True")
	} else {
		attrs[a] = expr.String("False")
	}
}
