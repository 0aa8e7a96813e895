package stacks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// UpdateStack implements API. PUT replaces the template, parameters and
// environment; PATCH (Existing) keeps what is not given. The stack goes
// UPDATE_IN_PROGRESS at once, keeping its previous definition for a
// rollback, and an update operation brings its resources to the new plan:
// new ones are created, changed ones updated in place or replaced (see
// planUpdate), removed ones deleted.
func (s *Service) UpdateStack(ctx context.Context, p *UpdateParams) error {
	const op = "stack.update"
	stack, err := s.loadStack(ctx, p.Ref)
	if err != nil {
		return err
	}
	if stack.DeletedAt != nil {
		return stackNotFound(op, p.Ref.Name)
	}
	if err := updatable(op, stack); err != nil {
		return err
	}
	old, _, err := decodeStack(stack)
	if err != nil {
		return err
	}
	req, envMap := updateRequest(old, p)
	return s.startUpdate(ctx, stack, req, envMap, engine.ActionUpdate, "")
}

// updateRequest is the definition an update asks for: PUT's as given,
// PATCH's (Existing) merged over the stored one (old) — the template,
// environment, tags and files kept unless given, parameters merged less
// ClearParameters. envMap is the stored environment to merge first.
func updateRequest(old *stackDef, p *UpdateParams) (*CreateParams, map[string]any) {
	req := p.CreateParams
	var envMap map[string]any
	if p.Existing {
		if len(req.Template) == 0 {
			req.Template = old.Template
		}
		params := map[string]any{}
		for k, v := range old.Parameters {
			params[k] = v
		}
		for _, k := range p.ClearParameters {
			delete(params, k)
		}
		for k, v := range p.Parameters {
			params[k] = v
		}
		req.Parameters = params
		if len(req.Environment) == 0 {
			envMap = old.Environment
		}
		files := map[string]string{}
		for k, v := range old.Files {
			files[k] = v
		}
		for k, v := range p.Files {
			files[k] = v
		}
		req.Files = files
		if req.Tags == nil {
			req.Tags = old.Tags
		}
	}
	return &req, envMap
}

// updatable answers Heat's refusals of an update (or restore) of a stack
// in its current state.
func updatable(op string, stack *engine.Resource) error {
	switch {
	case stack.Action == engine.ActionDelete:
		return &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: op,
			Msg: "Updating a stack when it is deleting is not supported."}
	case stack.Action == engine.ActionSuspend && stack.Status == engine.StatusComplete:
		return &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: op,
			Msg: "Updating a stack when it is suspended is not supported."}
	case stack.Status == engine.StatusInProgress:
		return actionInProgress(op, stack)
	}
	return nil
}

// startUpdate moves a stack to <action>_IN_PROGRESS (UPDATE, or RESTORE
// from snapshotID) with the definition req builds (envMap: a stored
// environment merged first), keeping the previous one for a rollback, and
// submits the operation that reconciles its resources, in one transaction.
func (s *Service) startUpdate(ctx context.Context, stack *engine.Resource, req *CreateParams, envMap map[string]any,
	action engine.Action, snapshotID string) error {
	op := "stack." + strings.ToLower(string(action))
	if err := updatable(op, stack); err != nil {
		return err
	}
	old, st, err := decodeStack(stack)
	if err != nil {
		return err
	}
	def, pl, err := s.updateDefinition(stack, old, req, envMap, action)
	if err != nil {
		return err
	}
	opType := OperationTypeUpdate
	if action == engine.ActionRestore {
		opType = OperationTypeRestore
	}
	opID := engine.NewUUID()
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		// Keep what a rollback restores (Heat's prev_raw_template).
		prev := *old
		st.Cancel = ""
		st.OperationID = opID
		st.Parameters = paramStrings(pl.params)
		st.Previous = &prev
		if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, ExpectedVersion: stack.Version,
			Action: action, Status: engine.StatusInProgress, StatusReason: fmt.Sprintf("Stack %s started", action),
			Properties: mustJSON(def), Attributes: mustJSON(st)}); err != nil {
			return err
		}
		if err := syncRows(ctx, tx, stack, pl); err != nil {
			return err
		}
		_, _, err := tx.Submit(ctx, &engine.SubmitParams{
			ID: opID, Type: opType, ProjectID: stack.ProjectID, ResourceID: stack.ID,
			Input: stackOpInput{SnapshotID: snapshotID, StackID: stack.ID}, Timeout: time.Duration(def.TimeoutMins) * time.Minute, MaxAttempts: 10,
		})
		return err
	})
	if engine.KindOf(err) == engine.KindConflict && engine.CodeOf(err) == "" {
		// Another action started between our read and our write.
		return &engine.Error{Kind: engine.KindConflict, Code: "ActionInProgress", Op: op,
			Msg: fmt.Sprintf("Stack %s already has an action (%s) in progress.", stack.Name, action), Err: err}
	}
	return err
}

// updateDefinition validates and builds what an update (or a restore, or
// its preview) of stack, whose stored definition is old, changes it to.
func (s *Service) updateDefinition(stack *engine.Resource, old *stackDef, req *CreateParams, envMap map[string]any,
	action engine.Action) (*stackDef, *plan, error) {
	req.Name = stack.Name
	req.Caller.ProjectID = stack.ProjectID
	if req.Caller.UserName == "" {
		req.Caller.UserName = old.Owner
	}
	if action == engine.ActionRestore && req.Tags == nil {
		req.Tags = old.Tags
	}
	// Heat keeps timeout_mins and disable_rollback unless given, for PUT
	// and PATCH alike (service.stack_update); a restore keeps them.
	if req.TimeoutMins == nil {
		t := old.TimeoutMins
		req.TimeoutMins = &t
	}
	if req.DisableRollback == nil {
		d := old.DisableRollback
		req.DisableRollback = &d
	}
	if req.nested == nil {
		req.nested = old.Nested
	}
	return s.newStackWithEnv(req, stack.ID, envMap)
}

// syncRows makes a stack's rows match a plan before an update or a
// rollback runs: each current row of a planned name gets its new place in
// the graph (same state, so no event), and each planned name without one
// gets a new INIT_COMPLETE row. Rows the plan no longer has are left for
// the operation to delete.
func syncRows(ctx context.Context, tx *engine.Tx, stack *engine.Resource, pl *plan) error {
	existing, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return err
	}
	have := map[string]*engine.Resource{}
	for _, r := range existing {
		if !retired(r) {
			have[r.Name] = r
		}
	}
	for _, pr := range pl.resources {
		rs := newResourceState(pr)
		if r := have[pr.name]; r != nil {
			cur, _, err := decodeResource(r)
			if err != nil {
				return err
			}
			cur.Description, cur.DependsOn, cur.RequiredBy = rs.Description, rs.DependsOn, rs.RequiredBy
			if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action,
				Status: r.Status, StatusReason: r.StatusReason, Attributes: mustJSON(cur)}); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.CreateResource(ctx, &engine.ResourceCreateParams{
			ProjectID: stack.ProjectID, ParentID: stack.ID, Type: pr.def.Type, Name: pr.name,
			Action: engine.ActionInit, Status: engine.StatusComplete, Attributes: mustJSON(rs),
		}); err != nil {
			return err
		}
	}
	return nil
}
