package stacks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// OperationTypeAction runs suspend, resume and check.
const OperationTypeAction = "heat.stack.action"

type stackActionInput struct {
	Action engine.Action `json:"action"`
	// SnapshotID is the snapshot a SNAPSHOT action completes.
	SnapshotID string `json:"snapshot_id,omitempty"`
	StackID    string `json:"stack_id"`
}

var stackActions = map[string]engine.Action{
	"check": engine.ActionCheck, "resume": engine.ActionResume, "suspend": engine.ActionSuspend,
}

// ActStack implements API: suspend, resume and check run as an operation
// over the stack's created resources (suspend dependents first, resume and
// check dependencies first); cancel_update cancels the update in progress
// and rolls it back (see startRollback); cancel_without_rollback cancels
// the create or update in progress, which leaves the stack FAILED.
func (s *Service) ActStack(ctx context.Context, ref StackRef, action string) error {
	const op = "stack.action"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return err
	}
	if stack.DeletedAt != nil {
		return stackNotFound(op, ref.Name)
	}
	_, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	switch action {
	case "cancel_update", "cancel_without_rollback":
		ok := stack.Status == engine.StatusInProgress &&
			(stack.Action == engine.ActionUpdate || (action == "cancel_without_rollback" && stack.Action == engine.ActionCreate))
		if !ok {
			return &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: op,
				Msg: fmt.Sprintf("Cancelling update when stack is %s_%s is not supported.", stack.Action, stack.Status)}
		}
		// Record how the cancel ends the action (its Finish reads it),
		// then cancel the operation.
		st.Cancel = cancelOnly
		if action == "cancel_update" {
			st.Cancel = cancelRollback
		}
		err := s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
			_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, ExpectedVersion: stack.Version,
				Action: stack.Action, Status: stack.Status, StatusReason: stack.StatusReason, Attributes: mustJSON(st)})
			return err
		})
		if engine.KindOf(err) == engine.KindConflict {
			return nil // it just finished
		}
		if err != nil {
			return err
		}
		_, err = s.e.Cancel(ctx, stack.ProjectID, st.OperationID)
		if engine.KindOf(err) == engine.KindConflict {
			return nil // it just finished
		}
		return err
	}
	act, ok := stackActions[action]
	if !ok {
		return &engine.Error{Kind: engine.KindInvalid, Code: "HTTPBadRequest", Op: op, Msg: fmt.Sprintf("Invalid action %s", action)}
	}
	if stack.Status == engine.StatusInProgress {
		return &engine.Error{Kind: engine.KindConflict, Code: "ActionInProgress", Op: op,
			Msg: fmt.Sprintf("Stack %s already has an action (%s) in progress.", stack.Name, stack.Action)}
	}
	opID := engine.NewUUID()
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		st.OperationID = opID
		if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, ExpectedVersion: stack.Version,
			Action: act, Status: engine.StatusInProgress, StatusReason: fmt.Sprintf("Stack %s started", act),
			Attributes: mustJSON(st)}); err != nil {
			return err
		}
		_, _, err := tx.Submit(ctx, &engine.SubmitParams{ID: opID, Type: OperationTypeAction, ProjectID: stack.ProjectID,
			ResourceID: stack.ID, Input: stackActionInput{Action: act, StackID: stack.ID}, MaxAttempts: 10,
			Timeout: time.Duration(defaultTimeoutMins) * time.Minute})
		return err
	})
	if engine.KindOf(err) == engine.KindConflict && engine.CodeOf(err) == "" {
		return &engine.Error{Kind: engine.KindConflict, Code: "ActionInProgress", Op: op,
			Msg: fmt.Sprintf("Stack %s already has an action in progress.", stack.Name), Err: err}
	}
	return err
}

// actionHandler moves every created resource through ACTION_IN_PROGRESS
// to ACTION_COMPLETE, a dependency level per transaction, then the stack.
// The built-in types hold no outside object, so each step completes at
// once; the committed resource states are the checkpoint.
type actionHandler struct{ s *Service }

func (h *actionHandler) Run(ctx context.Context, run *engine.Run) error {
	var in stackActionInput
	if err := run.Input(&in); err != nil {
		return err
	}
	s := h.s
	stack, err := s.e.GetResource(ctx, run.Operation().ProjectID, in.StackID)
	if err != nil {
		return err
	}
	if stack.Action != in.Action || stack.Status != engine.StatusInProgress {
		return nil
	}
	rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return err
	}
	byName := map[string]*engine.Resource{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	// Order by the stored graph: dependencies first, reversed for suspend.
	var order [][]string
	done := map[string]bool{}
	for len(done) < len(rows) {
		var level []string
		for _, r := range rows {
			if done[r.Name] {
				continue
			}
			st, _, err := decodeResource(r)
			if err != nil {
				return err
			}
			ready := true
			for _, d := range st.DependsOn {
				ready = ready && (done[d] || byName[d] == nil)
			}
			if ready {
				level = append(level, r.Name)
			}
		}
		if len(level) == 0 {
			break // a cycle cannot be stored; stop rather than spin
		}
		for _, n := range level {
			done[n] = true
		}
		order = append(order, level)
	}
	if in.Action == engine.ActionSuspend {
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	began := run.Operation().CreatedAt
	for _, level := range order {
		var pending []*resourceChange
		waiting := false
		for _, name := range level {
			r := byName[name]
			if r.Action == engine.ActionInit ||
				(r.Action == in.Action && r.Status == engine.StatusComplete && !r.UpdatedAt.Before(began)) {
				continue // never created, or already done before a crash
			}
			// Heat snapshots a stack-backed resource without entering its
			// nested stack (it has no handle_snapshot).
			var child *engine.Resource
			if in.Action != engine.ActionSnapshot {
				if child, err = s.nestedOf(ctx, r); err != nil {
					return err
				}
			}
			if child != nil {
				// A stack-backed resource acts through its nested stack.
				c, wait, failed, err := s.actNested(ctx, r, child, in.Action, began)
				if err != nil {
					return err
				}
				if failed != "" {
					return s.failAction(ctx, run, stack, in.Action, in.Action, nil, failed)
				}
				waiting = waiting || wait
				if c != nil {
					pending = append(pending, c)
				}
				continue
			}
			c := &resourceChange{progressed: true}
			if !(r.Action == in.Action && r.Status == engine.StatusInProgress) {
				c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: in.Action,
					Status: engine.StatusInProgress, StatusReason: "state changed"})
			}
			c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: in.Action,
				Status: engine.StatusComplete, StatusReason: "state changed"})
			pending = append(pending, c)
		}
		if err := commitChanges(ctx, run, pending); err != nil {
			return err
		}
		if waiting {
			// A nested stack wakes this operation when it settles.
			return run.Wait(s.e.Now().Add(nestedPoll))
		}
	}
	reason := fmt.Sprintf("Stack %s completed successfully", in.Action)
	if in.Action == engine.ActionSnapshot {
		// The snapshot's data and both completions commit together.
		return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
			if err := s.completeSnapshot(ctx, tx, stack, in.SnapshotID, engine.StatusComplete, reason); err != nil {
				return err
			}
			return s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: in.Action,
				Status: engine.StatusComplete, StatusReason: reason})
		})
	}
	return s.settleStack(ctx, run, stack, in.Action, engine.StatusComplete, reason)
}

// Finish settles the stack when the action ends without succeeding.
func (h *actionHandler) Finish(ctx context.Context, tx *engine.Tx, op *engine.Operation, reason string) error {
	var in stackActionInput
	if err := jsonUnmarshal(op.Input, &in); err != nil {
		return err
	}
	if in.Action == engine.ActionSnapshot {
		stack, err := actingStack(ctx, tx, op, in.Action)
		if err != nil {
			return err
		}
		if stack != nil {
			if err := h.s.completeSnapshot(ctx, tx, stack, in.SnapshotID, engine.StatusFailed, reason); err != nil {
				return err
			}
		}
	}
	return h.s.finishStack(ctx, tx, op, in.Action, reason)
}

// nestedOf returns the live nested stack of a stack-backed resource, or
// nil for other resources.
func (s *Service) nestedOf(ctx context.Context, r *engine.Resource) (*engine.Resource, error) {
	st, _, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	id := dataString(st.Data, "stack_id")
	if id == "" {
		return nil, nil
	}
	child, err := s.e.GetResource(ctx, r.ProjectID, id)
	if engine.KindOf(err) == engine.KindNotFound {
		return nil, nil
	}
	if err != nil || child.Type != stackKind || child.DeletedAt != nil || child.ParentID != r.ID {
		return nil, err
	}
	return child, nil
}

// actNested moves a stack-backed resource through a suspend, resume or
// check by running the action on its nested stack: it starts the action,
// reports wait while the nested stack acts, and completes the resource
// when the nested stack has (failed: the reason, when it failed).
func (s *Service) actNested(ctx context.Context, r, child *engine.Resource, action engine.Action, began time.Time) (c *resourceChange, wait bool, failed string, err error) {
	c = &resourceChange{progressed: true}
	if !(r.Action == action && r.Status == engine.StatusInProgress) {
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: action,
			Status: engine.StatusInProgress, StatusReason: "state changed"})
	}
	mine := child.Action == action && !child.UpdatedAt.Before(began)
	switch {
	case mine && child.Status == engine.StatusComplete:
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: action,
			Status: engine.StatusComplete, StatusReason: "state changed"})
		return c, false, "", nil
	case mine && child.Status == engine.StatusFailed:
		return nil, false, ResourceFailureReason(r.Name, resourceError("stack.action", "Error", child.StatusReason)), nil
	case child.Status != engine.StatusInProgress:
		ref := StackRef{ID: child.ID, Name: child.Name, ProjectID: child.ProjectID}
		if err := s.ActStack(ctx, ref, strings.ToLower(string(action))); err != nil && engine.KindOf(err) != engine.KindConflict {
			return nil, false, "", err
		}
	}
	if len(c.updates) == 0 {
		c = nil
	}
	return c, true, "", nil
}
