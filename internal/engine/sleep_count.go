package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// OperationTypeSleepCount is the built-in operation that proves the
// machinery: it sleeps, then counts, Steps times. Each step's effect (the
// counter resource's "count" attribute and one "operation.step" event)
// commits with the checkpoint, so a crash anywhere repeats no step and
// skips none. Tests, the crash test and `kiln bench` use it.
const OperationTypeSleepCount = "kiln.sleep_count"

// SleepCountInput is the input of a sleep-and-count operation.
type SleepCountInput struct {
	// FailAtStep makes that step fail with KindUnavailable once per
	// attempt until attempts run out (0: never).
	FailAtStep int   `json:"fail_at_step,omitempty"`
	SleepMS    int64 `json:"sleep_ms"`
	Steps      int   `json:"steps"`
	// WaitForSignal parks the operation before the first step until a
	// signal to the counter resource arrives.
	WaitForSignal bool `json:"wait_for_signal,omitempty"`
}

type sleepCountCheckpoint struct {
	Next int `json:"next"`
}

// SleepCountHandler is the handler of OperationTypeSleepCount.
func SleepCountHandler() Handler { return HandlerFunc(sleepCount) }

func sleepCount(ctx context.Context, run *Run) error {
	op := run.Operation()
	var in SleepCountInput
	if err := run.Input(&in); err != nil {
		return err
	}
	if in.Steps < 0 || in.Steps > 100000 || in.SleepMS < 0 {
		return Invalid("sleep_count", "steps must be 0..100000 and sleep_ms >= 0")
	}
	var cp sleepCountCheckpoint
	started, err := run.Checkpoint(&cp)
	if err != nil {
		return err
	}
	counterID := op.ID
	if !started {
		err := run.Step(ctx, func(ctx context.Context, tx *Tx) error {
			if _, err := tx.CreateResource(ctx, &ResourceCreateParams{
				ID: counterID, ProjectID: op.ProjectID, Type: "Kiln::Counter", Name: "counter-" + op.ID[:8],
				Action: ActionCreate, Status: StatusInProgress, Attributes: json.RawMessage(`{"count":0}`),
			}); err != nil {
				return err
			}
			cp.Next = 1
			return tx.SetCheckpoint(cp)
		})
		if err != nil {
			return err
		}
	}
	if in.WaitForSignal && cp.Next == 1 {
		var got bool
		err := run.Step(ctx, func(ctx context.Context, tx *Tx) error {
			sigs, err := tx.PendingSignals(ctx, counterID)
			if err != nil || len(sigs) == 0 {
				return err
			}
			got = true
			return tx.ConsumeSignals(ctx, sigs[0].ID)
		})
		if err != nil {
			return err
		}
		if !got {
			return run.Wait(time.Time{})
		}
	}
	for ; cp.Next <= in.Steps; cp.Next++ {
		if in.SleepMS > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(in.SleepMS) * time.Millisecond):
			}
		}
		if in.FailAtStep == cp.Next {
			return &Error{Kind: KindUnavailable, Op: "sleep_count", Msg: fmt.Sprintf("step %d failed (injected)", cp.Next)}
		}
		step := cp.Next
		err := run.Step(ctx, func(ctx context.Context, tx *Tx) error {
			if _, err := tx.UpdateResource(ctx, &ResourceUpdateParams{
				ID: counterID, Action: ActionCreate, Status: StatusInProgress,
				Attributes:   json.RawMessage(fmt.Sprintf(`{"count":%d}`, step)),
				StatusReason: fmt.Sprintf("step %d of %d", step, in.Steps),
			}); err != nil {
				return err
			}
			if _, err := tx.AppendEvent(ctx, &EventParams{
				Type: EventTypeOperationStep, ProjectID: op.ProjectID, ResourceID: counterID,
				Reason: fmt.Sprintf("step %d", step), Data: json.RawMessage(fmt.Sprintf(`{"step":%d}`, step)),
			}); err != nil {
				return err
			}
			return tx.SetCheckpoint(sleepCountCheckpoint{Next: step + 1})
		})
		if err != nil {
			return err
		}
	}
	return run.Step(ctx, func(ctx context.Context, tx *Tx) error {
		r, err := tx.GetResource(ctx, op.ProjectID, counterID)
		if err != nil {
			return err
		}
		if r.Status != StatusComplete {
			if _, err := tx.UpdateResource(ctx, &ResourceUpdateParams{
				ID: counterID, Action: ActionCreate, Status: StatusComplete, StatusReason: "counted",
			}); err != nil {
				return err
			}
		}
		return tx.SetResult(map[string]int{"count": in.Steps})
	})
}
