package stacks

import (
	"context"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// DeleteStack implements API: the stack goes DELETE_IN_PROGRESS at once
// (pre-empting an action in progress, as Heat does) and a delete operation
// removes its resources in reverse dependency order.
func (s *Service) DeleteStack(ctx context.Context, ref StackRef) error {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return err
	}
	if stack.DeletedAt != nil {
		return stackNotFound("stack.delete", ref.Name)
	}
	_, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	previous := st.OperationID
	opID := engine.NewUUID()
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		st.OperationID = opID
		if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, ExpectedVersion: stack.Version,
			Action: engine.ActionDelete, Status: engine.StatusInProgress, StatusReason: "Stack DELETE started",
			Attributes: mustJSON(st)}); err != nil {
			return err
		}
		// Heat deletes a stack's snapshots first (Stack.delete_all_snapshots).
		if err := deleteSnapshots(ctx, tx, stack); err != nil {
			return err
		}
		_, _, err := tx.Submit(ctx, &engine.SubmitParams{ID: opID, Type: OperationTypeDelete, ProjectID: stack.ProjectID,
			ResourceID: stack.ID, Input: stackOpInput{StackID: stack.ID}, MaxAttempts: 10,
			Timeout: time.Duration(defaultTimeoutMins) * time.Minute})
		return err
	})
	if err != nil {
		return err
	}
	if previous != "" {
		// Stop the action it pre-empted; its handler sees the stack is no
		// longer its own and ends.
		if _, err := s.e.Cancel(ctx, stack.ProjectID, previous); err != nil && engine.KindOf(err) != engine.KindConflict {
			s.logger.Warn("cancel pre-empted stack action", "operation_id", previous, "err", err)
		}
	}
	return nil
}

// deleteHandler removes a stack's resources, dependents first, then marks
// the stack DELETE_COMPLETE. Like create, it reconciles from the
// committed resource states, so it resumes after a crash.
type deleteHandler struct{ s *Service }

func (h *deleteHandler) Run(ctx context.Context, run *engine.Run) error {
	var in stackOpInput
	if err := run.Input(&in); err != nil {
		return err
	}
	s := h.s
	for {
		stack, err := s.e.GetResource(ctx, run.Operation().ProjectID, in.StackID)
		if err != nil {
			return err
		}
		if stack.Action != engine.ActionDelete || stack.Status != engine.StatusInProgress {
			return nil
		}
		rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
				err := s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: engine.ActionDelete,
					Status: engine.StatusComplete, StatusReason: "Stack DELETE completed successfully"})
				return err
			})
		}
		live := map[string]bool{}
		for _, r := range rows {
			live[r.Name] = true
		}
		var wake time.Time
		progressed := false
		var pending []*resourceChange
		for _, r := range rows {
			if r.Status == engine.StatusFailed && r.Action == engine.ActionDelete {
				return run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
					err := s.settle(ctx, tx, stack, &engine.ResourceUpdateParams{ID: stack.ID, Action: engine.ActionDelete,
						Status: engine.StatusFailed, StatusReason: "Resource DELETE failed: " + r.StatusReason})
					return err
				})
			}
			st, props, err := decodeResource(r)
			if err != nil {
				return err
			}
			blocked := false
			for _, dep := range st.RequiredBy {
				blocked = blocked || live[dep]
			}
			if blocked {
				continue
			}
			c, err := s.deleteOne(ctx, stack, r, st, props)
			if err != nil {
				return err
			}
			progressed = progressed || c.progressed
			if !c.wake.IsZero() && (wake.IsZero() || c.wake.Before(wake)) {
				wake = c.wake
			}
			if len(c.updates) > 0 {
				pending = append(pending, c)
			}
		}
		if err := commitChanges(ctx, run, pending); err != nil {
			return err
		}
		if !progressed {
			return run.Wait(wake)
		}
	}
}

// Finish settles the stack when the delete operation ends without
// succeeding.
func (h *deleteHandler) Finish(ctx context.Context, tx *engine.Tx, op *engine.Operation, reason string) error {
	return h.s.finishStack(ctx, tx, op, engine.ActionDelete, reason)
}

// deleteOne deletes one resource whose dependents are gone and returns
// the state changes to commit.
func (s *Service) deleteOne(ctx context.Context, stack *engine.Resource, r *engine.Resource,
	st *resourceState, props map[string]any) (*resourceChange, error) {
	c := &resourceChange{progressed: true}
	set := func(status engine.Status, reason string, out *Outcome) {
		p := &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionDelete, Status: status, StatusReason: reason}
		if out != nil && out.Data != nil {
			nst := *st
			nst.Data = out.Data
			p.Attributes = mustJSON(nst)
		}
		c.updates = append(c.updates, p)
	}
	typ, ok := s.typeFor(nil, implType(r, st))
	if r.Action == engine.ActionInit || !ok {
		// Never created (or of a type this node does not know): nothing
		// to remove.
		set(engine.StatusComplete, "state changed", nil)
		return c, nil
	}
	if st.DeletionPolicy == "Retain" {
		// deletion_policy Retain: the resource leaves the stack and what
		// it made stays (a nested stack, a stored config).
		if r.Action != engine.ActionDelete {
			set(engine.StatusInProgress, "state changed", nil)
		}
		set(engine.StatusComplete, "state changed", nil)
		return c, nil
	}
	starting := !(r.Action == engine.ActionDelete && r.Status == engine.StatusInProgress)
	if starting {
		set(engine.StatusInProgress, "state changed", nil)
	}
	rc := &RC{Data: st.Data, ID: r.ID, Metadata: st.Metadata, Name: r.Name, Now: s.e.Now(), PhysicalID: r.PhysicalID,
		Properties: props, Stack: StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID}}
	if rc.Data == nil {
		rc.Data = map[string]any{}
	}
	var out *Outcome
	var err error
	if starting {
		out, err = typ.Delete(ctx, rc)
	} else {
		out, err = typ.Check(ctx, rc)
	}
	if err != nil {
		if engine.KindOf(err) == engine.KindUnavailable {
			return nil, err
		}
		set(engine.StatusFailed, ResourceFailureReason(r.Name, err), nil)
		return c, nil
	}
	if !out.Done {
		c.progressed, c.wake = starting, out.WaitUntil
		if out.Data != nil {
			set(engine.StatusInProgress, "state changed", out)
		}
		return c, nil
	}
	set(engine.StatusComplete, "state changed", out)
	return c, nil
}

// MarkUnhealthy implements API: CHECK_FAILED with the reason, or back to
// CHECK_COMPLETE; ignored while the resource is being deleted.
func (s *Service) MarkUnhealthy(ctx context.Context, ref StackRef, nameOrPhysicalID string, unhealthy bool, reason string) error {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return err
	}
	r, err := s.findResource(ctx, stack, nameOrPhysicalID)
	if err != nil {
		rows, lerr := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
		if lerr != nil {
			return lerr
		}
		for _, x := range rows {
			if x.PhysicalID != "" && x.PhysicalID == nameOrPhysicalID {
				r, err = x, nil
			}
		}
		if err != nil {
			return err
		}
	}
	if r.Action == engine.ActionDelete {
		return nil
	}
	if reason == "" {
		reason = "state changed by resource_mark_unhealthy api"
	}
	status := engine.StatusFailed
	if !unhealthy {
		if !(r.Action == engine.ActionCheck && r.Status == engine.StatusFailed) {
			return nil
		}
		status = engine.StatusComplete
	}
	return s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionCheck, Status: status, StatusReason: reason})
		return err
	})
}
