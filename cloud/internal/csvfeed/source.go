package csvfeed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hrsync/hrsync/cloud/internal/expr"
	"github.com/hrsync/hrsync/cloud/internal/source"
)

// Folders under Config.Folder.
const (
	ProcessedDir = "processed"
	FailedDir    = "failed"
)

// Outcome says what became of a file.
type Outcome string

// Outcomes.
const (
	// Read: the file's good rows were reported.
	Read Outcome = "read"
	// Superseded: a newer snapshot was read in the same call instead.
	Superseded Outcome = "superseded"
	// Rejected: nothing of the file was used (FileReport.Err says why).
	Rejected Outcome = "rejected"
)

// FileReport says what became of one file.
type FileReport struct {
	File    string
	Outcome Outcome
	// Records is how many records were reported from the file (leavers
	// found by Leavers.Absent included).
	Records int
	// Problems are the bad rows, skipped (at most MaxProblems; Omitted
	// counts the rest).
	Problems []Problem
	Omitted  int
	// Err is why a Rejected file was rejected (a *FileError).
	Err error
	// MovedTo is where the file is now, when it was moved.
	MovedTo string
}

// Source reads workers from CSV files. It implements source.Source.
type Source struct {
	cfg      Config
	p        *parser
	clock    clockwork.Clock
	log      *slog.Logger
	settle   time.Duration
	pattern  string
	maxBytes int64
	// index caches the rows of the file(s) Worker reads, by identity.
	index *workerIndex
}

var _ source.Source = (*Source)(nil)

// New validates cfg and returns a Source. In folder mode it creates the
// processed and failed folders.
func New(cfg Config) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := newParser(cfg)
	if err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, p: p, clock: cfg.Clock, log: cfg.Logger, settle: DefaultSettle,
		pattern: cfg.Pattern, maxBytes: cfg.MaxFileBytes}
	if s.clock == nil {
		s.clock = clockwork.NewRealClock()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Settle != nil {
		s.settle = time.Duration(*cfg.Settle)
	}
	if s.pattern == "" {
		s.pattern = DefaultPattern
	}
	if s.maxBytes == 0 {
		s.maxBytes = DefaultMaxFileBytes
	}
	if cfg.Folder != "" {
		for _, d := range []string{ProcessedDir, FailedDir} {
			if err := os.MkdirAll(filepath.Join(cfg.Folder, d), 0o750); err != nil {
				return nil, &source.Error{Kind: source.Unavailable, Op: "prepare drop folder", Err: err}
			}
		}
	}
	return s, nil
}

// watermark is the cursor of Changes.
type watermark struct {
	V int `json:"v"`
	// Last is the last file of the folder handled (read, superseded or
	// rejected): later calls read only files that sort after it.
	Last string `json:"last,omitempty"`
	// Sent is the last snapshot read: the previous file of Leavers.Absent.
	Sent string `json:"sent,omitempty"`
	// SHA256 is the content hash of the file at Path when it was read.
	SHA256 string `json:"sha256,omitempty"`
}

func (w watermark) encode() source.Watermark {
	w.V = 1
	b, err := json.Marshal(w)
	if err != nil { // strings only
		panic("csvfeed: marshal watermark: " + err.Error())
	}
	return b
}

func decodeWatermark(b source.Watermark) (watermark, error) {
	var w watermark
	if err := json.Unmarshal(b, &w); err != nil {
		return w, &source.Error{Kind: source.Protocol, Op: "read watermark", Err: fmt.Errorf("not a CSV source watermark: %w", err)}
	}
	if w.V != 1 {
		return w, &source.Error{Kind: source.Protocol, Op: "read watermark", Err: fmt.Errorf("watermark version %d is not supported", w.V)}
	}
	return w, nil
}

// Full reads every worker: the file at Path, the newest good snapshot of
// the folder, or every delta file of the folder merged in name order.
func (s *Source) Full(ctx context.Context, fn func(source.Record) error) (source.Watermark, error) {
	if s.cfg.Path != "" {
		return s.pathRead(ctx, "", fn)
	}
	return s.folderFull(ctx, fn)
}

// Changes reads what arrived since w: the file at Path when its content
// changed, or the folder's files that sort after the last one handled.
func (s *Source) Changes(ctx context.Context, w source.Watermark, fn func(source.Record) error) (source.Watermark, error) {
	if len(w) == 0 {
		return s.Full(ctx, fn)
	}
	wm, err := decodeWatermark(w)
	if err != nil {
		return nil, err
	}
	if s.cfg.Path != "" {
		return s.pathRead(ctx, wm.SHA256, fn)
	}
	return s.folderChanges(ctx, wm, fn)
}

// pathRead reads the file at Path unless its hash is still last.
func (s *Source) pathRead(ctx context.Context, last string, fn func(source.Record) error) (source.Watermark, error) {
	name := filepath.Base(s.cfg.Path)
	st, err := os.Stat(s.cfg.Path)
	if err != nil {
		return nil, &source.Error{Kind: source.Unavailable, Op: "read " + name, Err: err}
	}
	if wait := s.settleWait(ctx, name, st.ModTime()); wait > 0 {
		if last != "" {
			s.log.InfoContext(ctx, "csv file still being written; read next cycle", "file", name)
			return watermark{SHA256: last}.encode(), nil
		}
		return nil, &source.Error{Kind: source.Unavailable, Op: "read " + name, RetryAfter: wait,
			Err: fmt.Errorf("the file was modified %s ago; it is read once it has not changed for %s", s.clock.Since(st.ModTime()).Round(time.Second), s.settle)}
	}
	c, err := s.check(name, s.cfg.Path)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			s.report(ctx, FileReport{File: name, Outcome: Rejected, Err: fe})
			return nil, &source.Error{Kind: source.Validation, Op: "read " + name, Err: err}
		}
		return nil, err
	}
	if c.sum == last {
		return watermark{SHA256: last}.encode(), nil
	}
	n, err := s.emit(ctx, c, fn)
	if err != nil {
		return nil, err
	}
	s.report(ctx, FileReport{File: name, Outcome: Read, Records: n, Problems: c.problems, Omitted: c.omitted})
	return watermark{SHA256: c.sum}.encode(), nil
}

// dropFile is a file of the drop folder or of processed/.
type dropFile struct {
	name, path string
	inRoot     bool
	mod        time.Time
}

// list returns the files of dir that match the pattern, by name.
func (s *Source) list(dir string, inRoot bool) ([]dropFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &source.Error{Kind: source.Unavailable, Op: "list " + dir, Err: err}
	}
	var out []dropFile
	for _, e := range entries {
		if ok, _ := filepath.Match(s.pattern, e.Name()); !ok || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // moved away meanwhile
		}
		if err != nil {
			return nil, &source.Error{Kind: source.Unavailable, Op: "list " + dir, Err: err}
		}
		if !info.Mode().IsRegular() {
			continue
		}
		out = append(out, dropFile{name: e.Name(), path: filepath.Join(dir, e.Name()), inRoot: inRoot, mod: info.ModTime()})
	}
	return out, nil // os.ReadDir sorts by name
}

// pending merges the folder's files with processed/ (a file in both is
// taken from the folder) and sorts them by name.
func (s *Source) pending() ([]dropFile, error) {
	root, err := s.list(s.cfg.Folder, true)
	if err != nil {
		return nil, err
	}
	done, err := s.list(filepath.Join(s.cfg.Folder, ProcessedDir), false)
	if err != nil {
		return nil, err
	}
	byName := map[string]dropFile{}
	for _, f := range done {
		byName[f.name] = f
	}
	for _, f := range root {
		byName[f.name] = f
	}
	out := make([]dropFile, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b dropFile) int { return compareNames(a.name, b.name) })
	return out, nil
}

func compareNames(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// settled reports whether a file may be read: files already in processed/
// always, files of the folder once unmodified for Settle.
func (s *Source) settled(ctx context.Context, f dropFile) bool {
	return !f.inRoot || s.settleWait(ctx, f.name, f.mod) == 0
}

// settleWait is how long until a file modified at mod has settled. A
// modification time in the future (the clock of a file share ahead of
// ours) is logged, and the file waits until our clock passes it.
func (s *Source) settleWait(ctx context.Context, name string, mod time.Time) time.Duration {
	if s.settle == 0 {
		return 0
	}
	age := s.clock.Since(mod)
	if age < 0 {
		s.log.WarnContext(ctx, "csv file modified in the future: clock skew between the file share and hrsync?", "file", name, "ahead_ms", -age.Milliseconds())
	}
	return max(s.settle-age, 0)
}

// intake checks the files in order after skipping those for which skip is
// true, stopping at the first unsettled one. Bad files are rejected (moved
// to failed/). It returns the good files and the name of the last file
// handled.
func (s *Source) intake(ctx context.Context, files []dropFile, last string, keepAll bool) ([]*checked, string, error) {
	var good []*checked
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, "", err
		}
		if !s.settled(ctx, f) {
			s.log.InfoContext(ctx, "csv file still being written; it and later files wait", "file", f.name)
			break
		}
		c, err := s.check(f.name, f.path)
		var fe *FileError
		switch {
		case errors.As(err, &fe):
			s.reject(ctx, f, fe)
			last = f.name
			continue
		case err != nil:
			return nil, "", err
		}
		c.df = f
		last = f.name
		if !keepAll && len(good) > 0 { // snapshots: only the newest matters
			s.finish(ctx, good[0], Superseded, 0)
			good = good[:0]
		}
		good = append(good, c)
	}
	return good, last, nil
}

// folderChanges reads the files that sort after wm.Last.
func (s *Source) folderChanges(ctx context.Context, wm watermark, fn func(source.Record) error) (source.Watermark, error) {
	files, err := s.pending()
	if err != nil {
		return nil, err
	}
	var todo []dropFile
	for _, f := range files {
		if f.name > wm.Last {
			todo = append(todo, f)
			continue
		}
		if f.inRoot && s.settled(ctx, f) {
			s.reject(ctx, f, &FileError{File: f.name, Reason: fmt.Sprintf(
				"sorts at or before %q, the last file handled: files are read in name order, so a new file must sort after the previous ones (and a file is never read twice)", wm.Last)})
		}
	}
	good, last, err := s.intake(ctx, todo, wm.Last, s.cfg.Files == Delta)
	if err != nil {
		return nil, err
	}
	out := watermark{Last: last, Sent: wm.Sent}
	for _, c := range good {
		n, err := s.emit(ctx, c, fn)
		if err != nil {
			return nil, err
		}
		if s.cfg.Files != Delta {
			m, err := s.leavers(ctx, c, wm.Sent, fn)
			if err != nil {
				return nil, err
			}
			n += m
			out.Sent = c.df.name
		}
		s.finish(ctx, c, Read, n)
	}
	return out.encode(), nil
}

// folderFull reads every worker from the folder and processed/.
func (s *Source) folderFull(ctx context.Context, fn func(source.Record) error) (source.Watermark, error) {
	files, err := s.pending()
	if err != nil {
		return nil, err
	}
	// A file dropped with a name that sorts before one already handled is
	// refused, as Changes refuses it.
	var newestDone string
	for _, f := range files {
		if !f.inRoot {
			newestDone = f.name
		}
	}
	var todo []dropFile
	for _, f := range files {
		if f.inRoot && f.name <= newestDone {
			if !s.settled(ctx, f) {
				continue // refused once it is complete
			}
			s.reject(ctx, f, &FileError{File: f.name, Reason: fmt.Sprintf(
				"sorts at or before %q, a file already handled: files are read in name order, so a new file must sort after the previous ones", newestDone)})
			continue
		}
		todo = append(todo, f)
	}
	delta := s.cfg.Files == Delta
	good, last, err := s.intake(ctx, todo, newestDone, delta)
	if err != nil {
		return nil, err
	}
	out := watermark{Last: last}
	if !delta {
		for _, c := range good { // at most one
			n, err := s.emit(ctx, c, fn)
			if err != nil {
				return nil, err
			}
			out.Sent = c.df.name
			s.finish(ctx, c, Read, n)
		}
		return out.encode(), nil
	}
	merged, order, err := s.replay(ctx, good)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, k := range order {
		if err := fn(s.p.record(merged[k], now)); err != nil {
			return nil, err
		}
	}
	for _, c := range good {
		s.finish(ctx, c, Read, c.good)
	}
	return out.encode(), nil
}

// replay merges the good rows of delta files, later files winning; order
// lists the keys by first appearance.
func (s *Source) replay(ctx context.Context, files []*checked) (map[string]row, []string, error) {
	merged := map[string]row{}
	var order []string
	for _, c := range files {
		err := s.p.scan(c.name, c.text, func(r row, ok bool) error {
			if !ok {
				return nil
			}
			if _, seen := merged[r.key]; !seen {
				order = append(order, r.key)
			}
			merged[r.key] = r
			return ctx.Err()
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return merged, order, nil
}

// checked is a file read and validated (first pass).
type checked struct {
	name, path string
	df         dropFile
	text       string
	// keys maps each key to its line, bad rows included.
	keys     map[string]int
	unkeyed  bool // a bad row had no readable key
	good     int
	problems []Problem
	omitted  int
	sum      string
}

// read reads a whole file within the size limit.
func (s *Source) read(name, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &source.Error{Kind: source.Unavailable, Op: "read " + name, Err: err}
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, s.maxBytes+1))
	if err != nil {
		return nil, &source.Error{Kind: source.Unavailable, Op: "read " + name, Err: err}
	}
	if int64(len(raw)) > s.maxBytes {
		return nil, &FileError{File: name, Reason: fmt.Sprintf("is larger than maxFileBytes (%d bytes)", s.maxBytes)}
	}
	return raw, nil
}

// check reads and validates a file: a *FileError rejects it.
func (s *Source) check(name, path string) (*checked, error) {
	raw, err := s.read(name, path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	text, err := s.p.decode(name, raw)
	if err != nil {
		return nil, err
	}
	c := &checked{name: name, path: path, text: text, keys: map[string]int{}, sum: hex.EncodeToString(sum[:])}
	err = s.p.scan(name, text, func(r row, ok bool) error {
		if r.key == "" {
			c.unkeyed = true
			return nil
		}
		if first, dup := c.keys[r.key]; dup {
			return &FileError{File: name, Line: r.line, Column: r.keyAt,
				Reason: fmt.Sprintf("key %q is also on line %d: each worker must be on one row", r.key, first)}
		}
		c.keys[r.key] = r.line
		if ok {
			c.good++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.problems, c.omitted = s.p.problems, s.p.omitted
	if c.good == 0 && len(c.keys) == 0 && !c.unkeyed && s.cfg.Leavers != nil && s.cfg.Leavers.Absent {
		return nil, &FileError{File: name, Reason: "has no rows: with leavers.absent an empty snapshot would make every worker a leaver"}
	}
	return c, nil
}

// emit reports the good rows of a checked file (second pass).
func (s *Source) emit(ctx context.Context, c *checked, fn func(source.Record) error) (int, error) {
	now := s.clock.Now()
	n := 0
	err := s.p.scan(c.name, c.text, func(r row, ok bool) error {
		if !ok {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		return fn(s.p.record(r, now))
	})
	return n, err
}

// leavers applies Leavers.Absent: the good rows of the previous snapshot
// whose key is not in c are reported again as inactive.
func (s *Source) leavers(ctx context.Context, c *checked, prev string, fn func(source.Record) error) (int, error) {
	if l := s.cfg.Leavers; l == nil || !l.Absent || prev == "" || prev == c.name {
		return 0, nil
	}
	if c.unkeyed {
		s.log.WarnContext(ctx, "csv leaver rule skipped: a row of the file has no key", "file", c.name)
		return 0, nil
	}
	path := filepath.Join(s.cfg.Folder, ProcessedDir, prev)
	pc, err := s.check(prev, path)
	if err != nil {
		s.log.WarnContext(ctx, "csv leaver rule skipped: the previous file cannot be read", "file", c.name, "previous", prev, "error", err)
		return 0, nil
	}
	now := s.clock.Now()
	n := 0
	err = s.p.scan(pc.name, pc.text, func(r row, ok bool) error {
		if !ok {
			return nil
		}
		if _, present := c.keys[r.key]; present {
			return nil
		}
		rec := s.p.record(r, now)
		rec.Wake = nil
		s.p.setActive(rec.Attributes, false)
		n++
		return fn(rec)
	})
	if n > 0 {
		s.log.InfoContext(ctx, "csv workers missing from the newest file reported as leavers", "file", c.name, "previous", prev, "leavers", n)
	}
	return n, err
}

// finish moves a handled file to processed/ and reports it.
func (s *Source) finish(ctx context.Context, c *checked, outcome Outcome, n int) {
	rep := FileReport{File: c.name, Outcome: outcome, Records: n, Problems: c.problems, Omitted: c.omitted}
	if c.df.inRoot {
		dst := filepath.Join(s.cfg.Folder, ProcessedDir, c.name)
		if err := os.Rename(c.path, dst); err != nil {
			// The watermark still moves past the file, so it is not
			// read twice; the admin sees it left in the folder.
			s.log.ErrorContext(ctx, "csv file could not be moved to processed", "file", c.name, "error", err)
		} else {
			rep.MovedTo = dst
		}
	}
	s.report(ctx, rep)
}

// reject moves a refused file to failed/ with NAME.error.txt beside it.
func (s *Source) reject(ctx context.Context, f dropFile, fe *FileError) {
	rep := FileReport{File: f.name, Outcome: Rejected, Err: fe}
	if f.inRoot {
		dst := freeName(filepath.Join(s.cfg.Folder, FailedDir), f.name)
		if err := os.Rename(f.path, dst); err != nil {
			s.log.ErrorContext(ctx, "csv file could not be moved to failed", "file", f.name, "error", err)
		} else {
			rep.MovedTo = dst
			if err := os.WriteFile(dst+".error.txt", []byte(fe.Error()+"\n"), 0o640); err != nil {
				s.log.ErrorContext(ctx, "csv rejection note could not be written", "file", f.name, "error", err)
			}
		}
	}
	s.report(ctx, rep)
}

// freeName returns dir/name, or dir/name.N for the first N not taken.
func freeName(dir, name string) string {
	dst := filepath.Join(dir, name)
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			return dst
		}
		dst = filepath.Join(dir, name+"."+strconv.Itoa(i))
	}
}

// logProblemsMax bounds the bad rows logged one by one per file.
const logProblemsMax = 20

func (s *Source) report(ctx context.Context, r FileReport) {
	switch r.Outcome {
	case Rejected:
		s.log.WarnContext(ctx, "csv file rejected", "file", r.File, "moved_to", r.MovedTo, "error", r.Err)
	default:
		s.log.InfoContext(ctx, "csv file handled", "file", r.File, "outcome", string(r.Outcome), "records", r.Records,
			"bad_rows", len(r.Problems)+r.Omitted, "moved_to", r.MovedTo)
	}
	for i, p := range r.Problems {
		if i == logProblemsMax {
			s.log.WarnContext(ctx, "csv rows skipped", "file", r.File, "more_bad_rows", len(r.Problems)+r.Omitted-i)
			break
		}
		s.log.WarnContext(ctx, "csv row skipped", "file", p.File, "line", p.Line, "column", p.Column, "header", p.Header, "reason", p.Message)
	}
	if s.cfg.Report != nil {
		s.cfg.Report(r)
	}
}

// workerIndex holds the rows Worker reads, for one identity of the files.
type workerIndex struct {
	identity string
	rows     map[string]row
}

// Worker reads one worker as of at from the file at Path, the newest
// snapshot in processed/, or every delta file in processed/ merged.
func (s *Source) Worker(ctx context.Context, anchor string, at time.Time) (source.Record, bool, error) {
	var files []dropFile
	if s.cfg.Path != "" {
		st, err := os.Stat(s.cfg.Path)
		if err != nil {
			return source.Record{}, false, &source.Error{Kind: source.Unavailable, Op: "read " + filepath.Base(s.cfg.Path), Err: err}
		}
		files = []dropFile{{name: filepath.Base(s.cfg.Path), path: s.cfg.Path, mod: st.ModTime()}}
	} else {
		var err error
		if files, err = s.list(filepath.Join(s.cfg.Folder, ProcessedDir), false); err != nil {
			return source.Record{}, false, err
		}
	}
	identity := ""
	for _, f := range files {
		identity += f.name + "@" + f.mod.String() + ";"
	}
	if s.index == nil || s.index.identity != identity {
		rows, err := s.indexRows(ctx, files)
		if err != nil {
			return source.Record{}, false, err
		}
		s.index = &workerIndex{identity: identity, rows: rows}
	}
	r, ok := s.index.rows[anchor]
	if !ok {
		return source.Record{}, false, nil
	}
	// Copy: the record's attributes are the caller's to keep.
	cp := r
	cp.attrs = make(map[string]expr.Value, len(r.attrs))
	for k, v := range r.attrs {
		cp.attrs[k] = v
	}
	return s.p.record(cp, at), true, nil
}

// indexRows reads the rows Worker answers from: for snapshots the newest
// good file (newest first), for deltas all good files merged.
func (s *Source) indexRows(ctx context.Context, files []dropFile) (map[string]row, error) {
	if s.cfg.Files == Delta {
		var good []*checked
		for _, f := range files {
			c, err := s.check(f.name, f.path)
			if err != nil {
				var fe *FileError
				if errors.As(err, &fe) {
					continue
				}
				return nil, err
			}
			good = append(good, c)
		}
		merged, _, err := s.replay(ctx, good)
		return merged, err
	}
	for i := len(files) - 1; i >= 0; i-- {
		c, err := s.check(files[i].name, files[i].path)
		var fe *FileError
		switch {
		case errors.As(err, &fe):
			if s.cfg.Path != "" {
				return nil, &source.Error{Kind: source.Validation, Op: "read " + files[i].name, Err: err}
			}
			continue
		case err != nil:
			return nil, err
		}
		rows := map[string]row{}
		err = s.p.scan(c.name, c.text, func(r row, ok bool) error {
			if ok {
				rows[r.key] = r
			}
			return ctx.Err()
		})
		return rows, err
	}
	return map[string]row{}, nil
}
