package store

import (
	"encoding/json"
	"time"
)

type CredentialCreateParams struct {
	ID          string
	Access      string
	Description string
	ExpiresAt   *time.Time
	Now         time.Time
	ProjectID   string
	Secret      string
	SecretHash  string
	Type        string
	UserID      string
}

type CredentialRevokeParams struct {
	ID  string
	Now time.Time
}

type DomainCreateParams struct {
	ID      string
	Enabled bool
	Name    string
	Now     time.Time
}

type EventAppendParams struct {
	ID           string
	Action       string
	Data         json.RawMessage
	Now          time.Time
	OperationID  string
	PhysicalID   string
	ProjectID    string
	Reason       string
	ResourceID   string
	ResourceName string
	ResourceType string
	Status       string
	Type         string
}

// EventGetByIDParams finds an event by id within one project.
type EventGetByIDParams struct {
	ID        string
	ProjectID string
}

// EventGetUnderParentParams reads, in one statement, a resource (the
// parent), the event ID of the parent's project, and the id of the parent's
// live child named ChildName.
type EventGetUnderParentParams struct {
	ChildName string
	ID        string
	ParentID  string
}

// EventListParams filters on every non-empty field; the list fields match
// any of their values. Limit 0 means no limit.
//
// ResourceIDs and ChildrenOf together select events by resource: those of
// one of ResourceIDs or of a direct child of one of ChildrenOf
// (resources.parent_id), so a parent's events and its children's are read
// in one statement without listing the children first.
//
// ResourceTypeAliases renames recorded resource types (key) for the
// ResourceTypes filter and the SortByResourceType order, so that a caller
// that shows a type under another name filters and sorts by the name it
// shows.
//
// The order is Seq, ascending or Descending; SortByResourceType puts the
// (aliased) resource type first, compared byte by byte, in the same
// direction. Marker pages by keyset: the list starts strictly after the
// event with that id in this order. The marker event must pass every other
// filter, or EventList fails with ErrNotFound. Marker needs ProjectID
// (Seq is unique per project).
// EventPurgeParams selects events as EventListParams's ResourceIDs and
// ChildrenOf do (the resources' own and their direct children's), in a
// project; Keep and Over are at least 1, Keep at most Over.
type EventPurgeParams struct {
	ChildrenOf  []string
	Keep        int
	Over        int
	ProjectID   string
	ResourceIDs []string
}

type EventListParams struct {
	Actions             []string
	AfterSeq            int64
	BeforeSeq           int64
	ChildrenOf          []string
	Descending          bool
	ExcludeActions      []string
	Limit               int
	Marker              string
	OperationID         string
	ProjectID           string
	ResourceIDs         []string
	ResourceNames       []string
	ResourceTypeAliases map[string]string
	ResourceTypes       []string
	SortByResourceType  bool
	Statuses            []string
	Types               []string
}

type OperationCreateParams struct {
	ID             string
	IdempotencyKey string // empty: none; else unique per project and type
	Input          json.RawMessage
	MaxAttempts    int
	Now            time.Time
	ParentID       string
	ProjectID      string
	ResourceID     string
	TimeoutAt      *time.Time
	Type           string
}

type OperationGetByIdempotencyKeyParams struct {
	IdempotencyKey string
	ProjectID      string
	Type           string
}

type OperationLeaseAcquireParams struct {
	ID        string
	ExpiresAt time.Time
	Now       time.Time
	Owner     string
	Token     string
}

type OperationLeaseRenewParams struct {
	ID        string
	ExpiresAt time.Time
	Token     string
}

// OperationListParams filters on every non-empty field; AfterID pages.
type OperationListParams struct {
	AfterID   string
	Limit     int
	ParentID  string
	ProjectID string
	State     string
	Type      string
}

type OperationListRecoverableParams struct {
	Limit int
	Now   time.Time
}

type OperationRequestCancelParams struct {
	ID  string
	Now time.Time
}

// OperationUpdateParams sets every field it names. Checkpoint and Result
// nil keep the stored value. ReleaseLease clears the lease in the same write.
type OperationUpdateParams struct {
	ID           string
	Attempt      int
	Checkpoint   json.RawMessage
	Error        string
	FinishedAt   *time.Time
	LeaseToken   string
	Now          time.Time
	ReleaseLease bool
	Result       json.RawMessage
	StartedAt    *time.Time
	State        string
	WakeAt       *time.Time
}

type OperationWakeParams struct {
	ID  string
	Now time.Time
}

type ProjectCreateParams struct {
	ID          string
	Description string
	DomainID    string
	Enabled     bool
	Name        string
	Now         time.Time
}

type ProjectGetByNameParams struct {
	DomainID string
	Name     string
}

type ProjectListParams struct {
	DomainID string // empty: all domains
}

type ResourceCreateParams struct {
	ID           string
	Action       string
	Attributes   json.RawMessage
	Name         string
	Now          time.Time
	ParentID     string
	PhysicalID   string
	ProjectID    string
	Properties   json.RawMessage
	Status       string
	StatusReason string
	Type         string
	// UniqueKey, when not empty, must be unique among the project's live
	// (not deleted) resources: a second create gets ErrAlreadyExists.
	UniqueKey string
}

type ResourceDeleteParams struct {
	ID string
}

// ResourceListParams filters on every non-empty field; AfterID pages in ID
// order. IncludeDeleted also lists rows with DeletedAt set.
type ResourceListParams struct {
	AfterID        string
	IncludeDeleted bool
	Limit          int
	Name           string
	ParentID       string
	ProjectID      string
	Type           string
}

// ResourceUpdateParams replaces the mutable fields of a resource.
type ResourceUpdateParams struct {
	ID              string
	Action          string
	Attributes      json.RawMessage
	DeletedAt       *time.Time
	ExpectedVersion int64
	Now             time.Time
	PhysicalID      string
	Properties      json.RawMessage
	Status          string
	StatusReason    string
}

type RoleAssignmentCreateParams struct {
	ProjectID string
	RoleID    string
	UserID    string
}

type RoleAssignmentListParams struct {
	ProjectID string
	UserID    string
}

type RoleCreateParams struct {
	ID   string
	Name string
}

type SignalConsumeParams struct {
	IDs []string
	Now time.Time
}

type SignalCreateParams struct {
	ID             string
	Data           json.RawMessage
	IdempotencyKey string
	Now            time.Time
	ProjectID      string
	TargetID       string
}

type SignalListParams struct {
	OnlyPending bool
	TargetID    string
}

type TokenCreateParams struct {
	Hash      string
	AuditID   string
	ExpiresAt time.Time
	IssuedAt  time.Time
	Methods   []string
	ProjectID string
	UserID    string
}

type TokenRevokeParams struct {
	Hash string
	Now  time.Time
}

type UserCreateParams struct {
	ID           string
	DomainID     string
	Enabled      bool
	Name         string
	Now          time.Time
	PasswordHash string
}

type UserGetByNameParams struct {
	DomainID string
	Name     string
}

type UserUpdatePasswordParams struct {
	ID           string
	PasswordHash string
}
