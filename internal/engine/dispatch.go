package engine

import (
	"context"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// Direct dispatch. River delivers every job durably, but it wakes its
// fetcher only by polling for jobs inserted inside a transaction (and on
// SQLite there is no LISTEN/NOTIFY), and it promotes scheduled jobs on a
// fixed 5 s cycle. So after a transaction that enqueued work commits, the
// node that committed it also runs the operation itself at once (or at its
// scheduled time, with an in-memory timer). The River job still exists and
// arrives later as a no-op: the operation's lease decides who runs it, so
// the two never both work it. When this node is saturated or stopping,
// dispatch does nothing and River's delivery is the only one.

// dispatch runs the operation on this node now, or at `at`.
func (e *Engine) dispatch(id string, at time.Time) {
	if e.dispatchCtx == nil || e.stopping.Load() {
		return
	}
	if d := time.Until(at); !at.IsZero() && d > 0 {
		e.timersMu.Lock()
		defer e.timersMu.Unlock()
		if e.timers == nil {
			e.timers = map[*time.Timer]struct{}{}
		}
		var t *time.Timer
		t = time.AfterFunc(d, func() {
			e.timersMu.Lock()
			delete(e.timers, t)
			e.timersMu.Unlock()
			e.dispatch(id, time.Time{})
		})
		e.timers[t] = struct{}{}
		return
	}
	select {
	case e.dispatchSem <- struct{}{}:
	default:
		return // saturated: River delivers it
	}
	e.dispatchWG.Add(1)
	go func() {
		defer e.dispatchWG.Done()
		defer func() { <-e.dispatchSem }()
		if err := e.work(e.dispatchCtx, id); err != nil && e.dispatchCtx.Err() == nil {
			e.logger.Warn("direct dispatch failed; the queue will retry", "operation_id", id, "err", err)
		}
	}()
}

// stopDispatch cancels pending timers and stops new direct runs; running
// ones are interrupted by Stop through cancelAllLocal.
func (e *Engine) stopDispatch() {
	e.timersMu.Lock()
	for t := range e.timers {
		t.Stop()
	}
	e.timers = nil
	e.timersMu.Unlock()
	if e.dispatchCancel != nil {
		e.dispatchCancel()
	}
}

// dispatchDue runs at Start: the timers of a previous process are gone and
// River promotes scheduled jobs only every few seconds, so this node picks
// up at once (or at their wake time) the operations that are due: pending
// ones and waiting ones with a wake time. Work leased by a live node
// elsewhere is left alone by the lease check in work.
func (e *Engine) dispatchDue(ctx context.Context) error {
	far := e.Now().Add(100 * 365 * 24 * time.Hour)
	rows, err := e.store.OperationListRecoverable(ctx, &store.OperationListRecoverableParams{Limit: 10000, Now: far})
	if err != nil {
		return err
	}
	for _, row := range rows {
		if row.State == store.OperationStateRunning {
			continue // the reaper or breakStaleLeases handles these
		}
		var at time.Time
		if row.WakeAt != nil {
			at = *row.WakeAt
		}
		e.dispatch(row.ID, at)
	}
	return nil
}
