package sqlstore

import (
	"context"
	"errors"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	operationCreateSQL              = queryText("OperationCreate")
	operationGetByIDSQL             = queryText("OperationGetByID")
	operationGetByIdempotencyKeySQL = queryText("OperationGetByIdempotencyKey")
	operationLeaseAcquireSQL        = queryText("OperationLeaseAcquire")
	operationLeaseRenewSQL          = queryText("OperationLeaseRenew")
	operationListRecoverableSQL     = queryText("OperationListRecoverable")
	operationListTemplate           = queryTemplate("OperationList")
	operationRequestCancelSQL       = queryText("OperationRequestCancel")
	operationUpdateSQL              = queryText("OperationUpdate")
	operationWakeSQL                = queryText("OperationWake")
)

func scanOperation(rows Rows) (*store.Operation, error) {
	var (
		o                                                        store.Operation
		checkpoint, input, result                                *string
		createdAt, updatedAt                                     int64
		finishedAt, leaseExpiresAt, startedAt, timeoutAt, wakeAt *int64
	)
	if err := rows.Scan(&o.ID, &o.Attempt, &o.CancelRequested, &checkpoint, &createdAt, &o.Error, &finishedAt,
		&o.IdempotencyKey, &input, &leaseExpiresAt, &o.LeaseOwner, &o.LeaseToken, &o.MaxAttempts, &o.ParentID,
		&o.ProjectID, &o.ResourceID, &result, &startedAt, &o.State, &timeoutAt, &o.Type, &updatedAt, &wakeAt, &o.WakeSeq); err != nil {
		return nil, err
	}
	o.Checkpoint = fromJSON(checkpoint)
	o.CreatedAt = fromMicros(createdAt)
	o.FinishedAt = fromMicrosPtr(finishedAt)
	o.Input = fromJSON(input)
	o.LeaseExpiresAt = fromMicrosPtr(leaseExpiresAt)
	o.Result = fromJSON(result)
	o.StartedAt = fromMicrosPtr(startedAt)
	o.TimeoutAt = fromMicrosPtr(timeoutAt)
	o.UpdatedAt = fromMicros(updatedAt)
	o.WakeAt = fromMicrosPtr(wakeAt)
	return &o, nil
}

func (q *queries) OperationCreate(ctx context.Context, params *store.OperationCreateParams) (*store.Operation, error) {
	o, err := queryOne(ctx, q.writer, scanOperation, operationCreateSQL,
		params.ID, micros(params.Now), params.IdempotencyKey, jsonArg(params.Input), params.MaxAttempts,
		params.ParentID, params.ProjectID, params.ResourceID, microsArg(params.TimeoutAt), params.Type)
	if err != nil {
		return nil, q.fail("operation create", alreadyExistsIfNone(err))
	}
	return o, nil
}

func (q *queries) OperationGetByID(ctx context.Context, id string) (*store.Operation, error) {
	o, err := queryOne(ctx, q.reader, scanOperation, operationGetByIDSQL, id)
	if err != nil {
		return nil, q.fail("operation get by id", err)
	}
	return o, nil
}

func (q *queries) OperationGetByIdempotencyKey(ctx context.Context, params *store.OperationGetByIdempotencyKeyParams) (*store.Operation, error) {
	o, err := queryOne(ctx, q.reader, scanOperation, operationGetByIdempotencyKeySQL, params.ProjectID, params.Type, params.IdempotencyKey)
	if err != nil {
		return nil, q.fail("operation get by idempotency key", err)
	}
	return o, nil
}

func (q *queries) OperationLeaseAcquire(ctx context.Context, params *store.OperationLeaseAcquireParams) (*store.Operation, error) {
	o, err := queryOne(ctx, q.writer, scanOperation, operationLeaseAcquireSQL,
		params.ID, micros(params.ExpiresAt), params.Owner, params.Token, micros(params.Now))
	if err != nil {
		return nil, q.fail("operation lease acquire", q.leaseLostIfExists(ctx, params.ID, err))
	}
	return o, nil
}

func (q *queries) OperationLeaseRenew(ctx context.Context, params *store.OperationLeaseRenewParams) (*store.Operation, error) {
	o, err := queryOne(ctx, q.writer, scanOperation, operationLeaseRenewSQL, params.ID, params.Token, micros(params.ExpiresAt))
	if err != nil {
		return nil, q.fail("operation lease renew", q.leaseLostIfExists(ctx, params.ID, err))
	}
	return o, nil
}

func (q *queries) OperationList(ctx context.Context, params *store.OperationListParams) ([]*store.Operation, error) {
	sql, args, err := render(operationListTemplate, params)
	if err != nil {
		return nil, q.fail("operation list", err)
	}
	ops, err := queryAll(ctx, q.reader, scanOperation, sql, args...)
	if err != nil {
		return nil, q.fail("operation list", err)
	}
	return ops, nil
}

func (q *queries) OperationListRecoverable(ctx context.Context, params *store.OperationListRecoverableParams) ([]*store.Operation, error) {
	ops, err := queryAll(ctx, q.reader, scanOperation, operationListRecoverableSQL, micros(params.Now), limitArg(params.Limit))
	if err != nil {
		return nil, q.fail("operation list recoverable", err)
	}
	return ops, nil
}

// OperationRequestCancel returns a terminal operation unchanged (with
// CancelRequested as it was): the caller reads its State to tell "too
// late" from "requested".
func (q *queries) OperationRequestCancel(ctx context.Context, params *store.OperationRequestCancelParams) (*store.Operation, error) {
	o, err := queryOne(ctx, q.writer, scanOperation, operationRequestCancelSQL, params.ID, micros(params.Now))
	if errors.Is(err, store.ErrNotFound) {
		o, err = queryOne(ctx, q.writer, scanOperation, operationGetByIDSQL, params.ID)
	}
	if err != nil {
		return nil, q.fail("operation request cancel", err)
	}
	return o, nil
}

// OperationUpdate writes fenced on the lease token. A write without a token
// also clears an expired lease, so that the node which held it can no longer
// write with its old token.
func (q *queries) OperationUpdate(ctx context.Context, params *store.OperationUpdateParams) (*store.Operation, error) {
	release := params.ReleaseLease || params.LeaseToken == ""
	o, err := queryOne(ctx, q.writer, scanOperation, operationUpdateSQL,
		params.ID, params.Attempt, jsonArg(params.Checkpoint), params.Error, microsArg(params.FinishedAt),
		release, jsonArg(params.Result), microsArg(params.StartedAt), params.State, micros(params.Now),
		microsArg(params.WakeAt), params.LeaseToken)
	if err != nil {
		return nil, q.fail("operation update", q.leaseLostIfExists(ctx, params.ID, err))
	}
	return o, nil
}

// OperationWake returns a terminal operation unchanged.
func (q *queries) OperationWake(ctx context.Context, params *store.OperationWakeParams) (*store.Operation, error) {
	o, err := queryOne(ctx, q.writer, scanOperation, operationWakeSQL, params.ID, micros(params.Now))
	if errors.Is(err, store.ErrNotFound) {
		o, err = queryOne(ctx, q.writer, scanOperation, operationGetByIDSQL, params.ID)
	}
	if err != nil {
		return nil, q.fail("operation wake", err)
	}
	return o, nil
}

// leaseLostIfExists reads a fenced write that matched no row: the lease was
// lost when the operation exists, ErrNotFound when it does not.
func (q *queries) leaseLostIfExists(ctx context.Context, id string, err error) error {
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	found, existsErr := exists(ctx, q.writer, operationGetByIDSQL, id)
	if existsErr != nil {
		return existsErr
	}
	if found {
		return &store.LeaseLostError{OperationID: id}
	}
	return store.ErrNotFound
}
