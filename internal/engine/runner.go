package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	errCancelRequested = errors.New("operation cancel requested")
	errLeaseLost       = errors.New("operation lease lost")
	errShutdown        = errors.New("engine stopping")
)

// waitError is what Run.Wait returns: park the operation.
type waitError struct{ until time.Time }

func (w *waitError) Error() string { return "operation waits" }

// Run is a handler's view of the operation it works on, valid for one call
// of Handler.Run.
type Run struct {
	e       *Engine
	mu      sync.Mutex // Steps may run concurrently; guards op and result
	op      *Operation
	result  json.RawMessage
	token   string
	wakeSeq int64
}

// Operation returns the operation as it was when this run started, with
// the latest committed checkpoint.
func (r *Run) Operation() *Operation { return r.op }

// Checkpoint decodes the last committed checkpoint into v and reports
// whether there was one.
func (r *Run) Checkpoint(v any) (bool, error) {
	if len(r.op.Checkpoint) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(r.op.Checkpoint, v); err != nil {
		return false, &Error{Kind: KindInternal, Op: "operation.checkpoint", Err: err}
	}
	return true, nil
}

// Input decodes the operation's input into v.
func (r *Run) Input(v any) error {
	if err := json.Unmarshal(r.op.Input, v); err != nil {
		return &Error{Kind: KindInternal, Op: "operation.input", Err: err}
	}
	return nil
}

// Step runs fn in one transaction that also stores the checkpoint fn sets
// with Tx.SetCheckpoint, fenced on this run's lease. When the lease was
// lost nothing commits and Step returns a KindUnavailable error.
func (r *Run) Step(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return r.e.inTx(ctx, r, fn)
}

// Wait parks the operation until the given time or until a signal wakes
// it; the zero time waits for a signal only. Return its value from
// Handler.Run.
func (r *Run) Wait(until time.Time) error { return &waitError{until: until} }

// SetCheckpoint records the progress a Step commits; v is marshalled to JSON.
func (tx *Tx) SetCheckpoint(v any) error {
	if tx.run == nil {
		return &Error{Kind: KindInternal, Op: "operation.checkpoint", Msg: "SetCheckpoint outside a Step"}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return &Error{Kind: KindInternal, Op: "operation.checkpoint", Err: err}
	}
	tx.checkpoint = b
	return nil
}

// SetResult records the operation's result, written when the handler
// returns nil.
func (tx *Tx) SetResult(v any) error {
	if tx.run == nil {
		return &Error{Kind: KindInternal, Op: "operation.result", Msg: "SetResult outside a Step"}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return &Error{Kind: KindInternal, Op: "operation.result", Err: err}
	}
	tx.result = b
	return nil
}

func (r *Run) commitStep(ctx context.Context, tx *Tx) error {
	row, err := tx.st.OperationUpdate(ctx, &store.OperationUpdateParams{
		ID: r.op.ID, Attempt: r.op.Attempt, Checkpoint: tx.checkpoint, LeaseToken: r.token, Now: tx.now,
		StartedAt: r.op.StartedAt, State: string(OperationStateRunning),
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.op.Checkpoint = row.Checkpoint
	if tx.result != nil {
		r.result = tx.result
	}
	return nil
}

// work is the queue's WorkFunc: run one operation if it is due.
func (e *Engine) work(ctx context.Context, id string) error {
	if e.stopping.Load() {
		// Fail the job so the queue keeps it and retries it after the
		// restart (or on another node); running it now would only be
		// interrupted.
		return errShutdown
	}
	now := e.Now()
	row, err := e.store.OperationGetByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	st := OperationState(row.State)
	if st.Terminal() || (row.WakeAt != nil && row.WakeAt.After(now) && !row.CancelRequested) ||
		(st == OperationStateWaiting && row.WakeAt == nil && !row.CancelRequested) {
		return nil // a duplicate or early job; the operation's own job will come
	}
	token := NewID()
	row, err = e.store.OperationLeaseAcquire(ctx, &store.OperationLeaseAcquireParams{
		ID: id, ExpiresAt: now.Add(e.cfg.LeaseTTL), Now: now, Owner: e.cfg.NodeID, Token: token,
	})
	var lost *store.LeaseLostError
	if errors.As(err, &lost) || errors.Is(err, store.ErrNotFound) {
		return nil // someone else runs it, or it ended
	}
	if err != nil {
		return err
	}
	run := &Run{e: e, op: operationFromRow(row), token: token, wakeSeq: row.WakeSeq}
	return e.execute(ctx, run)
}

func (e *Engine) execute(ctx context.Context, run *Run) error {
	op := run.op
	now := e.Now()
	switch {
	case op.CancelRequested:
		return e.finish(ctx, run, OperationStateCancelled, "cancelled by request", nil)
	case op.TimeoutAt != nil && !now.Before(*op.TimeoutAt):
		return e.finish(ctx, run, OperationStateFailed, e.timeoutReason(op), nil)
	}
	h, ok := e.handlers[op.Type]
	if !ok {
		return e.finish(ctx, run, OperationStateFailed, fmt.Sprintf("no handler for operation type %q", op.Type), nil)
	}
	if op.StartedAt == nil || op.State != OperationStateRunning {
		if err := e.markRunning(ctx, run); err != nil {
			return e.leaseOrErr(err)
		}
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	if op.TimeoutAt != nil {
		var cancelT context.CancelFunc
		runCtx, cancelT = context.WithDeadline(runCtx, *op.TimeoutAt)
		defer cancelT()
	}
	e.registerLocal(op.ID, cancel)
	defer e.unregisterLocal(op.ID)
	hbDone := make(chan struct{})
	go e.heartbeat(runCtx, run, cancel, hbDone)

	herr := runHandler(runCtx, h, run)
	cause := context.Cause(runCtx)
	cancel(nil)
	<-hbDone

	switch {
	case errors.Is(cause, errLeaseLost):
		return nil
	case errors.Is(cause, errShutdown) || ctx.Err() != nil:
		return e.release(context.WithoutCancel(ctx), run)
	case errors.Is(cause, errCancelRequested):
		return e.finish(ctx, run, OperationStateCancelled, "cancelled by request", nil)
	case op.TimeoutAt != nil && !e.Now().Before(*op.TimeoutAt):
		return e.finish(ctx, run, OperationStateFailed, e.timeoutReason(op), nil)
	}
	var w *waitError
	switch {
	case herr == nil:
		return e.finish(ctx, run, OperationStateSucceeded, "", run.result)
	case errors.As(herr, &w):
		return e.park(ctx, run, w.until)
	case KindOf(herr) == KindUnavailable && op.Attempt+1 < op.MaxAttempts:
		return e.retry(ctx, run, herr)
	default:
		reason := MessageOf(herr)
		if reason == "" {
			reason = "internal error"
		}
		e.logger.WarnContext(ctx, "operation failed", "operation_id", op.ID, "type", op.Type, "err", herr)
		return e.finish(ctx, run, OperationStateFailed, reason, nil)
	}
}

// runHandler calls the handler and turns a panic into an internal error,
// so one bad handler cannot take the node down.
func runHandler(ctx context.Context, h Handler, run *Run) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Error{Kind: KindInternal, Op: "operation.run", Msg: "internal error", Err: fmt.Errorf("panic: %v", v)}
		}
	}()
	return h.Run(ctx, run)
}

func (e *Engine) timeoutReason(op *Operation) string {
	return fmt.Sprintf("operation timed out after %s", op.TimeoutAt.Sub(op.CreatedAt).Round(time.Second))
}

func (e *Engine) leaseOrErr(err error) error {
	var lost *store.LeaseLostError
	if errors.As(err, &lost) {
		return nil
	}
	return err
}

func (e *Engine) markRunning(ctx context.Context, run *Run) error {
	return e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
		st := tx.st
		started := run.op.StartedAt
		if started == nil {
			started = &tx.now
		}
		row, err := st.OperationUpdate(ctx, &store.OperationUpdateParams{
			ID: run.op.ID, Attempt: run.op.Attempt, LeaseToken: run.token, Now: tx.now,
			StartedAt: started, State: string(OperationStateRunning),
		})
		if err != nil {
			return err
		}
		first := run.op.StartedAt == nil
		run.op = operationFromRow(row)
		if first {
			if _, err := tx.appendOperationEvent(ctx, run.op, ""); err != nil {
				return err
			}
			e.metrics.operations.WithLabelValues(run.op.Type, string(run.op.State)).Inc()
		}
		return nil
	})
}

// finish ends an operation in a final state with its event, fenced.
func (e *Engine) finish(ctx context.Context, run *Run, state OperationState, reason string, result json.RawMessage) error {
	err := e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
		row, err := tx.st.OperationUpdate(ctx, &store.OperationUpdateParams{
			ID: run.op.ID, Attempt: run.op.Attempt, Error: reason, FinishedAt: &tx.now, LeaseToken: run.token,
			Now: tx.now, ReleaseLease: true, Result: result, StartedAt: run.op.StartedAt, State: string(state),
		})
		if err != nil {
			return err
		}
		run.op = operationFromRow(row)
		if _, err := tx.appendOperationEvent(ctx, run.op, reason); err != nil {
			return err
		}
		if f, ok := e.handlers[run.op.Type].(Finisher); ok && state != OperationStateSucceeded {
			return f.Finish(ctx, tx, run.op, reason)
		}
		return nil
	})
	if err == nil {
		e.metrics.operations.WithLabelValues(run.op.Type, string(state)).Inc()
	}
	return e.leaseOrErr(err)
}

// park moves the operation to waiting, unless a wake-up arrived while the
// handler ran: then it goes straight back to pending with a new job.
func (e *Engine) park(ctx context.Context, run *Run, until time.Time) error {
	err := e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
		st, now := tx.st, tx.now
		var wakeAt *time.Time
		if !until.IsZero() {
			u := until.UTC()
			wakeAt = &u
		}
		if t := run.op.TimeoutAt; t != nil && (wakeAt == nil || t.Before(*wakeAt)) {
			wakeAt = t
		}
		base := store.OperationUpdateParams{
			ID: run.op.ID, Attempt: run.op.Attempt, LeaseToken: run.token, Now: now,
			StartedAt: run.op.StartedAt, State: string(OperationStateWaiting), WakeAt: wakeAt,
		}
		row, err := st.OperationUpdate(ctx, &base)
		if err != nil {
			return err
		}
		final := base
		final.ReleaseLease = true
		rerun := row.WakeSeq != run.wakeSeq
		if rerun {
			final.State, final.WakeAt = string(OperationStatePending), nil
		}
		if _, err := st.OperationUpdate(ctx, &final); err != nil {
			return err
		}
		switch {
		case rerun:
			return tx.enqueue(ctx, run.op.ID, time.Time{})
		case wakeAt != nil:
			return tx.enqueue(ctx, run.op.ID, *wakeAt)
		}
		return nil
	})
	return e.leaseOrErr(err)
}

// release hands an interrupted operation back: pending, lease released,
// with a job, so that another node (or this one after restart) resumes it
// from its checkpoint at once.
func (e *Engine) release(ctx context.Context, run *Run) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.st.OperationUpdate(ctx, &store.OperationUpdateParams{
			ID: run.op.ID, Attempt: run.op.Attempt, LeaseToken: run.token, Now: tx.now, ReleaseLease: true,
			StartedAt: run.op.StartedAt, State: string(OperationStatePending),
		}); err != nil {
			return err
		}
		return tx.enqueue(ctx, run.op.ID, time.Time{})
	})
	return e.leaseOrErr(err)
}

// retry schedules another attempt with exponential backoff.
func (e *Engine) retry(ctx context.Context, run *Run, cause error) error {
	delay := e.cfg.RetryBaseDelay << run.op.Attempt
	if delay > time.Minute || delay <= 0 {
		delay = time.Minute
	}
	e.logger.InfoContext(ctx, "operation retry", "operation_id", run.op.ID, "attempt", run.op.Attempt+1, "delay", delay, "err", cause)
	err := e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
		now := tx.now
		at := now.Add(delay)
		if _, err := tx.st.OperationUpdate(ctx, &store.OperationUpdateParams{
			ID: run.op.ID, Attempt: run.op.Attempt + 1, Error: MessageOf(cause), LeaseToken: run.token, Now: now,
			ReleaseLease: true, StartedAt: run.op.StartedAt, State: string(OperationStatePending), WakeAt: &at,
		}); err != nil {
			return err
		}
		return tx.enqueue(ctx, run.op.ID, at)
	})
	return e.leaseOrErr(err)
}

// heartbeat renews the lease until ctx ends; it cancels the run when the
// lease is lost or a cancel was requested.
func (e *Engine) heartbeat(ctx context.Context, run *Run, cancel context.CancelCauseFunc, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(e.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		row, err := e.store.OperationLeaseRenew(context.WithoutCancel(ctx), &store.OperationLeaseRenewParams{
			ID: run.op.ID, ExpiresAt: e.Now().Add(e.cfg.LeaseTTL), Token: run.token,
		})
		var lost *store.LeaseLostError
		switch {
		case errors.As(err, &lost) || errors.Is(err, store.ErrNotFound):
			cancel(errLeaseLost)
			return
		case err != nil:
			e.logger.WarnContext(ctx, "lease renew failed", "operation_id", run.op.ID, "err", err)
		case row.CancelRequested:
			cancel(errCancelRequested)
			return
		}
	}
}

func (e *Engine) registerLocal(id string, cancel context.CancelCauseFunc) {
	e.localMu.Lock()
	defer e.localMu.Unlock()
	if e.local == nil {
		e.local = map[string]context.CancelCauseFunc{}
	}
	e.local[id] = cancel
}

func (e *Engine) unregisterLocal(id string) {
	e.localMu.Lock()
	defer e.localMu.Unlock()
	delete(e.local, id)
}

func (e *Engine) cancelAllLocal(cause error) {
	e.localMu.Lock()
	defer e.localMu.Unlock()
	for _, c := range e.local {
		c(cause)
	}
}

func (e *Engine) cancelLocal(id string) {
	e.localMu.Lock()
	defer e.localMu.Unlock()
	if c := e.local[id]; c != nil {
		c(errCancelRequested)
	}
}

// reapLoop re-enqueues operations whose worker died.
func (e *Engine) reapLoop(ctx context.Context) {
	defer close(e.done)
	t := time.NewTicker(e.cfg.ReapInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := e.reap(ctx); err != nil && ctx.Err() == nil {
			e.logger.WarnContext(ctx, "reaper", "err", err)
		}
	}
}

// staleAfter is how often, at most, the reaper gives one pending or due
// waiting operation another job.
const staleAfter = 30 * time.Second

// staleFirst is how long a pending or due waiting operation may go without
// running before the reaper gives it a first extra job: a live node that
// fetched its job takes the lease within moments, so an operation still
// pending after a few lease lifetimes most likely has its job held by a
// dead node's queue client (which River rescues only after a minute). An
// extra job is harmless: the lease decides who runs.
func (e *Engine) staleFirst() time.Duration { return max(3*e.cfg.LeaseTTL, 3*time.Second) }

func (e *Engine) reap(ctx context.Context) error {
	now := e.Now()
	rows, err := e.store.OperationListRecoverable(ctx, &store.OperationListRecoverableParams{Limit: 500, Now: now})
	if err != nil {
		return err
	}
	if e.recovered == nil {
		e.recovered = map[string]time.Time{}
	}
	for id, at := range e.recovered {
		if now.Sub(at) >= staleAfter {
			delete(e.recovered, id)
		}
	}
	for _, row := range rows {
		if row.State != store.OperationStateRunning {
			if _, recent := e.recovered[row.ID]; recent || now.Sub(row.UpdatedAt) < e.staleFirst() {
				continue
			}
			e.recovered[row.ID] = now
		}
		err := e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
			return tx.enqueue(ctx, row.ID, time.Time{})
		})
		if err != nil {
			return err
		}
		e.logger.InfoContext(ctx, "operation recovered", "operation_id", row.ID, "state", row.State)
	}
	return nil
}

// breakStaleLeases runs at start in single-node mode: every lease in the
// store belongs to a dead process, so running operations go back to
// pending with a job at once.
func (e *Engine) breakStaleLeases(ctx context.Context) error {
	now := e.Now()
	far := now.Add(100 * 365 * 24 * time.Hour)
	rows, err := e.store.OperationListRecoverable(ctx, &store.OperationListRecoverableParams{Limit: 100000, Now: far})
	if err != nil {
		return FromStore("engine.start", err)
	}
	for _, row := range rows {
		if row.State != store.OperationStateRunning {
			continue
		}
		token := NewID()
		err := e.inTx(ctx, nil, func(ctx context.Context, tx *Tx) error {
			st := tx.st
			if _, err := st.OperationLeaseAcquire(ctx, &store.OperationLeaseAcquireParams{
				ID: row.ID, ExpiresAt: now.Add(e.cfg.LeaseTTL), Now: far, Owner: e.cfg.NodeID, Token: token,
			}); err != nil {
				return err
			}
			if _, err := st.OperationUpdate(ctx, &store.OperationUpdateParams{
				ID: row.ID, Attempt: row.Attempt, LeaseToken: token, Now: now, ReleaseLease: true,
				StartedAt: row.StartedAt, State: string(OperationStatePending),
			}); err != nil {
				return err
			}
			return tx.enqueue(ctx, row.ID, time.Time{})
		})
		if err != nil && e.leaseOrErr(err) != nil {
			return FromStore("engine.start", err)
		}
		e.logger.InfoContext(ctx, "operation resumed after restart", "operation_id", row.ID)
	}
	return nil
}
