// Package csvfeed is a source.Source for HR systems that can only export
// files: a CSV file overwritten in place (Config.Path), or a drop folder
// that receives one file per export (Config.Folder).
//
//	src, err := csvfeed.New(csvfeed.Config{
//		Folder:  "/srv/hr-drop",
//		Key:     "EmployeeID",
//		Columns: map[string]string{"EmployeeID": "WorkerID", "First name": "FirstName", "Last day": "LastDay"},
//		Dates:   map[string]string{"Last day": "dd.MM.yyyy"},
//		Leavers: &csvfeed.Leavers{LastDayColumn: "Last day", Absent: true},
//		Report:  func(r csvfeed.FileReport) { ... },
//	})
//	wm, err := src.Full(ctx, stage)        // the newest snapshot
//	wm, err = src.Changes(ctx, wm, stage)  // files that arrived since
//
// Every file is read twice: a first pass validates all of it (encoding,
// CSV syntax, the header, unique keys) and a second reports its good rows,
// so a file that is rejected reports nothing. A bad row (wrong field
// count, empty key, a date not in its format, an unknown state value) is
// skipped and listed by file, line and column in the FileReport and the
// log, and never stops the good rows.
//
// The drop folder is polled on each call rather than watched: the engine
// calls Changes once per cycle, so a watcher would only add a goroutine,
// platform differences and events lost while hrsync is down, while a
// directory listing per cycle costs nothing. Files are read in name order
// once unmodified for Config.Settle, then moved to processed/ (or failed/,
// with NAME.error.txt). The watermark names the last file handled, and
// only files that sort after it are read: a file is never read again once
// the engine stored the watermark, and a file dropped with an old name is
// refused. A crash between the move and the engine storing the watermark
// re-reads the moved files from processed/, in the same order, which the
// engine absorbs (it skips records identical to the last it processed).
package csvfeed
