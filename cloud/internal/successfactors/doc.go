// Package successfactors is the SAP SuccessFactors Employee Central
// connector: a source.Source that reads workers through the OData v2 API
// the way Microsoft Entra's SuccessFactors connector does
// (shared/reference/successfactors-protocol.md), and a source.WriteBack
// that writes e-mail addresses back with PerEmail upserts.
//
//	c, err := successfactors.New(successfactors.Config{
//		BaseURL:   "https://api4.successfactors.com",
//		CompanyID: "ACME",
//		Auth:      successfactors.Auth{Username: "sfapi", Password: pw},
//	})
//	if err != nil {
//		return err // names the bad field
//	}
//	wm, err := c.Full(ctx, func(r source.Record) error { ... })
//
// # Records
//
// A record is one PerPerson with its navigations expanded. Record.Anchor
// is perPersonUuid, which Microsoft's attribute reference calls the source
// anchor: it is SuccessFactors' immutable key of the person, while
// personIdExternal is an ID HR may correct and is the matching attribute
// instead. Attributes are read with JSONPath (github.com/ohler55/ojg/jp),
// compiled once: filters ([?(@.assignmentClass == 'ST')]), slices
// ([-1:]) and recursive descent all work. A path that yields several
// values gives the first non-null one; null and absent values leave the
// attribute out. JSON strings and numbers become strings, booleans
// expr.Bool ("True"/"False"), and /Date(ms)/ and /Date(ms+0000)/ values
// ISO 8601 UTC text (DateLayout, e.g. "2024-09-02T00:00:00Z"; date-only
// fields are midnight UTC). DefaultAttributes is the list Entra ships.
//
// $expand is the set Entra always expands plus each conditional
// navigation whose every segment an attribute's path names.
//
// # Reads
//
// Full reads every person with termination information, active and
// terminated, modified by now; Changes counts (PerPerson/$count) and reads
// the persons changed in the window since the watermark, with Entra's
// incremental filter. Both page with customPageSize and paging=snapshot,
// following __next. Worker reads one person with asOfDate set to the date
// of at in the worker's time zone.
//
// A pre-hire (an employment whose start date is after the read's instant)
// is read a second time as of its start date, as Entra's pre-hire
// processing does, because SuccessFactors returns only minimal data before
// that date. Unlike Entra, the values the record has now take precedence
// and the start-date read only fills in what is missing, never a status (emplStatus, activeEmploymentsCount, the user status), so a status such
// as activeEmploymentsCount is not taken from the future.
//
// # Effective dates
//
// Record.Wake lists the future instants the person's record changes at:
// an employment's start date (midnight at its start in the worker's time
// zone), the day after an employment's end date (midnight after the last
// day of work), and the day after the end date of the current job or
// personal-information slice (a change effective later). The worker's
// zone is User.timeZone, else EmpJob.timezone, else Config.DefaultTimeZone
// (UTC unless set).
//
// # Errors
//
// Failures are *source.Error: 401 and 403 Authentication (an expired OAuth
// token is renewed once first); 400 and 404 Validation, with the OData
// error message; 429 and 503 Throttling and other 5xx and network errors
// Unavailable, each after retries with backoff through go-retryablehttp
// (Retry-After honoured up to Retry.WaitMax); an unreadable answer
// Protocol; a write-back row refused Validation (NotFound for an unknown
// person), naming the row and attribute. Logs carry operations, pages,
// counts and status codes, never personal data, filters or secrets.
package successfactors
