// Package store defines the cloud's persistent state: jobs, staged uploads,
// durable operations, source↔target links and provisioning logs. The
// interfaces here have one implementation per database (store/sqlite now,
// store/postgres for scale-out) and one conformance suite (store/storetest)
// that every implementation must pass.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every implementation returns (wrapped) for the same conditions.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// Store is the whole persistent state of the cloud.
type Store interface {
	Jobs
	Uploads
	Operations
	Links
	Logs
	References
	Escrows
	Syncs
	Replicas
	Leases
	Events
	Enrollments
	Close() error
}

// Job is one provisioning job: one source into one target domain.
type Job struct {
	ID               string
	ServicePrincipal string
	Name             string
	// Template names the source kind, e.g. "API2AD".
	Template string
	// Domain is the DNS name of the target AD domain.
	Domain string
	// DefaultContainer is the DN new users go to when the mapping does not
	// set parentDistinguishedName.
	DefaultContainer string
	// Mapping is the JSON of the attribute mapping.
	Mapping []byte
	// Scoping is the JSON of the scoping filter ({} for none).
	Scoping []byte
	// SchemaVersion grows each time the mapping or scoping changes.
	SchemaVersion int
	// QuarantineReason is empty unless the job is quarantined (for
	// example TooManyDeletes); a quarantined job processes nothing.
	QuarantineReason string
	QuarantinedAt    time.Time
	// DeletesAllowedBefore: records received before this instant are past
	// the accidental-deletion guard (an admin allowed them).
	DeletesAllowedBefore time.Time
	// Paused jobs keep their records queued until resumed.
	Paused bool
	// AlertedReason is the quarantine reason the job's notification
	// address was last mailed about; empty once the job recovered.
	AlertedReason string
	// UploadTokenHash is the SHA-256 of the job's upload token.
	UploadTokenHash []byte
	CreatedAt       time.Time
}

// Jobs stores jobs.
type Jobs interface {
	CreateJob(ctx context.Context, j Job) error
	GetJob(ctx context.Context, id string) (Job, error)
	ListJobs(ctx context.Context) ([]Job, error)
	// UpdateJobSchema replaces the mapping and scoping and bumps
	// SchemaVersion, which it returns.
	UpdateJobSchema(ctx context.Context, id string, mapping, scoping []byte) (int, error)
	// SetQuarantine quarantines a job with a reason, or lifts it ("").
	SetQuarantine(ctx context.Context, id, reason string, at time.Time) error
	// MarkAlerted sets the job's AlertedReason and reports whether it
	// changed: of replicas about to mail the same quarantine, only the
	// one that changed it mails. ErrNotFound.
	MarkAlerted(ctx context.Context, id, reason string) (bool, error)
	// AllowDeletes lets records received before the instant past the
	// accidental-deletion guard, and lifts a TooManyDeletes quarantine.
	AllowDeletes(ctx context.Context, id string, before time.Time) error
	// SetPaused pauses or resumes a job.
	SetPaused(ctx context.Context, id string, paused bool) error
	// ResetJob forgets state of a job in one transaction.
	ResetJob(ctx context.Context, id string, r Reset) error
}

// Reset names what ResetJob forgets.
type Reset struct {
	// Escrows: stop retrying failed records.
	Escrows bool
	// Links: forget which directory object each worker is linked to (and
	// the references waiting on them); the next record of each worker
	// matches again by its matching attributes.
	Links bool
	// Quarantine: lift the quarantine.
	Quarantine bool
	// Watermark: forget where the pull source's incremental reads start and
	// what each worker's last record was, so the next cycle is an initial
	// cycle that reads and processes every worker again.
	Watermark bool
}

// Upload is one accepted bulk request and its records.
type Upload struct {
	ID         string
	JobID      string
	ReceivedAt time.Time
	// CycleID names the pull cycle the upload is a batch of; empty: the
	// upload is a cycle of its own (an API-driven upload).
	CycleID string
	Records []StagedRecord
	// Wakes are staged with the records: instants at which a worker is to
	// be read from the pull source again.
	Wakes []Wake
}

// StagedRecord is one source record waiting to be processed.
type StagedRecord struct {
	ID       int64
	JobID    string
	UploadID string
	BulkID   string
	// Anchor is the source identity (externalId for API-driven jobs).
	Anchor string
	// Payload is the JSON of the flattened source attributes.
	Payload    []byte
	ReceivedAt time.Time
	// CycleID is the upload's (read back; set on the Upload when staging).
	CycleID string
	// Digest, when not zero, is remembered as the worker's last record
	// (see Syncs.Digests) when the record is staged.
	Digest int64
}

// Uploads stages records until the engine has processed them.
type Uploads interface {
	// StageUpload stores the upload and all its records atomically.
	StageUpload(ctx context.Context, u Upload) error
	// PendingRecords returns unprocessed records of a job, oldest first.
	PendingRecords(ctx context.Context, jobID string, limit int) ([]StagedRecord, error)
	// CountPendingRecords counts a job's unprocessed records.
	CountPendingRecords(ctx context.Context, jobID string) (int, error)
	// JobsWithPendingRecords lists jobs that have work.
	JobsWithPendingRecords(ctx context.Context) ([]string, error)
	// LatestRecord returns the newest staged record of a worker, processed
	// or not; ErrNotFound when there is none.
	LatestRecord(ctx context.Context, jobID, anchor string) (StagedRecord, error)
	// UploadStatus reports how far the engine is with one upload;
	// ErrNotFound when the job has no upload with that ID.
	UploadStatus(ctx context.Context, jobID, uploadID string) (UploadStatus, error)
}

// UploadStatus is the processing state of one upload.
type UploadStatus struct {
	ID         string
	JobID      string
	ReceivedAt time.Time
	// Records is how many records the upload staged; Pending how many of
	// them the engine has not finished yet.
	Records, Pending int
	// ByStatus counts the provisioning log entries of the upload by status
	// (success, failure, skipped, warning). A record retried from escrow
	// has one entry per attempt.
	ByStatus map[string]int
}

// OpState is where a durable operation is in its life.
type OpState string

const (
	OpPending    OpState = "pending"
	OpDispatched OpState = "dispatched"
	OpDone       OpState = "done"
)

// Operation is a durable directory operation. It is stored before it is
// dispatched, so a cloud restart never loses it.
type Operation struct {
	ID     string
	JobID  string
	Domain string
	// Payload is the wire form of the operation (without attempt/seq).
	Payload []byte
	State   OpState
	Attempt uint32
	Seq     uint64
	AgentID string
	// ReplicaID is the cloud replica whose stream to AgentID the
	// operation went through (empty before it was dispatched).
	ReplicaID string
	// NotBefore delays a retry.
	NotBefore    time.Time
	DispatchedAt time.Time
	// Result is the wire form of the final result once Done.
	Result    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Operations is the durable operation queue.
type Operations interface {
	// CreateOperation inserts op in state pending; ErrConflict if the ID exists.
	CreateOperation(ctx context.Context, op Operation) error
	GetOperation(ctx context.Context, id string) (Operation, error)
	// DispatchableOperations lists pending operations whose NotBefore has
	// passed, in creation order. When domains is not nil, only operations
	// for those domains (lower case, no trailing dot) are listed: a
	// replica asks for what its agents can take, so operations for other
	// domains never hide them.
	DispatchableOperations(ctx context.Context, now time.Time, domains []string, limit int) ([]Operation, error)
	// ListOperations returns operations in a state (all when empty).
	ListOperations(ctx context.Context, state OpState) ([]Operation, error)
	// MarkDispatched moves op from pending (with attempt-1) to dispatched
	// with the given attempt, agent, replica and a fresh sequence number,
	// which it returns. ErrConflict when op is not pending at that attempt.
	MarkDispatched(ctx context.Context, id string, attempt uint32, agentID, replicaID string, at time.Time) (uint64, error)
	// Requeue moves a dispatched op back to pending when its attempt
	// matches, and publishes EventOpPending.
	Requeue(ctx context.Context, id string, attempt uint32, notBefore time.Time) error
	// RequeueWith is Requeue that also replaces the op's payload: the next
	// attempt runs the changed operation (pinned to a domain controller).
	RequeueWith(ctx context.Context, id string, attempt uint32, notBefore time.Time, payload []byte) error
	// Adopt reassigns a dispatched or pending op to agentID (through
	// replicaID) at its current attempt without dispatching again (the
	// agent is still running it).
	Adopt(ctx context.Context, id string, attempt uint32, agentID, replicaID string, at time.Time) error
	// Complete stores the final result when attempt matches the current one,
	// and publishes EventOpDone; ErrConflict otherwise (a stale result).
	Complete(ctx context.Context, id string, attempt uint32, result []byte, at time.Time) error
}

// Replica is a cloud replica that shares the store.
type Replica struct {
	ID          string
	StartedAt   time.Time
	HeartbeatAt time.Time
	// ExpiresAt is when the replica counts as dead unless it heartbeats.
	ExpiresAt time.Time
}

// Replicas tracks which cloud replicas live. A replica heartbeats its
// row; a replica whose row expired is dead, and the operations dispatched
// through its agent streams go back to the queue.
type Replicas interface {
	// HeartbeatReplica creates or renews replica id until the instant.
	HeartbeatReplica(ctx context.Context, id string, now, until time.Time) error
	// ListReplicas returns the known replicas, by ID.
	ListReplicas(ctx context.Context) ([]Replica, error)
	// ReapReplicas removes every replica whose lease ended before now and,
	// in the same transaction, moves the operations dispatched through it
	// back to pending (same attempt: the next dispatch is a new one). It
	// returns the reaped IDs and how many operations went back. Operations
	// adopted through a live replica in the meantime stay where they are.
	ReapReplicas(ctx context.Context, now time.Time) (reaped []string, requeued int, err error)
	// LeaveReplica removes a replica that stops cleanly.
	LeaveReplica(ctx context.Context, id string) error
}

// Leases are named, expiring claims: work that must run on one replica at
// a time (a job's records and sweeps) runs under one.
type Leases interface {
	// AcquireLease takes lease name for owner until now+ttl when it is
	// free, expired or already owner's (a renewal); ErrConflict when
	// another owner holds it.
	AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) error
	// ReleaseLease gives the lease up if owner holds it.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// EventKind names what changed.
type EventKind int

const (
	// EventOpPending: an operation became pending (created, requeued);
	// Key is its domain, lower case.
	EventOpPending EventKind = iota + 1
	// EventOpDone: an operation has its final result; Key is its ID.
	EventOpDone
	// EventResync: events may have been lost (the listening connection
	// was lost and is back); subscribers look at the store again.
	EventResync
	// EventAgentRevoked: an admin revoked an agent; Key is its ID. The
	// replica holding its stream closes it at once.
	EventAgentRevoked
)

// Event is a change another replica (or this one) made.
type Event struct {
	Kind EventKind
	Key  string
}

// Events tells every replica sharing the store what changed, so a replica
// waiting for an operation's result or holding the agent stream for its
// domain acts at once. Delivery is best effort: an event can be lost (a
// subscriber too slow, a connection dropped), so subscribers also poll the
// store. PostgreSQL delivers through LISTEN/NOTIFY, sent in the transaction
// that makes the change; SQLite, which serves one process, in process.
type Events interface {
	// Subscribe delivers events on the returned channel until ctx ends,
	// then closes it.
	Subscribe(ctx context.Context) (<-chan Event, error)
}

// Link ties a source anchor to its directory object.
type Link struct {
	JobID      string
	Anchor     string
	ObjectGUID string
	DN         string
	// Enabled is the account state hrsync last saw or set.
	Enabled   bool
	UpdatedAt time.Time
	// MatchValue is the worker's value of the job's first matching
	// attribute (employeeID's source, e.g. personIdExternal). References
	// that name a worker by it (SuccessFactors' managerId) resolve through
	// it when no link has the value as its anchor.
	MatchValue string
	// DisabledAt is when hrsync first saw or made the account disabled;
	// zero while it is enabled. Set by the store, read by DisabledLinks.
	DisabledAt time.Time
}

// Links stores source↔target links.
type Links interface {
	GetLink(ctx context.Context, jobID, anchor string) (Link, error)
	// DisabledLinks lists links whose account has been disabled since
	// before the instant, longest disabled first.
	DisabledLinks(ctx context.Context, jobID string, before time.Time, limit int) ([]Link, error)
	// LinkByMatchValue returns a link whose MatchValue is value;
	// ErrNotFound when there is none.
	LinkByMatchValue(ctx context.Context, jobID, value string) (Link, error)
	// LinksToObject lists the links of a job to one directory object.
	LinksToObject(ctx context.Context, jobID, objectGUID string) ([]Link, error)
	DeleteLink(ctx context.Context, jobID, anchor string) error
	CountLinks(ctx context.Context, jobID string) (int, error)
}

// LogEntry is one provisioning log record, shaped like Graph's
// provisioningObjectSummary.
type LogEntry struct {
	ID           string
	JobID        string
	CycleID      string
	ChangeID     string
	ActivityTime time.Time
	DurationMS   int64
	// Action is create, update, delete, disable, other.
	Action string
	// Status is success, failure, skipped, warning.
	Status         string
	SourceID       string
	SourceName     string
	TargetID       string
	TargetName     string
	ErrorCode      string
	ErrorMessage   string
	Recommendation string
	// Modified and Steps are JSON arrays.
	Modified []byte
	Steps    []byte
}

// Outcome is everything that records the end of one staged record, written
// in one transaction: the log entry, the link (when set), the record's
// processed mark (when RecordID is set) and its pending references.
type Outcome struct {
	RecordID int64
	Log      LogEntry
	Link     *Link
	// PutReferences records references that wait for their target.
	PutReferences []PendingReference
	// DeleteReferences removes pending references of (JobID, Anchor).
	DeleteReferences []ReferenceKey
	// Wakes are instants the worker is to be processed again (the
	// lifecycle's first and last day of work).
	Wakes []Wake
	// Unlink removes the link of another anchor of the same job: a
	// worker's new persona took its account over (a conversion).
	Unlink string
	// Escrow, when set, records (or replaces) the failure of a record so
	// it is retried later.
	Escrow *Escrow
	// ClearEscrow removes the escrow of a source anchor: it succeeded.
	ClearEscrow *EscrowKey
}

// EscrowKey names the escrow of one source anchor.
type EscrowKey struct {
	JobID, Anchor string
}

// Escrow is a record that failed and waits to be retried.
type Escrow struct {
	JobID  string
	Anchor string
	// RecordID is the staged record whose failure this is; a retry that
	// no longer matches it was superseded by a newer record.
	RecordID    int64
	BulkID      string
	Payload     []byte
	Attempts    int
	FirstFailed time.Time
	NextAttempt time.Time
	ErrorCode   string
	// PinnedDC is the domain controller the worker's create may have
	// reached before that DC failed (agentv1.Error.in_doubt_dc): retries
	// of the create run there only. Empty for other failures.
	PinnedDC string
}

// PendingReference is a reference attribute (manager) of a directory
// object whose target (by source anchor) has no directory object yet.
type PendingReference struct {
	JobID string
	// Anchor is the source anchor of the object that holds the reference.
	Anchor    string
	Attribute string
	// Target is the source anchor of the referenced record.
	Target    string
	CreatedAt time.Time
}

// ReferenceKey names one pending reference.
type ReferenceKey struct {
	JobID, Anchor, Attribute string
}

// ResolvableReference is a pending reference whose holder and target both
// have links now.
type ResolvableReference struct {
	PendingReference
	Holder Link
	To     Link
}

// Escrows stores failed records waiting for a retry.
type Escrows interface {
	GetEscrow(ctx context.Context, jobID, anchor string) (Escrow, error)
	// DueEscrows lists escrows whose NextAttempt has passed, oldest first.
	DueEscrows(ctx context.Context, now time.Time, limit int) ([]Escrow, error)
	CountEscrows(ctx context.Context, jobID string) (int, error)
}

// References stores pending references.
type References interface {
	// ResolvableReferences lists pending references of a job whose holder
	// and target are both linked.
	ResolvableReferences(ctx context.Context, jobID string, limit int) ([]ResolvableReference, error)
	// CountPendingReferences counts the unresolved references of a job.
	CountPendingReferences(ctx context.Context, jobID string) (int, error)
}

// LogQuery filters provisioning logs.
type LogQuery struct {
	JobID string
	// CycleID, when set, keeps only the entries of one cycle (an upload).
	CycleID string
	// After pages: entries strictly after this (time, id) position.
	AfterTime time.Time
	AfterID   string
	Limit     int
}

// Logs stores provisioning logs.
type Logs interface {
	// FinishRecord writes an Outcome atomically.
	FinishRecord(ctx context.Context, o Outcome) error
	QueryLogs(ctx context.Context, q LogQuery) ([]LogEntry, error)
	// PruneLogs deletes entries older than before and returns how many.
	PruneLogs(ctx context.Context, before time.Time) (int, error)
	// CountActions counts a job's entries with one of actions and status
	// success since the instant.
	CountActions(ctx context.Context, jobID string, actions []string, since time.Time) (int, error)
}

// SyncState is the pull source of a job and where its cycles are.
type SyncState struct {
	JobID string
	// SourceKind names the connector (workday, successfactors, csv);
	// SourceConfig is its JSON configuration, secrets included.
	SourceKind   string
	SourceConfig []byte
	Interval     time.Duration
	// Watermark is where the next incremental read starts; nil means the
	// next cycle is an initial cycle.
	Watermark []byte
	// WatermarkVersion is the job's SchemaVersion the watermark was made
	// with; a newer schema makes the next cycle an initial cycle.
	WatermarkVersion int
	NextCycleAt      time.Time
	// LeaseOwner holds the job's cycle until LeaseUntil.
	LeaseOwner string
	LeaseUntil time.Time
	// Last describes the last cycle that ended.
	Last CycleSummary
}

// CycleSummary describes one finished cycle.
type CycleSummary struct {
	ID         string
	Kind       string // initial, incremental
	StartedAt  time.Time
	FinishedAt time.Time
	// Read is how many records the source returned, Staged how many were
	// new or changed and went to the engine.
	Read, Staged int
	// Error is empty when the cycle succeeded.
	Error string
}

// Wake is an instant at which a worker is read from the source again (an
// effective-dated change takes effect).
type Wake struct {
	JobID  string
	Anchor string
	DueAt  time.Time
}

// CycleEnd is what FinishCycle records.
type CycleEnd struct {
	Summary CycleSummary
	// Watermark, when not nil, replaces the stored one, made with the
	// schema version WatermarkVersion.
	Watermark        []byte
	WatermarkVersion int
	NextCycleAt      time.Time
}

// Syncs stores pull sources, their watermarks and cycle leases.
type Syncs interface {
	// PutSource sets or replaces the pull source of a job and makes a cycle
	// due now. A changed source kind forgets the watermark.
	PutSource(ctx context.Context, jobID, kind string, config []byte, interval time.Duration) error
	// GetSyncState returns a job's pull source; ErrNotFound when the job
	// has none (an API-driven job).
	GetSyncState(ctx context.Context, jobID string) (SyncState, error)
	// ClaimCycle leases, to owner until now+lease, one job whose cycle is
	// due and whose lease is free or expired. ok is false when there is
	// none. Replicas sharing a database claim different jobs.
	ClaimCycle(ctx context.Context, owner string, now time.Time, lease time.Duration) (st SyncState, ok bool, err error)
	// ExtendLease keeps a running cycle's lease; ErrConflict when owner
	// lost it.
	ExtendLease(ctx context.Context, jobID, owner string, until time.Time) error
	// FinishCycle records the end of a cycle and releases the lease;
	// ErrConflict when owner lost it (another replica's cycle counts).
	FinishCycle(ctx context.Context, jobID, owner string, end CycleEnd) error
	// RequestCycle makes a job's next cycle due at the instant (now, after
	// an admin's restart).
	RequestCycle(ctx context.Context, jobID string, at time.Time) error
	// Digests returns the digest of each worker's last staged record.
	Digests(ctx context.Context, jobID string) (map[string]int64, error)
	// DueWakes returns wakes due at or before now, oldest first.
	DueWakes(ctx context.Context, now time.Time, limit int) ([]Wake, error)
	// DeleteWake removes a wake that was handled.
	DeleteWake(ctx context.Context, w Wake) error
}
