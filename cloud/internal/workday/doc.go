// Package workday is the Workday connector: a source.Source that reads
// workers through Workday Web Services (SOAP Get_Workers, as Microsoft
// Entra's Workday inbound provisioning does) and a source.WriteBack that
// writes the work e-mail address, work phones and Workday user name back.
//
//	c, err := workday.New(workday.Config{
//		URL:        "https://wd3-impl-services1.workday.com/ccx/service/acme_impl1/Human_Resources/v34.0",
//		Username:   "ISU_hrsync", // @acme_impl1 is added
//		Password:   secret,
//		Attributes: []source.Attribute{{Name: "WorkerID"}, {Name: "Active"}, {Name: "CostCenter", Path: costCenterXPath}},
//		Zones:      map[string]string{"LOC-BLR": "Asia/Kolkata", "AU": "Australia/Sydney"},
//	})
//	if err != nil {
//		return err // names the bad field: url, attributes[2].path, zones[AU] …
//	}
//	wm, err := c.Full(ctx, stage)       // every worker, active and terminated
//	wm, err = c.Changes(ctx, wm, stage) // what changed since
//
// Attributes are named XPaths evaluated against each wd:Worker element
// (github.com/antchfx/xpath over github.com/antchfx/xmlquery, XPath 1.0 with
// the functions Entra documents). Without attributes the connector reads
// Entra's default table for the URL's version (DefaultAttributes); a name
// without a path takes its default path. The Response_Group of every request
// is derived from the XPaths, so data sets no attribute reads are not asked
// for.
//
// Full sends Entra's full-sync query (Transaction_Type_References Hire
// Employee and Contract Contingent Worker) page by page with As_Of_* pinned
// to the start, which becomes the watermark. Changes sends the two
// incremental queries, transactions entered in the window and transactions
// effective in it, and reports each WID once. A future-dated hire is read
// again as of its hire instant (Config.PrehireLookahead). Every record's
// anchor is the WID; its Wake lists the future instants at which it changes:
// the hire date at midnight in the worker's zone, the end of the last day of
// work, and every future-dated transaction in the worker's transaction log.
// The zone comes from Config.Zones (Workday's Worker element carries none).
//
// Failures are *source.Error: an authentication fault or HTTP 401/403 is
// Authentication; a validation or processing fault, HTTP 404 or another
// 4xx is Validation; 429, or 503 with Retry-After, is Throttling after the
// retries; other 5xx and network failures are Unavailable after the
// retries; an unreadable response is Protocol; a write-back to an unknown
// WID is NotFound. All HTTP goes through go-retryablehttp. Nothing personal
// and no password is logged.
package workday
