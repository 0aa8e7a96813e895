package sqlstore

import (
	"context"
	"errors"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	signalConsumeTemplate        = queryTemplate("SignalConsume")
	signalCreateSQL              = queryText("SignalCreate")
	signalGetByIdempotencyKeySQL = queryText("SignalGetByIdempotencyKey")
	signalListSQL                = queryText("SignalList")
)

func scanSignal(rows Rows) (*store.Signal, error) {
	var (
		s          store.Signal
		consumedAt *int64
		createdAt  int64
		data       *string
	)
	if err := rows.Scan(&s.ID, &consumedAt, &createdAt, &data, &s.IdempotencyKey, &s.ProjectID, &s.TargetID); err != nil {
		return nil, err
	}
	s.ConsumedAt = fromMicrosPtr(consumedAt)
	s.CreatedAt = fromMicros(createdAt)
	s.Data = fromJSON(data)
	return &s, nil
}

func (q *queries) SignalConsume(ctx context.Context, params *store.SignalConsumeParams) error {
	if len(params.IDs) == 0 {
		return nil
	}
	sql, args, err := render(signalConsumeTemplate, params)
	if err != nil {
		return q.fail("signal consume", err)
	}
	if _, err := q.writer.Exec(ctx, sql, args...); err != nil {
		return q.fail("signal consume", err)
	}
	return nil
}

// SignalCreate inserts unless the id or the target's idempotency key is
// taken. A taken key returns the stored signal; a taken id alone is
// ErrAlreadyExists.
func (q *queries) SignalCreate(ctx context.Context, params *store.SignalCreateParams) (*store.Signal, bool, error) {
	s, err := queryOne(ctx, q.writer, scanSignal, signalCreateSQL,
		params.ID, micros(params.Now), jsonArg(params.Data), params.IdempotencyKey, params.ProjectID, params.TargetID)
	if err == nil {
		return s, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, false, q.fail("signal create", err)
	}
	if params.IdempotencyKey != "" {
		s, err = queryOne(ctx, q.writer, scanSignal, signalGetByIdempotencyKeySQL, params.TargetID, params.IdempotencyKey)
		if err == nil {
			return s, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, q.fail("signal create", err)
		}
	}
	return nil, false, q.fail("signal create", store.ErrAlreadyExists)
}

func (q *queries) SignalList(ctx context.Context, params *store.SignalListParams) ([]*store.Signal, error) {
	ss, err := queryAll(ctx, q.reader, scanSignal, signalListSQL, params.TargetID, params.OnlyPending)
	if err != nil {
		return nil, q.fail("signal list", err)
	}
	return ss, nil
}
