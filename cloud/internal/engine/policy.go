package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/schema"
	"github.com/hrsync/hrsync/cloud/internal/scope"
	"github.com/hrsync/hrsync/cloud/internal/store"
)

// Policy is a job's configuration besides its attribute mapping: which
// records are in scope and which actions the job may take. It is stored as
// the job's scoping JSON.
type Policy struct {
	// Scope: a record outside it is out of scope.
	Scope scope.Filter `json:"scope"`
	// InputScope: a record outside it is skipped before anything else and
	// its directory object is never touched because of it.
	InputScope scope.Filter `json:"inputScope"`
	// FlowTypes are the allowed target actions; nil means all.
	FlowTypes *schema.FlowTypes `json:"flowTypes,omitempty"`
	// SkipOutOfScopeDeletions leaves the accounts of workers who leave the
	// scope enabled (Entra's SkipOutOfScopeDeletions).
	SkipOutOfScopeDeletions bool `json:"skipOutOfScopeDeletions,omitempty"`
	// DeletionThreshold is the accidental-deletion guard: more disables or
	// deletes than this in one cycle (one upload) quarantine the job with
	// TooManyDeletes and nothing is disabled. Nil means 500; 0 turns the
	// guard off.
	DeletionThreshold *int `json:"deletionThreshold,omitempty"`
	// DeletionThreshold24h is the same over a rolling 24 hours. Nil means
	// twice DeletionThreshold; 0 turns it off.
	DeletionThreshold24h *int `json:"deletionThreshold24h,omitempty"`
	// Conversions says what happens when a worker's new persona (a
	// conversion between employee and contingent worker, a rehire under a
	// new source anchor) matches the account of another persona:
	// "transfer" (the default, as Entra's Workday connector does) moves
	// the account to the new persona; "newAccount" leaves the old account
	// to the old persona, which disables it when its termination takes
	// effect, and gives the new persona its own account: the matching
	// attribute must then differ between personas (a record whose value
	// matches another persona's account fails with
	// ConversionNeedsDistinctMatchingValue). An inactive record never takes
	// over another persona's account under either policy.
	Conversions string `json:"conversions,omitempty"`
	// DeleteAfterDays deletes the account of a worker this many days after
	// hrsync disabled it (a termination, a rescinded hire, leaving the
	// scope), if it is still disabled then. Nil or 0: accounts are never
	// deleted. Deletes count for the accidental-deletion guard.
	DeleteAfterDays *int `json:"deleteAfterDays,omitempty"`
	// NotificationEmail is mailed once when the job enters quarantine, and
	// again if the reason changes (Entra's notification e-mail).
	NotificationEmail string `json:"notificationEmail,omitempty"`
	// WriteBack writes directory values back to HR once an account is
	// created, by HR attribute: {"EmailAddress": "mail", "UserID":
	// "sAMAccountName"}. The job's source must accept write-back (Workday:
	// EmailAddress, UserID, PrimaryWorkTelephone, Mobile; SuccessFactors:
	// EmailAddress).
	WriteBack map[string]string `json:"writeBack,omitempty"`
	// Lifecycle times accounts by the worker's first and last day of work,
	// in the worker's time zone.
	Lifecycle Lifecycle `json:"lifecycle,omitzero"`
}

// Conversion policies.
const (
	ConversionTransfer   = "transfer"
	ConversionNewAccount = "newAccount"
)

// DefaultDeletionThreshold is Entra's default threshold.
const DefaultDeletionThreshold = 500

func (p Policy) thresholds() (cycle, day int) {
	cycle = DefaultDeletionThreshold
	if p.DeletionThreshold != nil {
		cycle = *p.DeletionThreshold
	}
	day = 2 * cycle
	if p.DeletionThreshold24h != nil {
		day = *p.DeletionThreshold24h
	}
	return cycle, day
}

// ParsePolicy reads a stored policy strictly; "{}" is the empty policy.
func ParsePolicy(b []byte) (Policy, error) {
	var p Policy
	if len(bytes.TrimSpace(b)) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("job policy: %w", err)
	}
	return p, nil
}

// compiledJob is everything the engine needs to process a job's records,
// compiled once per schema version.
type compiledJob struct {
	version    int
	mapping    *mapping.Compiled
	scope      *scope.Compiled
	inputScope *scope.Compiled
	flow       schema.FlowTypes
	// disabled evaluates only the accountDisabled rule (nil when the
	// mapping has none), for the accidental-deletion guard.
	disabled *mapping.Compiled
	// maxPerCycle and maxPerDay are the deletion thresholds (0 = off).
	maxPerCycle, maxPerDay int
	skipOutOfScope         bool
	conversions            string
	// deleteAfter is how long an account stays disabled before it is
	// deleted; 0: never.
	deleteAfter time.Duration
	// notify is the notification address; "" for none.
	notify string
	// writeBack maps HR attributes to the directory attributes written back.
	writeBack map[string]string
	// lifecycle is nil unless the policy names a hire or last-day date.
	lifecycle *lifecycle
}

func compileJob(mappingJSON, policyJSON []byte, version int) (*compiledJob, error) {
	m, err := mapping.ParseJSON(mappingJSON)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	cm, err := mapping.Compile(m)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	p, err := ParsePolicy(policyJSON)
	if err != nil {
		return nil, err
	}
	cs, err := scope.Compile(p.Scope)
	if err != nil {
		return nil, fmt.Errorf("scope: %w", err)
	}
	ci, err := scope.Compile(p.InputScope)
	if err != nil {
		return nil, fmt.Errorf("inputScope: %w", err)
	}
	flow := schema.AllFlowTypes()
	if p.FlowTypes != nil {
		flow = *p.FlowTypes
	}
	cj := &compiledJob{version: version, mapping: cm, scope: cs, inputScope: ci, flow: flow}
	cj.maxPerCycle, cj.maxPerDay = p.thresholds()
	cj.skipOutOfScope = p.SkipOutOfScopeDeletions
	if p.DeleteAfterDays != nil {
		if *p.DeleteAfterDays < 0 || *p.DeleteAfterDays > 3650 {
			return nil, fmt.Errorf("deleteAfterDays: must be between 0 (never) and 3650, got %d", *p.DeleteAfterDays)
		}
		cj.deleteAfter = time.Duration(*p.DeleteAfterDays) * 24 * time.Hour
	}
	for hr, dir := range p.WriteBack {
		if strings.TrimSpace(hr) == "" || strings.TrimSpace(dir) == "" {
			return nil, fmt.Errorf("writeBack: %q → %q: name both the HR attribute and the directory attribute", hr, dir)
		}
	}
	cj.writeBack = p.WriteBack
	if p.NotificationEmail != "" {
		if _, err := mail.ParseAddress(p.NotificationEmail); err != nil {
			return nil, fmt.Errorf("notificationEmail: %q is not an e-mail address", p.NotificationEmail)
		}
		cj.notify = p.NotificationEmail
	}
	if cj.lifecycle, err = compileLifecycle(p.Lifecycle); err != nil {
		return nil, err
	}
	switch p.Conversions {
	case "", ConversionTransfer:
		cj.conversions = ConversionTransfer
	case ConversionNewAccount:
		cj.conversions = ConversionNewAccount
	default:
		return nil, fmt.Errorf("conversions: must be %q or %q, got %q", ConversionTransfer, ConversionNewAccount, p.Conversions)
	}
	if cj.maxPerCycle < 0 || cj.maxPerDay < 0 {
		return nil, fmt.Errorf("deletionThreshold: must not be negative")
	}
	for _, r := range m.Rules {
		if strings.EqualFold(r.Target, attrAccountDisabled) {
			if cj.disabled, err = mapping.Compile(mapping.Mapping{Rules: []mapping.Rule{r}}); err != nil {
				return nil, fmt.Errorf("mapping: %w", err)
			}
		}
	}
	return cj, nil
}

// Validate reports whether a mapping and a policy compile together, with
// errors that name the rule or clause.
func Validate(mappingJSON, policyJSON []byte) error {
	_, err := compileJob(mappingJSON, policyJSON, 0)
	return err
}

// SourceAttributes lists the source attributes a job's mapping, scoping
// filter and input filter read: what a pull source asks its HR system for.
func SourceAttributes(job store.Job) ([]string, error) {
	cj, err := compileJob(job.Mapping, job.Scoping, job.SchemaVersion)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", job.ID, err)
	}
	p, err := ParsePolicy(job.Scoping)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", job.ID, err)
	}
	out := cj.mapping.Sources()
	out = append(out, p.Scope.Attributes()...)
	out = append(out, p.InputScope.Attributes()...)
	slices.Sort(out)
	return slices.Compact(out), nil
}
