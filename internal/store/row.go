package store

import (
	"encoding/json"
	"time"
)

// Rows. Timestamps are UTC and kept to the microsecond. JSON columns are
// raw JSON; nil means SQL NULL.

// Credential is an access key pair (type "access_key": Access is the AK,
// Secret the SK used to verify request signatures) or an API key (type
// "api_key": Access is the key's public id, SecretHash the hash of the
// whole key).
type Credential struct {
	ID          string
	Access      string
	CreatedAt   time.Time
	Description string
	ExpiresAt   *time.Time
	ProjectID   string
	RevokedAt   *time.Time
	Secret      string
	SecretHash  string
	Type        string
	UserID      string
}

type Domain struct {
	ID        string
	CreatedAt time.Time
	Enabled   bool
	Name      string
}

// Event is one entry of the append-only log.
type Event struct {
	ID           string
	Action       string
	CreatedAt    time.Time
	Data         json.RawMessage
	OperationID  string
	PhysicalID   string
	ProjectID    string
	Reason       string
	ResourceID   string
	ResourceName string
	ResourceType string
	Seq          int64 // per-project order, from 1
	Status       string
	Type         string // what happened, e.g. "resource.state", "operation.step"
}

// EventUnderParent is what EventGetUnderParent reads: the parent's
// identity (not its JSON columns), the id of its live child of the asked
// name ("" when none; the lowest id if several) and the event (nil when
// the parent's project has no event of that id).
type EventUnderParent struct {
	ChildID         string
	Event           *Event
	ParentName      string
	ParentProjectID string
	ParentType      string
}

// Operation is one durable unit of asynchronous work.
type Operation struct {
	ID              string
	Attempt         int
	CancelRequested bool
	Checkpoint      json.RawMessage
	CreatedAt       time.Time
	Error           string
	FinishedAt      *time.Time
	IdempotencyKey  string
	Input           json.RawMessage
	LeaseExpiresAt  *time.Time
	LeaseOwner      string
	LeaseToken      string
	MaxAttempts     int
	ParentID        string
	ProjectID       string
	ResourceID      string
	Result          json.RawMessage
	StartedAt       *time.Time
	State           string
	TimeoutAt       *time.Time
	Type            string
	UpdatedAt       time.Time
	WakeAt          *time.Time
	WakeSeq         int64 // bumped by OperationWake
}

type Project struct {
	ID          string
	CreatedAt   time.Time
	Description string
	DomainID    string
	Enabled     bool
	Name        string
}

// Resource is any managed object: a stack, a server, a deployment.
type Resource struct {
	ID           string
	Action       string
	Attributes   json.RawMessage
	CreatedAt    time.Time
	DeletedAt    *time.Time
	Name         string
	ParentID     string
	PhysicalID   string
	ProjectID    string
	Properties   json.RawMessage
	Status       string
	StatusReason string
	Type         string
	UpdatedAt    time.Time
	Version      int64
}

type Role struct {
	ID   string
	Name string
}

// Signal is a durable message to a target (an operation or a resource id).
type Signal struct {
	ID             string
	ConsumedAt     *time.Time
	CreatedAt      time.Time
	Data           json.RawMessage
	IdempotencyKey string
	ProjectID      string
	TargetID       string
}

// Token is an issued authentication token; only its hash is stored.
type Token struct {
	Hash      string
	AuditID   string
	ExpiresAt time.Time
	IssuedAt  time.Time
	Methods   []string
	ProjectID string // empty for an unscoped token
	RevokedAt *time.Time
	UserID    string
}

type User struct {
	ID           string
	CreatedAt    time.Time
	DomainID     string
	Enabled      bool
	Name         string
	PasswordHash string
}

// Operation states as stored. The engine owns their meaning; the store
// needs them for lease and recovery queries.
const (
	OperationStateCancelled = "cancelled"
	OperationStateFailed    = "failed"
	OperationStatePending   = "pending"
	OperationStateRunning   = "running"
	OperationStateSucceeded = "succeeded"
	OperationStateWaiting   = "waiting"
)
