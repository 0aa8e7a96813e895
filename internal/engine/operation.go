package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// OperationState is where an operation is in its life.
type OperationState string

const (
	// OperationStateCancelled is final; set by the runner after a cancel
	// request.
	OperationStateCancelled OperationState = store.OperationStateCancelled
	// OperationStateFailed is final; set by the runner when the handler
	// fails, retries run out or the deadline passes.
	OperationStateFailed OperationState = store.OperationStateFailed
	// OperationStatePending is set by Submit, by a wake-up and by a retry;
	// the runner moves it to running.
	OperationStatePending OperationState = store.OperationStatePending
	// OperationStateRunning is set by the runner while a handler runs.
	OperationStateRunning OperationState = store.OperationStateRunning
	// OperationStateSucceeded is final; set by the runner when the handler
	// returns nil.
	OperationStateSucceeded OperationState = store.OperationStateSucceeded
	// OperationStateWaiting is set by the runner when the handler returns
	// Run.Wait; a signal or its wake time moves it back to pending.
	OperationStateWaiting OperationState = store.OperationStateWaiting
)

// Terminal reports whether no further change can happen.
func (s OperationState) Terminal() bool {
	return s == OperationStateSucceeded || s == OperationStateFailed || s == OperationStateCancelled
}

// Operation is a durable unit of asynchronous work.
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
	MaxAttempts     int
	ParentID        string
	ProjectID       string
	ResourceID      string
	Result          json.RawMessage
	StartedAt       *time.Time
	State           OperationState
	TimeoutAt       *time.Time
	Type            string
	UpdatedAt       time.Time
	WakeAt          *time.Time
}

func operationFromRow(r *store.Operation) *Operation {
	return &Operation{
		ID: r.ID, Attempt: r.Attempt, CancelRequested: r.CancelRequested, Checkpoint: r.Checkpoint,
		CreatedAt: r.CreatedAt, Error: r.Error, FinishedAt: r.FinishedAt, IdempotencyKey: r.IdempotencyKey,
		Input: r.Input, MaxAttempts: r.MaxAttempts, ParentID: r.ParentID, ProjectID: r.ProjectID,
		ResourceID: r.ResourceID, Result: r.Result, StartedAt: r.StartedAt, State: OperationState(r.State),
		TimeoutAt: r.TimeoutAt, Type: r.Type, UpdatedAt: r.UpdatedAt, WakeAt: r.WakeAt,
	}
}

// Handler does the work of one operation type. Run is called again after a
// crash, a retry or a wake-up; it must read its progress from
// Run.Checkpoint and commit each step with Run.Step. Its return value
// decides what happens next (see the package doc).
type Handler interface {
	Run(ctx context.Context, run *Run) error
}

// Finisher is an optional interface of a Handler. Finish is called in the
// transaction that ends the operation failed or cancelled (by the handler's
// error, its deadline, retries running out or a cancel request), so the
// domain settles its own records (a stack's CREATE_FAILED) in the same
// commit: nothing is left IN_PROGRESS when its operation has ended.
type Finisher interface {
	Finish(ctx context.Context, tx *Tx, op *Operation, reason string) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, run *Run) error

func (f HandlerFunc) Run(ctx context.Context, run *Run) error { return f(ctx, run) }

// SubmitParams describes a new operation.
type SubmitParams struct {
	ID             string // empty: generated
	IdempotencyKey string // a second Submit with the same key returns the first operation
	Input          any    // marshalled to JSON
	MaxAttempts    int    // default 5
	ParentID       string
	ProjectID      string
	ResourceID     string
	Timeout        time.Duration // zero: none
	Type           string
}

// Submit creates an operation and its job in the transaction. created is
// false when IdempotencyKey named an existing operation, which is returned.
func (tx *Tx) Submit(ctx context.Context, p *SubmitParams) (op *Operation, created bool, err error) {
	const name = "operation.submit"
	if p.ProjectID == "" || p.Type == "" {
		return nil, false, Invalid(name, "project and type are required")
	}
	if _, ok := tx.e.handlers[p.Type]; !ok {
		return nil, false, Invalid(name, "unknown operation type %q", p.Type)
	}
	if p.IdempotencyKey != "" {
		row, err := tx.st.OperationGetByIdempotencyKey(ctx, &store.OperationGetByIdempotencyKeyParams{
			IdempotencyKey: p.IdempotencyKey, ProjectID: p.ProjectID, Type: p.Type,
		})
		if err == nil {
			return operationFromRow(row), false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, FromStore(name, err)
		}
	}
	input, err := json.Marshal(p.Input)
	if err != nil {
		return nil, false, Invalid(name, "input is not JSON: %v", err)
	}
	id := p.ID
	if id == "" {
		id = NewUUID()
	}
	maxAttempts := p.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 5
	}
	var timeoutAt *time.Time
	if p.Timeout > 0 {
		t := tx.now.Add(p.Timeout)
		timeoutAt = &t
	}
	row, err := tx.st.OperationCreate(ctx, &store.OperationCreateParams{
		ID: id, IdempotencyKey: p.IdempotencyKey, Input: input, MaxAttempts: maxAttempts, Now: tx.now,
		ParentID: p.ParentID, ProjectID: p.ProjectID, ResourceID: p.ResourceID, TimeoutAt: timeoutAt, Type: p.Type,
	})
	if err != nil {
		return nil, false, FromStore(name, err)
	}
	if err := tx.enqueue(ctx, id, time.Time{}); err != nil {
		return nil, false, FromStore(name, err)
	}
	op = operationFromRow(row)
	if _, err := tx.appendOperationEvent(ctx, op, ""); err != nil {
		return nil, false, err
	}
	tx.e.metrics.operations.WithLabelValues(op.Type, string(op.State)).Inc()
	return op, true, nil
}

// Submit creates an operation in its own transaction; see Tx.Submit. Two
// concurrent Submits with one IdempotencyKey return the same operation.
func (e *Engine) Submit(ctx context.Context, p *SubmitParams) (op *Operation, created bool, err error) {
	err = e.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		op, created, err = tx.Submit(ctx, p)
		return err
	})
	if err != nil && p.IdempotencyKey != "" && errors.Is(err, store.ErrAlreadyExists) {
		row, gerr := e.store.OperationGetByIdempotencyKey(ctx, &store.OperationGetByIdempotencyKeyParams{
			IdempotencyKey: p.IdempotencyKey, ProjectID: p.ProjectID, Type: p.Type,
		})
		if gerr == nil {
			return operationFromRow(row), false, nil
		}
	}
	return op, created, err
}

// GetOperation reads an operation; KindNotFound when absent or in another
// project (projectID "" skips the check).
func (e *Engine) GetOperation(ctx context.Context, projectID, id string) (*Operation, error) {
	const name = "operation.get"
	row, err := e.store.OperationGetByID(ctx, id)
	if err != nil || (projectID != "" && row.ProjectID != projectID) {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return nil, NotFound(name, "operation", id)
		}
		return nil, FromStore(name, err)
	}
	return operationFromRow(row), nil
}

// OperationListParams filters operations; see store.OperationListParams.
type OperationListParams struct {
	AfterID   string
	Limit     int
	ParentID  string
	ProjectID string
	State     OperationState
	Type      string
}

// ListOperations lists operations in creation order.
func (e *Engine) ListOperations(ctx context.Context, p *OperationListParams) ([]*Operation, error) {
	rows, err := e.store.OperationList(ctx, &store.OperationListParams{
		AfterID: p.AfterID, Limit: p.Limit, ParentID: p.ParentID, ProjectID: p.ProjectID,
		State: string(p.State), Type: p.Type,
	})
	if err != nil {
		return nil, FromStore("operation.list", err)
	}
	out := make([]*Operation, len(rows))
	for i, r := range rows {
		out[i] = operationFromRow(r)
	}
	return out, nil
}

// Cancel asks an operation to stop. An idle one ends cancelled as soon as a
// worker picks it up; a running one has its handler's context cancelled
// (at once on this node, within a heartbeat elsewhere). Cancelling a
// finished operation is KindConflict.
func (e *Engine) Cancel(ctx context.Context, projectID, id string) (*Operation, error) {
	const name = "operation.cancel"
	if _, err := e.GetOperation(ctx, projectID, id); err != nil {
		return nil, err
	}
	var op *Operation
	err := e.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		row, err := tx.st.OperationRequestCancel(ctx, &store.OperationRequestCancelParams{ID: id, Now: tx.now})
		if err != nil {
			return err
		}
		if OperationState(row.State).Terminal() {
			return Conflict(name, "operation %s is already %s", id, row.State)
		}
		op = operationFromRow(row)
		return tx.Wake(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	e.cancelLocal(id)
	return op, nil
}

func (tx *Tx) appendOperationEvent(ctx context.Context, op *Operation, reason string) (*Event, error) {
	return tx.AppendEvent(ctx, &EventParams{
		Type: EventTypeOperationState, ProjectID: op.ProjectID, OperationID: op.ID, ResourceID: op.ResourceID,
		ResourceType: op.Type, Status: string(op.State), Reason: reason,
	})
}
