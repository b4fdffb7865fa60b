package store

import (
	"context"
	"time"
)

// BootstrapToken is a single-use, expiring token an admin hands to one
// agent installation. Only a keyed hash of the token is stored.
type BootstrapToken struct {
	// ID names the token in listings; it is not secret.
	ID string
	// Hash is the HMAC-SHA256 of the token under the cloud's token key.
	Hash []byte
	// Domains are the AD domains (lower case) the enrolled agent may serve.
	Domains     []string
	Description string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// UsedAt and UsedBy (the agent ID) are set when the token is spent.
	UsedAt time.Time
	UsedBy string
}

// EnrolledAgent is an agent that exchanged a bootstrap token for a client
// certificate.
type EnrolledAgent struct {
	ID string
	// Domains are the AD domains (lower case) the agent may serve.
	Domains []string
	// Hostname is what the agent reported when it enrolled.
	Hostname string
	TokenID  string
	// Serial is the serial number (hex) of the agent's current certificate,
	// NotAfter its expiry.
	Serial   string
	NotAfter time.Time
	// PrevSerial is the certificate Serial replaced. It is still accepted
	// until Serial has been seen (SerialSeen), so an agent that lost the
	// answer to its renewal is not mistaken for a clone.
	PrevSerial string
	SerialSeen bool
	EnrolledAt time.Time
	RenewedAt  time.Time
	// RevokedAt is set once an admin revoked the agent.
	RevokedAt time.Time
	// Clone is the last time two hosts presented this identity.
	Clone CloneReport
}

// CloneReport says when and from where a second host presented an agent's
// identity.
type CloneReport struct {
	At time.Time
	// From is the remote address of the refused connection.
	From   string
	Reason string
}

// Enrollments stores bootstrap tokens and enrolled agents.
type Enrollments interface {
	// CreateBootstrapToken stores a token; ErrConflict for a duplicate ID
	// or hash.
	CreateBootstrapToken(ctx context.Context, t BootstrapToken) error
	// BootstrapTokenByHash returns the token with the hash; ErrNotFound.
	BootstrapTokenByHash(ctx context.Context, hash []byte) (BootstrapToken, error)
	// ListBootstrapTokens lists every token, newest first.
	ListBootstrapTokens(ctx context.Context) ([]BootstrapToken, error)
	// EnrollAgent spends the token with tokenHash (unused and not expired
	// at a.EnrolledAt) and stores a, in one transaction. A revoked agent
	// with the same ID is replaced. ErrConflict when the token cannot be
	// spent or a live (unrevoked) agent has the ID; nothing changes then.
	EnrollAgent(ctx context.Context, tokenHash []byte, a EnrolledAgent) error
	// GetAgent returns an enrolled agent; ErrNotFound.
	GetAgent(ctx context.Context, id string) (EnrolledAgent, error)
	// ListAgents lists enrolled agents by ID.
	ListAgents(ctx context.Context) ([]EnrolledAgent, error)
	// RotateAgent makes next the agent's current certificate serial.
	// presented is the serial the agent authenticated with: the current
	// one, or the previous one while the current has not been seen.
	// ErrConflict otherwise or when the agent is revoked; ErrNotFound.
	RotateAgent(ctx context.Context, id, presented, next string, notAfter, at time.Time) error
	// MarkSerialSeen records that the agent presented its current serial.
	MarkSerialSeen(ctx context.Context, id, serial string) error
	// RevokeAgent revokes an agent (again: no change); ErrNotFound.
	RevokeAgent(ctx context.Context, id string, at time.Time) error
	// ReportClone records a clone report on the agent; ErrNotFound.
	ReportClone(ctx context.Context, id string, r CloneReport) error
}
