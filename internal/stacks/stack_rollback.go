package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// Rollback, after Heat's convergence engine (Stack.mark_failed and
// Stack.rollback in heat/engine/stack.py):
//
//   - A create or update that fails (a resource failure or the timeout)
//     while the stack's disable_rollback is false goes <ACTION>_FAILED
//     with its reason, then ROLLBACK_IN_PROGRESS "Stack ROLLBACK started".
//   - cancel_update goes from UPDATE_IN_PROGRESS straight to
//     ROLLBACK_IN_PROGRESS, whatever disable_rollback says;
//     cancel_without_rollback only fails the action.
//   - A rollback restores the definition the stack had before the update
//     (template, parameters, environment and files; disable_rollback,
//     timeout and tags stay as the update set them), or, for a create, an
//     empty template of the same version. A rollback operation then
//     reconciles the resources to it like an update: resources the update
//     replaced are made current again and their replacements deleted,
//     resources it added are deleted, ones it removed are created again,
//     ones it changed are updated back (or replaced when they FAILED, as
//     Heat replaces failed resources). It ends ROLLBACK_COMPLETE "Stack
//     ROLLBACK completed successfully" with the old outputs, or
//     ROLLBACK_FAILED; a failed rollback does not roll back.
//
// Crash safety: the <ACTION>_FAILED state, the switch to
// ROLLBACK_IN_PROGRESS, the restored definition, the rows made current
// again and the rollback operation commit in one transaction (failAction's
// or the failing operation's Finish), and the rollback is an operation
// that reconciles from committed states like any other.

// Cancel modes recorded in stackState.Cancel.
const (
	cancelOnly     = "cancel"
	cancelRollback = "rollback"
)

// rollbackFailed starts, in the transaction that failed a create or
// update (failAction), its rollback when the stack asks for one.
func (s *Service) rollbackFailed(ctx context.Context, tx *engine.Tx, opID string, stack *engine.Resource, action engine.Action) error {
	if action != engine.ActionCreate && action != engine.ActionUpdate && action != engine.ActionRestore {
		return nil
	}
	cur, err := tx.GetResource(ctx, stack.ProjectID, stack.ID)
	if err != nil {
		return err
	}
	def, st, err := decodeStack(cur)
	if err != nil {
		return err
	}
	if cur.Action != action || cur.Status != engine.StatusFailed || def.DisableRollback || st.OperationID != opID {
		return nil // not ours any more, or no rollback wanted
	}
	return s.startRollback(ctx, tx, cur, action)
}

// finishAction settles a create, update or rollback whose operation ended
// without succeeding: cancel_update rolls back; otherwise the stack goes
// FAILED (finishStack) and a create or update rolls back when the stack
// asks for it (a timeout does, as in Heat; a cancel does not).
func (s *Service) finishAction(ctx context.Context, tx *engine.Tx, op *engine.Operation, action engine.Action, reason string) error {
	stack, err := actingStack(ctx, tx, op, action)
	if err != nil || stack == nil {
		return err
	}
	def, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	cancelled := op.State == engine.OperationStateCancelled
	if cancelled && st.Cancel == cancelRollback && action == engine.ActionUpdate && st.Previous != nil {
		if err := abortInProgress(ctx, tx, stack); err != nil {
			return err
		}
		return s.startRollback(ctx, tx, stack, action)
	}
	if err := s.finishStack(ctx, tx, op, action, reason); err != nil {
		return err
	}
	if cancelled || def.DisableRollback || (action != engine.ActionCreate && action != engine.ActionUpdate && action != engine.ActionRestore) {
		return nil
	}
	failed, err := tx.GetResource(ctx, op.ProjectID, stack.ID)
	if err != nil {
		return err
	}
	return s.startRollback(ctx, tx, failed, action)
}

// abortInProgress fails the stack's resources still in progress
// ("<ACTION> aborted"); the rollback then treats them as failed.
func abortInProgress(ctx context.Context, tx *engine.Tx, stack *engine.Resource) error {
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Status == engine.StatusInProgress {
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action,
				Status: engine.StatusFailed, StatusReason: fmt.Sprintf("%s aborted", r.Action)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// startRollback moves a stack whose create or update (from) failed or
// was cancelled to ROLLBACK_IN_PROGRESS with the definition to go back
// to, makes current again the resources the update replaced, adds rows
// for resources to create again, and submits the rollback operation, all
// in tx. It does nothing when there is nothing to go back to (an update
// stored before Kiln kept previous definitions) or the previous template
// no longer builds.
func (s *Service) startRollback(ctx context.Context, tx *engine.Tx, stack *engine.Resource, from engine.Action) error {
	def, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	prev := st.Previous
	if from == engine.ActionCreate {
		prev = emptyDefinition(def)
	}
	if prev == nil {
		return nil
	}
	back := *def
	back.Description, back.Environment, back.Files = prev.Description, prev.Environment, prev.Files
	back.Parameters, back.Template = prev.Parameters, prev.Template
	pl, err := s.planFor(stack, &back)
	if err != nil {
		s.logger.Warn("stack rollback: previous template does not build", "stack_id", stack.ID, "err", err)
		return nil
	}
	opID := engine.NewUUID()
	if err := restoreReplaced(ctx, tx, stack, st.OperationID, opID); err != nil {
		return err
	}
	if err := syncRows(ctx, tx, stack, pl); err != nil {
		return err
	}
	nst := &stackState{OperationID: opID, Outputs: st.Outputs, Parameters: paramStrings(pl.params)}
	if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, Action: engine.ActionRollback,
		Status: engine.StatusInProgress, StatusReason: "Stack ROLLBACK started",
		Properties: mustJSON(&back), Attributes: mustJSON(nst)}); err != nil {
		return err
	}
	_, _, err = tx.Submit(ctx, &engine.SubmitParams{
		ID: opID, Type: OperationTypeRollback, ProjectID: stack.ProjectID, ResourceID: stack.ID,
		Input: stackOpInput{StackID: stack.ID}, Timeout: time.Duration(def.TimeoutMins) * time.Minute, MaxAttempts: 10,
	})
	return err
}

// restoreReplaced swaps each resource the rolled-back operation replaced
// with its replacement: the old row is current again, the replacement is
// retired (deleted by the rollback). Old rows already being deleted stay
// retired.
func restoreReplaced(ctx context.Context, tx *engine.Tx, stack *engine.Resource, rolledBack, opID string) error {
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return err
	}
	byID := map[string]*engine.Resource{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	for _, r := range rows {
		st, _, err := decodeResource(r)
		if err != nil {
			return err
		}
		repl := byID[st.ReplacedBy]
		if st.ReplacedBy == "" || st.ReplacedDuring != rolledBack || rolledBack == "" ||
			r.Action == engine.ActionDelete || repl == nil {
			continue
		}
		rst, _, err := decodeResource(repl)
		if err != nil {
			return err
		}
		st.ReplacedBy, st.ReplacedDuring = "", ""
		rst.ReplacedBy, rst.ReplacedDuring = r.ID, opID
		for _, u := range []struct {
			r  *engine.Resource
			st *resourceState
		}{{r, st}, {repl, rst}} {
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: u.r.ID, Action: u.r.Action,
				Status: u.r.Status, StatusReason: u.r.StatusReason, Attributes: mustJSON(u.st)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// emptyDefinition is what rolling back a create converges to: Heat's
// empty template of the same version, no parameters, environment or
// files.
func emptyDefinition(def *stackDef) *stackDef {
	var doc map[string]any
	_ = json.Unmarshal(def.Template, &doc)
	empty := map[string]any{}
	for _, k := range []string{"heat_template_version", "HeatTemplateFormatVersion", "AWSTemplateFormatVersion"} {
		if v, ok := doc[k]; ok {
			empty[k] = v
			break
		}
	}
	return &stackDef{Description: "No description", Template: mustJSON(empty)}
}
