package stacks

import (
	"context"
	"fmt"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// OperationTypeScale handles a scaling policy's signals.
const OperationTypeScale = "heat.resource.scale"

type scaleInput struct {
	PolicyID string `json:"policy_id"`
	StackID  string `json:"stack_id"`
}

// signalActor is implemented by types whose signals start a scaling
// operation instead of waking the stack's action.
type signalActor interface{ actsOnSignal() }

// scaleHandler takes a scaling policy's pending signals, oldest first, and
// resizes the policy's group for each one that asks it to: a signal whose
// alarm state is not "alarm", that comes during the policy's or the
// group's cooldown, while the stack or the group is acting, or that would
// not change the size is taken and does nothing (Heat's
// NoActionRequired). A resize moves the group through UPDATE_IN_PROGRESS
// to UPDATE_COMPLETE (or UPDATE_FAILED) as its nested stack is updated.
// Every decision commits with the signal it consumes, so a crash resumes
// where it stood.
type scaleHandler struct{ s *Service }

func (h *scaleHandler) Run(ctx context.Context, run *engine.Run) error {
	var in scaleInput
	if err := run.Input(&in); err != nil {
		return err
	}
	s, opID := h.s, run.Operation().ID
	for {
		stack, err := s.e.GetResource(ctx, run.Operation().ProjectID, in.StackID)
		if err != nil {
			return ignoreNotFound(err)
		}
		policy, err := s.e.GetResource(ctx, stack.ProjectID, in.PolicyID)
		if err != nil || policy.DeletedAt != nil {
			return ignoreNotFound(err)
		}
		_, pprops, err := decodeResource(policy)
		if err != nil {
			return err
		}
		group, err := s.policyGroup(ctx, stack, pprops)
		if err != nil {
			return err
		}
		if group != nil && group.Status == engine.StatusInProgress {
			gst, _, err := decodeResource(group)
			if err != nil {
				return err
			}
			if dataString(gst.Data, "scaling_op") == opID {
				done, err := s.followResize(ctx, run, stack, group)
				if err != nil || !done {
					return err
				}
				continue
			}
		}
		started := false
		err = run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
			sigs, err := tx.PendingSignals(ctx, policy.ID)
			if err != nil || len(sigs) == 0 {
				return err
			}
			sig := sigs[0]
			if err := tx.ConsumeSignals(ctx, sig.ID); err != nil {
				return err
			}
			started, err = s.startResize(ctx, tx, opID, stack, policy, pprops, group, sig)
			return err
		})
		if err != nil {
			return err
		}
		if !started {
			// Nothing pending, or the signal asked for nothing: look again
			// (the next pending one, if any).
			more, err := s.e.ListSignals(ctx, policy.ID)
			if err != nil {
				return err
			}
			pending := false
			for _, sg := range more {
				pending = pending || sg.ConsumedAt == nil
			}
			if !pending {
				return nil
			}
		}
	}
}

func ignoreNotFound(err error) error {
	if engine.KindOf(err) == engine.KindNotFound {
		return nil
	}
	return err
}

// policyGroup finds the policy's group in its stack by the reference
// auto_scaling_group_id holds (get_resource's answer), or by name.
func (s *Service) policyGroup(ctx context.Context, stack *engine.Resource, props map[string]any) (*engine.Resource, error) {
	want := fmt.Sprint(props["auto_scaling_group_id"])
	rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, err
		}
		if implType(r, st) != "OS::Heat::AutoScalingGroup" {
			continue
		}
		if r.PhysicalID == want || r.Name == want {
			return r, nil
		}
		if ref, err := s.refOf(r); err == nil && fmt.Sprint(ref) == want {
			return r, nil
		}
	}
	return nil, nil
}

// startResize decides what one signal does; when it resizes, the group
// goes UPDATE_IN_PROGRESS with the new size and this operation's id, and
// the policy records the time for its cooldown, in the transaction.
func (s *Service) startResize(ctx context.Context, tx *engine.Tx, opID string, stack, policy *engine.Resource,
	pprops map[string]any, group *engine.Resource, sig *engine.Signal) (bool, error) {
	now := s.e.Now()
	if alarmState(sig.Data) != "alarm" || group == nil || stack.Status == engine.StatusInProgress ||
		group.Status == engine.StatusInProgress || group.Action == engine.ActionInit {
		return false, nil
	}
	pst, _, err := decodeResource(policy)
	if err != nil {
		return false, err
	}
	gst, gprops, err := decodeResource(group)
	if err != nil {
		return false, err
	}
	if inCooldown(pst.Data, pprops["cooldown"], now) || inCooldown(gst.Data, gprops["cooldown"], now) {
		return false, nil
	}
	current := len(dataStrings(gst.Data, "names"))
	adj, _ := numberOf(pprops["scaling_adjustment"])
	step, _ := numberOf(pprops["min_adjustment_step"])
	minSize, _ := numberOf(gprops["min_size"])
	maxSize, _ := numberOf(gprops["max_size"])
	size := newCapacity(current, adj, fmt.Sprint(pprops["adjustment_type"]), int(step), int(minSize), int(maxSize))
	if size == current {
		return false, nil
	}
	stamp := now.UTC().Format(time.RFC3339Nano)
	gst.Data = withData(gst.Data, "scaling_op", opID, "target_size", size, "last_scaled", stamp)
	if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: group.ID, ExpectedVersion: group.Version,
		Action: engine.ActionUpdate, Status: engine.StatusInProgress, StatusReason: "state changed",
		Attributes: mustJSON(gst)}); err != nil {
		return false, err
	}
	pst.Data = withData(pst.Data, "last_scaled", stamp)
	_, err = tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: policy.ID, ExpectedVersion: policy.Version,
		Action: policy.Action, Status: policy.Status, StatusReason: policy.StatusReason, Attributes: mustJSON(pst)})
	return err == nil, err
}

// inCooldown reports whether a cooldown (seconds) since data's
// last_scaled is still running.
func inCooldown(data map[string]any, cooldown any, now time.Time) bool {
	secs, ok := numberOf(cooldown)
	if !ok || cooldown == nil || secs <= 0 {
		return false
	}
	last, err := time.Parse(time.RFC3339Nano, dataString(data, "last_scaled"))
	if err != nil {
		return false
	}
	return now.Before(last.Add(time.Duration(secs * float64(time.Second))))
}

// followResize brings the group's nested stack to its target size and
// settles the group; done is false while the nested stack acts (the
// operation then waits: the nested stack wakes it when it settles).
func (s *Service) followResize(ctx context.Context, run *engine.Run, stack, group *engine.Resource) (bool, error) {
	gst, gprops, err := decodeResource(group)
	if err != nil {
		return false, err
	}
	rc := &RC{Data: gst.Data, ID: group.ID, Metadata: gst.Metadata, Name: group.Name, Now: s.e.Now(),
		PhysicalID: group.PhysicalID, Properties: gprops,
		Stack: StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID}}
	size, _ := numberOf(gst.Data["target_size"])
	t := &autoScalingGroupType{s: s}
	out, err := t.resize(ctx, rc, int(size))
	status, reason := engine.StatusComplete, "state changed"
	switch {
	case err != nil && engine.KindOf(err) == engine.KindUnavailable:
		return false, err
	case err != nil:
		status, reason = engine.StatusFailed, ResourceFailureReason(group.Name, err)
	case !out.Done:
		nst := *gst
		nst.Data = out.Data
		if err := run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: group.ID, Action: engine.ActionUpdate,
				Status: engine.StatusInProgress, StatusReason: "state changed", Attributes: mustJSON(nst)}); err != nil {
				return err
			}
			if out.Commit != nil {
				return out.Commit(ctx, tx)
			}
			return nil
		}); err != nil {
			return false, err
		}
		return false, run.Wait(out.WaitUntil)
	}
	nst := *gst
	if out != nil {
		nst.Data = out.Data
		if out.Attributes != nil {
			nst.Attributes = out.Attributes
		}
	}
	delete(nst.Data, "scaling_op")
	delete(nst.Data, "target_size")
	return true, run.Step(ctx, func(ctx context.Context, tx *engine.Tx) error {
		if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: group.ID, Action: engine.ActionUpdate,
			Status: status, StatusReason: reason, Attributes: mustJSON(nst)}); err != nil {
			return err
		}
		return s.refreshOutputs(ctx, tx, stack.ProjectID, stack.ID)
	})
}

// refreshOutputs resolves a settled stack's outputs again, in the
// transaction that changed one of its resources outside a stack action (a
// scaling), so that they show the new state as Heat's, resolved on each
// show, do.
func (s *Service) refreshOutputs(ctx context.Context, tx *engine.Tx, projectID, stackID string) error {
	stack, err := tx.GetResource(ctx, projectID, stackID)
	if err != nil || stack.Status == engine.StatusInProgress {
		return ignoreNotFound(err)
	}
	def, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	pl, err := s.planFor(stack, def)
	if err != nil {
		return nil // the stack's template no longer builds; leave its outputs
	}
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: projectID, ParentID: stackID})
	if err != nil {
		return err
	}
	byName := map[string]*engine.Resource{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	st.Outputs = s.resolveOutputs(ctx, pl, stack, byName)
	_, err = tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, Action: stack.Action,
		Status: stack.Status, StatusReason: stack.StatusReason, Attributes: mustJSON(st)})
	return err
}

// Finish fails a group a scaling operation left in progress.
func (h *scaleHandler) Finish(ctx context.Context, tx *engine.Tx, op *engine.Operation, reason string) error {
	var in scaleInput
	if err := jsonUnmarshal(op.Input, &in); err != nil {
		return err
	}
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: op.ProjectID, ParentID: in.StackID})
	if err != nil {
		return err
	}
	for _, r := range rows {
		st, _, err := decodeResource(r)
		if err != nil {
			return err
		}
		if r.Status == engine.StatusInProgress && dataString(st.Data, "scaling_op") == op.ID {
			delete(st.Data, "scaling_op")
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action,
				Status: engine.StatusFailed, StatusReason: reason, Attributes: mustJSON(st)}); err != nil {
				return err
			}
		}
	}
	return nil
}
