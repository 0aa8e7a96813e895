package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// Signal is a durable message to a target: a resource or an operation.
type Signal struct {
	ID             string
	ConsumedAt     *time.Time
	CreatedAt      time.Time
	Data           json.RawMessage
	IdempotencyKey string
	ProjectID      string
	TargetID       string
}

func signalFromRow(r *store.Signal) *Signal {
	return &Signal{
		ID: r.ID, ConsumedAt: r.ConsumedAt, CreatedAt: r.CreatedAt, Data: r.Data,
		IdempotencyKey: r.IdempotencyKey, ProjectID: r.ProjectID, TargetID: r.TargetID,
	}
}

// SignalParams describes a signal to send.
type SignalParams struct {
	Data json.RawMessage
	// IdempotencyKey makes a retried delivery count once per target. Empty:
	// every delivery counts (a fresh key is made).
	IdempotencyKey string
	ProjectID      string
	// Event, when set, is the event to append for the signal (a domain's
	// own form); nil appends a generic "signal" event labelled with
	// ResourceName and ResourceType.
	Event        *EventParams
	ResourceName string
	ResourceType string
	TargetID     string
	// WakeOperationID names the operation waiting for this signal, if any.
	WakeOperationID string
}

// Signal stores a signal, appends its event and wakes the waiting
// operation, all in the transaction. created is false when the key was
// seen before; then the first signal is returned and nothing else happens.
func (tx *Tx) Signal(ctx context.Context, p *SignalParams) (sig *Signal, created bool, err error) {
	const op = "signal.send"
	if p.ProjectID == "" || p.TargetID == "" {
		return nil, false, Invalid(op, "project and target are required")
	}
	key := p.IdempotencyKey
	if key == "" {
		key = NewUUID()
	}
	row, created, err := tx.st.SignalCreate(ctx, &store.SignalCreateParams{
		ID: NewUUID(), Data: p.Data, IdempotencyKey: key, Now: tx.now, ProjectID: p.ProjectID, TargetID: p.TargetID,
	})
	if err != nil {
		return nil, false, FromStore(op, err)
	}
	sig = signalFromRow(row)
	if !created {
		return sig, false, nil
	}
	ev := p.Event
	if ev == nil {
		ev = &EventParams{
			Type: EventTypeSignal, ProjectID: p.ProjectID, ResourceID: p.TargetID, ResourceName: p.ResourceName,
			ResourceType: p.ResourceType, OperationID: p.WakeOperationID, Data: p.Data, Reason: "signal received",
		}
	}
	if _, err := tx.AppendEvent(ctx, ev); err != nil {
		return nil, false, err
	}
	if p.WakeOperationID != "" {
		if err := tx.Wake(ctx, p.WakeOperationID); err != nil {
			return nil, false, err
		}
	}
	return sig, true, nil
}

// Signal sends a signal in its own transaction; see Tx.Signal.
func (e *Engine) Signal(ctx context.Context, p *SignalParams) (sig *Signal, created bool, err error) {
	err = e.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		sig, created, err = tx.Signal(ctx, p)
		return err
	})
	return sig, created, err
}

// PendingSignals lists a target's signals not yet consumed, oldest first.
func (tx *Tx) PendingSignals(ctx context.Context, targetID string) ([]*Signal, error) {
	return listSignals(ctx, tx.st, targetID, true)
}

// ListSignals lists all of a target's committed signals, oldest first.
func (e *Engine) ListSignals(ctx context.Context, targetID string) ([]*Signal, error) {
	return listSignals(ctx, e.store, targetID, false)
}

func listSignals(ctx context.Context, q store.Querier, targetID string, pending bool) ([]*Signal, error) {
	rows, err := q.SignalList(ctx, &store.SignalListParams{OnlyPending: pending, TargetID: targetID})
	if err != nil {
		return nil, FromStore("signal.list", err)
	}
	out := make([]*Signal, len(rows))
	for i, r := range rows {
		out[i] = signalFromRow(r)
	}
	return out, nil
}

// ConsumeSignals marks signals handled, in the transaction.
func (tx *Tx) ConsumeSignals(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return FromStore("signal.consume", tx.st.SignalConsume(ctx, &store.SignalConsumeParams{IDs: ids, Now: tx.now}))
}

// Wake bumps the operation's wake sequence and, when it was waiting, gives
// it a job to run now, in the transaction: a waiting operation re-runs
// once the transaction commits, and a running one runs again when its
// current pass ends (no wake-up is lost).
func (tx *Tx) Wake(ctx context.Context, opID string) error {
	row, err := tx.st.OperationWake(ctx, &store.OperationWakeParams{ID: opID, Now: tx.now})
	if err != nil {
		return FromStore("operation.wake", err)
	}
	if row.State == store.OperationStatePending {
		return FromStore("operation.wake", tx.enqueue(ctx, opID, time.Time{}))
	}
	return nil
}
