// Package engine turns staged source records into directory operations.
//
// For every record it runs the steps a provisioning log shows: import (the
// record as received), scoping, matching (by the link to the directory
// object when there is one, else by the job's matching attribute),
// processing (create, update, disable, enable, move, rename or nothing) and
// export (one operation through the dispatcher). The log entry, the link
// and the record's processed mark are written in one transaction.
//
// Operation IDs are derived from the record ID and the step, so a cloud that
// crashes in the middle of a record and processes it again finds its earlier
// operations (done or still queued) instead of creating new ones, and the
// agent's idempotent create finishes an account instead of making a second.
package engine
