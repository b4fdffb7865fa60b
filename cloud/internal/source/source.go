// Package source is the seam between HR connectors and the sync engine. A
// Source reads workers from one HR system (Workday, SuccessFactors, a CSV
// drop folder) and hands them to the engine as flattened records: one value
// per source attribute, named as the attribute mapping names them.
//
// The engine drives a Source in cycles. The initial cycle calls Full, which
// reads every worker the HR system holds (active and terminated) and returns
// a Watermark; each later cycle calls Changes with the last watermark and
// gets only what changed since. A record whose state will change at a known
// future instant (a future-dated hire on its first day, a termination at the
// end of the last day of work in the worker's time zone, a conversion on
// its effective date) lists that instant in Record.Wake; the engine calls
// Worker at that instant and processes the worker again, so effective dates
// are met on time whatever the cycle interval.
//
// Connectors never decide what happens to an account: they report what the
// HR system says, and the mapping, scoping and lifecycle policy decide.
package source

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/expr"
)

// Record is one worker as the HR system describes it at one instant.
type Record struct {
	// Anchor is the source anchor, stable for the life of the record: the
	// Workday WID, the SuccessFactors perPersonUuid, a CSV key column.
	Anchor string
	// Attributes holds the worker's values by source attribute name
	// ("WorkerID", "Active", "FirstName", ...). Attributes the HR system
	// holds no value for are absent, never empty strings.
	Attributes map[string]expr.Value
	// Wake lists future instants at which this worker's record changes
	// because of a transaction the HR system already holds (a hire, a
	// termination, a conversion effective later). The engine reads the
	// worker again with Worker at each of them. Instants in the past are
	// ignored.
	Wake []time.Time
}

// Watermark is a connector's opaque cursor: where the next Changes call
// starts. The engine stores it as is, after the cycle that returned it has
// staged every record, so a crash repeats a window instead of losing one.
type Watermark []byte

// Source reads workers from one HR system. Implementations are safe for
// use by one cycle at a time; the engine never calls a Source concurrently.
type Source interface {
	// Full reads every worker the HR system holds, active and terminated,
	// as of now, and calls fn for each. It returns the watermark the next
	// Changes call starts from (typically the instant the read began). An
	// error from fn stops the read and is returned as is.
	Full(ctx context.Context, fn func(Record) error) (Watermark, error)
	// Changes reads the workers changed since w: transactions keyed since,
	// and effective-dated transactions that took effect since. A worker may
	// be reported more than once; the engine skips records identical to the
	// last it processed.
	Changes(ctx context.Context, w Watermark, fn func(Record) error) (Watermark, error)
	// Worker reads one worker as of at. ok is false when the HR system does
	// not know the anchor.
	Worker(ctx context.Context, anchor string, at time.Time) (rec Record, ok bool, err error)
}

// WriteBack is implemented by sources that accept values written back to
// the HR system (work email, phone numbers, user name), keyed by the same
// anchor the source reports.
type WriteBack interface {
	// WriteBack writes values, by write-back attribute name ("EmailAddress",
	// "UserID", "PrimaryWorkTelephone", "Mobile"), to the worker with the
	// anchor. It fails with a *Error naming the attribute that was refused.
	WriteBack(ctx context.Context, anchor string, values map[string]string) error
}

// Kind classifies a failure of an HR system so the engine and the admin know
// what to do about it.
type Kind string

const (
	// Authentication: the HR system refused the credentials (HTTP 401/403,
	// an authentication SOAP fault, an OAuth token refused). Fix the
	// connection settings; retrying will not help.
	Authentication Kind = "Authentication"
	// Validation: the HR system rejected the request as invalid (a SOAP
	// validation fault, OData 400): a wrong attribute path, an unknown
	// field, a bad tenant URL. Fix the configuration.
	Validation Kind = "Validation"
	// Throttling: the HR system asked us to slow down (HTTP 429, 503 with
	// Retry-After). Retried with backoff before it is reported.
	Throttling Kind = "Throttling"
	// Unavailable: the HR system could not be reached or failed (network
	// errors, HTTP 5xx). Retried with backoff before it is reported.
	Unavailable Kind = "Unavailable"
	// Protocol: the HR system answered with something the connector cannot
	// read (malformed XML or JSON, a missing paging element).
	Protocol Kind = "Protocol"
	// NotFound: the HR system does not know the object written back to.
	NotFound Kind = "NotFound"
)

// Error is a classified failure of an HR system.
type Error struct {
	Kind Kind
	// Op names what was being done, e.g. "Get_Workers page 3" or
	// "GET PerPerson".
	Op string
	// RetryAfter is the delay the HR system asked for, when it did.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Op, e.Kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, or "" when
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// Attribute names one source attribute and where the connector finds it: an
// XPath for Workday, a JSONPath for SuccessFactors, a column for CSV.
type Attribute struct {
	Name string `json:"name"`
	Path string `json:"path"`
}
