package store

import (
	"context"
	"time"
)

// Store is a handle on one Kiln database. Reads made directly on a Store see
// committed data; writes that must commit together go through InTx.
type Store interface {
	Querier

	// Backend names the implementation: "sqlite" or "postgres".
	Backend() string

	// Close stops the queue if it runs and releases every connection.
	Close() error

	// InTx runs fn in one transaction and commits when fn returns nil. When
	// fn returns an error or panics the transaction rolls back and the
	// error (or panic) is passed on. ErrBusy from the commit means nothing
	// was written.
	InTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// QueueStart starts working River jobs: each job calls cfg.WorkFunc with
	// its operation id. It returns once the workers run.
	QueueStart(ctx context.Context, cfg *QueueConfig) error

	// QueueStop stops fetching new jobs and waits for running ones until ctx
	// ends.
	QueueStop(ctx context.Context) error
}

// Tx is one open transaction. Its methods see the transaction's own writes.
type Tx interface {
	Querier

	// JobInsert enqueues a River job that will call QueueConfig.WorkFunc for
	// the operation once ScheduledAt has passed. It commits with the
	// transaction.
	JobInsert(ctx context.Context, params *JobInsertParams) error
}

// Querier holds every query, in alphabetical order. Both Store and Tx
// implement it.
type Querier interface {
	CredentialCreate(ctx context.Context, params *CredentialCreateParams) (*Credential, error)
	CredentialGetByAccess(ctx context.Context, access string) (*Credential, error)
	CredentialListByUser(ctx context.Context, userID string) ([]*Credential, error)
	CredentialRevoke(ctx context.Context, params *CredentialRevokeParams) error

	DomainCreate(ctx context.Context, params *DomainCreateParams) (*Domain, error)
	DomainGetByID(ctx context.Context, id string) (*Domain, error)
	DomainGetByName(ctx context.Context, name string) (*Domain, error)

	// EventAppend writes one event and gives it the next sequence number of
	// its project (Seq, strictly increasing per project in commit order).
	EventAppend(ctx context.Context, params *EventAppendParams) (*Event, error)
	EventGetByID(ctx context.Context, params *EventGetByIDParams) (*Event, error)
	// EventGetUnderParent answers "is this event one of this resource's or
	// of its child's" in one read; ErrNotFound when the parent does not
	// exist.
	EventGetUnderParent(ctx context.Context, params *EventGetUnderParentParams) (*EventUnderParent, error)
	// EventList filters a project's events and pages them by keyset: by
	// Seq (after AfterSeq ascending, or before BeforeSeq descending when
	// Descending is set), or after the Marker event in the requested order;
	// see EventListParams.
	EventList(ctx context.Context, params *EventListParams) ([]*Event, error)
	// EventPurge deletes old events of some resources (retention): when
	// they have more than Over events, all but the Keep newest go. It
	// returns how many went.
	EventPurge(ctx context.Context, params *EventPurgeParams) (int64, error)

	// OperationCreate inserts an operation in state pending.
	OperationCreate(ctx context.Context, params *OperationCreateParams) (*Operation, error)
	OperationGetByID(ctx context.Context, id string) (*Operation, error)
	// OperationGetByIdempotencyKey finds the operation a project created with
	// the same type and key.
	OperationGetByIdempotencyKey(ctx context.Context, params *OperationGetByIdempotencyKeyParams) (*Operation, error)
	// OperationLeaseAcquire takes the lease of an operation that is due
	// when no lease is held or the held one expired at Now. Due means not
	// terminal, and: cancel requested, or WakeAt at or before Now, or no
	// WakeAt and not waiting (a parked operation is not due until woken).
	// It returns the operation with the new lease, ErrNotFound when the
	// operation does not exist, and *LeaseLostError otherwise.
	OperationLeaseAcquire(ctx context.Context, params *OperationLeaseAcquireParams) (*Operation, error)
	// OperationLeaseRenew pushes the expiry of a held lease; *LeaseLostError
	// when the token is no longer current. It also returns the operation's
	// current CancelRequested flag.
	OperationLeaseRenew(ctx context.Context, params *OperationLeaseRenewParams) (*Operation, error)
	// OperationList lists operations by project, parent, state or type, in
	// creation order, with keyset pagination on ID.
	OperationList(ctx context.Context, params *OperationListParams) ([]*Operation, error)
	// OperationListRecoverable lists non-terminal operations that should be
	// run now: pending or running with an expired (or no) lease, or waiting
	// with WakeAt at or before Now.
	OperationListRecoverable(ctx context.Context, params *OperationListRecoverableParams) ([]*Operation, error)
	// OperationRequestCancel sets CancelRequested on a non-terminal
	// operation and returns it.
	OperationRequestCancel(ctx context.Context, params *OperationRequestCancelParams) (*Operation, error)
	// OperationWake records that something the operation waits for arrived:
	// it increments WakeSeq and, when the operation is waiting, makes it
	// pending with WakeAt = Now. It always writes the row (so on PostgreSQL
	// it takes the row lock), which makes it race-free against a worker
	// that is about to park the operation: the worker compares the WakeSeq
	// it started with to the one its own fenced OperationUpdate returns.
	// ErrNotFound when absent; a terminal operation is returned unchanged.
	OperationWake(ctx context.Context, params *OperationWakeParams) (*Operation, error)
	// OperationUpdate writes a new state, checkpoint and so on, fenced by
	// LeaseToken (*LeaseLostError when stale). An empty LeaseToken means
	// the caller holds no lease: then the write applies only while no live
	// lease is held (for cancelling or waking an idle operation).
	OperationUpdate(ctx context.Context, params *OperationUpdateParams) (*Operation, error)

	ProjectCreate(ctx context.Context, params *ProjectCreateParams) (*Project, error)
	ProjectGetByID(ctx context.Context, id string) (*Project, error)
	ProjectGetByName(ctx context.Context, params *ProjectGetByNameParams) (*Project, error)
	ProjectList(ctx context.Context, params *ProjectListParams) ([]*Project, error)
	// ProjectListByUser lists the projects on which the user holds a role.
	ProjectListByUser(ctx context.Context, userID string) ([]*Project, error)

	ResourceCreate(ctx context.Context, params *ResourceCreateParams) (*Resource, error)
	ResourceDelete(ctx context.Context, params *ResourceDeleteParams) error
	ResourceGetByID(ctx context.Context, id string) (*Resource, error)
	ResourceList(ctx context.Context, params *ResourceListParams) ([]*Resource, error)
	// ResourceUpdate writes when ExpectedVersion is the row's version and
	// bumps the version; ErrStale otherwise, ErrNotFound when absent.
	ResourceUpdate(ctx context.Context, params *ResourceUpdateParams) (*Resource, error)

	// RoleAssignmentCreate grants a role; granting it again is not an error.
	RoleAssignmentCreate(ctx context.Context, params *RoleAssignmentCreateParams) error
	// RoleAssignmentList lists the roles a user holds on a project.
	RoleAssignmentList(ctx context.Context, params *RoleAssignmentListParams) ([]*Role, error)
	RoleCreate(ctx context.Context, params *RoleCreateParams) (*Role, error)
	RoleGetByName(ctx context.Context, name string) (*Role, error)

	// SignalConsume marks signals consumed at Now.
	SignalConsume(ctx context.Context, params *SignalConsumeParams) error
	// SignalCreate stores a signal. When the target already has a signal
	// with the same IdempotencyKey it returns that one and created=false.
	SignalCreate(ctx context.Context, params *SignalCreateParams) (signal *Signal, created bool, err error)
	// SignalList lists a target's signals in arrival order.
	SignalList(ctx context.Context, params *SignalListParams) ([]*Signal, error)

	TokenCreate(ctx context.Context, params *TokenCreateParams) (*Token, error)
	TokenGetByHash(ctx context.Context, hash string) (*Token, error)
	TokenRevoke(ctx context.Context, params *TokenRevokeParams) error

	UserCreate(ctx context.Context, params *UserCreateParams) (*User, error)
	UserGetByID(ctx context.Context, id string) (*User, error)
	UserGetByName(ctx context.Context, params *UserGetByNameParams) (*User, error)
	// UserUpdatePassword replaces the password hash.
	UserUpdatePassword(ctx context.Context, params *UserUpdatePasswordParams) error
}

// QueueConfig configures the workers QueueStart runs.
type QueueConfig struct {
	// FetchCooldown and FetchPollInterval tune River's fetch loop; zero
	// picks 5 ms and 20 ms, which keep a job's start within tens of
	// milliseconds of its insert on SQLite.
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration

	// MaxWorkers bounds how many operations run at once on this node.
	// Zero picks 100.
	MaxWorkers int

	// WorkFunc runs one job. An error makes River retry the job with
	// backoff; the operation's own state decides what a rerun does.
	WorkFunc func(ctx context.Context, operationID string) error
}

// JobInsertParams names the operation a job will run and when.
type JobInsertParams struct {
	OperationID string
	ScheduledAt time.Time // zero: now
}
