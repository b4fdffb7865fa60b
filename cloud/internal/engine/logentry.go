package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/store"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
)

// Step is one provisioningStep of a log entry.
type Step struct {
	Name        string            `json:"name"`
	Type        string            `json:"provisioningStepType"`
	Status      string            `json:"status"`
	Description string            `json:"description"`
	Details     map[string]string `json:"details,omitempty"`
}

// Modified is one modifiedProperty of a log entry.
type Modified struct {
	DisplayName string `json:"displayName"`
	OldValue    string `json:"oldValue"`
	NewValue    string `json:"newValue"`
}

// Step types and statuses as Graph names them.
const (
	StepImport     = "import"
	StepScoping    = "scoping"
	StepMatching   = "matching"
	StepProcessing = "processing"
	StepExport     = "export"

	StepReferenceResolution = "referenceResolution"

	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusSkipped = "skipped"
	// StatusWarning: the account was provisioned, but a later step (the
	// write-back to HR) failed.
	StatusWarning = "warning"
)

type trail struct {
	steps    []Step
	modified []Modified
	// redacted names (lower case) whose values the log must not show.
	redacted map[string]bool
	// refPut and refDel are the record's pending-reference changes, saved
	// with its log entry.
	refPut []store.PendingReference
	refDel []store.ReferenceKey
	// unlink is another anchor whose link this record takes over.
	unlink string
	// matchChecked: the job's snapshot answered every matching attribute
	// and no user held any of the values.
	matchChecked bool
	// forceDisabled: the lifecycle keeps the account disabled whatever the
	// mapping says (before the first day of work, after the last).
	forceDisabled bool
	// matchValue is the record's value of the first matching attribute
	// that has one, stored on its link.
	matchValue string
	// wakes are instants the worker is processed again.
	wakes []time.Time
	// pinDC is the domain controller the record's create may have reached
	// before it failed (agentv1.Error.in_doubt_dc); kept with its escrow.
	pinDC string
}

// redactedValue replaces the values of redacted attributes in logs.
const redactedValue = "[Redact]"

func (t *trail) redact(names []string) {
	if len(names) == 0 {
		return
	}
	if t.redacted == nil {
		t.redacted = map[string]bool{}
	}
	for _, n := range names {
		t.redacted[strings.ToLower(n)] = true
	}
}

func (t *trail) add(name, typ, status, desc string, details map[string]string) {
	t.steps = append(t.steps, Step{Name: name, Type: typ, Status: status, Description: desc, Details: details})
}

// dispatched records that the operation behind the next step needed more
// than one dispatch. Delivery to agents is at least once and the agent
// executes idempotently, so the retries are shown, not hidden.
func (t *trail) dispatched(opID string, res *agentv1.Result) {
	n := res.GetAttempt()
	if n <= 1 {
		return
	}
	t.add("EntryExportRedispatch", StepExport, StatusSuccess,
		fmt.Sprintf("Dispatched %d times: the agent holding the operation was lost or did not answer in time %d times, and it was dispatched again with a new attempt; the agent executes it idempotently, so it took effect once", n, n-1),
		map[string]string{"opId": opID, "dispatches": strconv.FormatUint(uint64(n), 10)})
}

func (t *trail) change(attr string, old, new []string) {
	m := Modified{DisplayName: attr, OldValue: joinValues(old), NewValue: joinValues(new)}
	if t.redacted[strings.ToLower(attr)] {
		// Neither the new value nor what the directory held is shown.
		if m.OldValue != "" {
			m.OldValue = redactedValue
		}
		if m.NewValue != "" {
			m.NewValue = redactedValue
		}
	}
	t.modified = append(t.modified, m)
}

func (t *trail) json() (steps, modified []byte) {
	slices.SortFunc(t.modified, func(a, b Modified) int { return strings.Compare(a.DisplayName, b.DisplayName) })
	steps, _ = json.Marshal(t.steps)
	if t.modified == nil {
		return steps, []byte("[]")
	}
	modified, _ = json.Marshal(t.modified)
	return steps, modified
}

func joinValues(vs []string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	return "[" + strings.Join(vs, ", ") + "]"
}
