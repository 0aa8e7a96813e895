package stacks

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kilnhq/kiln/internal/engine"
)

// Snapshots and export, after Heat 19 (heat/engine/service.py
// stack_snapshot, stack_restore, export_stack; stack.py snapshot,
// restore_data, prepare_abandon):
//
//   - A snapshot is an engine resource of type snapshotKind whose parent
//     id is snapshotParent(stack id), not the stack's id, so nothing that
//     walks a stack's children (actions, events, event purge, nested
//     lists) sees it. Its Properties hold the name, its Attributes the
//     data; its state is CREATE × (IN_PROGRESS | COMPLETE | FAILED), shown
//     as Heat's snapshot status.
//   - Creating one stores the snapshot IN_PROGRESS, moves the stack to
//     SNAPSHOT_IN_PROGRESS "Stack SNAPSHOT started" and submits a stack
//     action operation, in one transaction. The operation moves each
//     created resource SNAPSHOT_IN_PROGRESS → SNAPSHOT_COMPLETE, then, in
//     one transaction, writes the snapshot's data (the export of the stack,
//     status COMPLETE) and completes both the snapshot and the stack
//     ("Stack SNAPSHOT completed successfully"). A failed operation leaves
//     both FAILED with its reason. Nested stacks are not entered, as in
//     Heat (a stack-backed resource has no handle_snapshot).
//   - Restoring is an update to the snapshot's template, environment and
//     files whose stack action is RESTORE ("Stack RESTORE started" →
//     "Stack RESTORE completed successfully"), run by the update
//     reconciler. Resources of a Restorer type (Heat's handle_restore) are
//     brought back to their snapshot data: one created by the restore
//     starts from it, and one whose data differs is replaced by one that
//     does. A failed restore rolls back when disable_rollback is false.
//   - Deleting a stack deletes its snapshots (when the delete starts, as
//     Heat's legacy engine does).

// snapshotKind is the engine resource type of a snapshot row.
const snapshotKind = "heat.snapshot"

// snapshotParent is the parent id of a stack's snapshot rows.
func snapshotParent(stackID string) string { return snapshotKind + "/" + stackID }

// snapshotRowName is the engine name of every snapshot row (the engine
// wants one; Heat's may be null, so it lives in the properties).
const snapshotRowName = "snapshot"

// Snapshot is a stack snapshot as Heat's format_snapshot shows it.
type Snapshot struct {
	CreatedAt time.Time
	// Data is the stack's export when the snapshot completed; nil before.
	Data         map[string]any
	ID           string
	Name         *string
	Status       string
	StatusReason *string
}

type snapshotProps struct {
	Name *string `json:"name"`
}

type snapshotAttrs struct {
	Data map[string]any `json:"data,omitempty"`
}

// Restorer is implemented by types whose resources a snapshot restores
// (Heat's handle_restore). RestoreData returns the type's Data a resource
// brought back from saved (its snapshot resource_data) starts with, nil
// when saved holds nothing to restore. Create must then reproduce the
// saved resource from it (the same value, the same physical id).
type Restorer interface {
	RestoreData(saved map[string]any) map[string]any
}

func snapshotFromRow(r *engine.Resource) (*Snapshot, error) {
	var p snapshotProps
	var a snapshotAttrs
	if len(r.Properties) > 0 {
		if err := jsonUnmarshal(r.Properties, &p); err != nil {
			return nil, err
		}
	}
	if len(r.Attributes) > 0 {
		if err := jsonUnmarshal(r.Attributes, &a); err != nil {
			return nil, err
		}
	}
	out := &Snapshot{CreatedAt: r.CreatedAt, Data: a.Data, ID: r.ID, Name: p.Name, Status: string(r.Status)}
	if r.StatusReason != "" {
		reason := r.StatusReason
		out.StatusReason = &reason
	}
	return out, nil
}

func actionInProgress(op string, stack *engine.Resource) error {
	return &engine.Error{Kind: engine.KindConflict, Code: "ActionInProgress", Op: op,
		Msg: fmt.Sprintf("Stack %s already has an action (%s) in progress.", stack.Name, stack.Action)}
}

// SnapshotStack implements API: the snapshot is answered IN_PROGRESS,
// without data, as Heat does; the stack action operation completes it.
func (s *Service) SnapshotStack(ctx context.Context, ref StackRef, name *string) (*Snapshot, error) {
	const op = "stack.snapshot"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	if stack.DeletedAt != nil {
		return nil, stackNotFound(op, ref.Name)
	}
	if stack.Status == engine.StatusInProgress {
		return nil, actionInProgress(op, stack)
	}
	_, st, err := decodeStack(stack)
	if err != nil {
		return nil, err
	}
	var row *engine.Resource
	opID := engine.NewUUID()
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		var err error
		row, err = tx.CreateResource(ctx, &engine.ResourceCreateParams{ID: engine.NewUUID(), ProjectID: stack.ProjectID,
			ParentID: snapshotParent(stack.ID), Type: snapshotKind, Name: snapshotRowName,
			Action: engine.ActionCreate, Status: engine.StatusInProgress, Properties: mustJSON(snapshotProps{Name: name})})
		if err != nil {
			return err
		}
		st.OperationID = opID
		if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: stack.ID, ExpectedVersion: stack.Version,
			Action: engine.ActionSnapshot, Status: engine.StatusInProgress, StatusReason: "Stack SNAPSHOT started",
			Attributes: mustJSON(st)}); err != nil {
			return err
		}
		_, _, err = tx.Submit(ctx, &engine.SubmitParams{ID: opID, Type: OperationTypeAction, ProjectID: stack.ProjectID,
			ResourceID: stack.ID, Input: stackActionInput{Action: engine.ActionSnapshot, SnapshotID: row.ID, StackID: stack.ID},
			MaxAttempts: 10, Timeout: time.Duration(defaultTimeoutMins) * time.Minute})
		return err
	})
	if engine.KindOf(err) == engine.KindConflict && engine.CodeOf(err) == "" {
		return nil, &engine.Error{Kind: engine.KindConflict, Code: "ActionInProgress", Op: op,
			Msg: fmt.Sprintf("Stack %s already has an action in progress.", stack.Name), Err: err}
	}
	if err != nil {
		return nil, err
	}
	return snapshotFromRow(row)
}

// completeSnapshot writes, in the transaction that completes a SNAPSHOT
// action, the snapshot's data and final state (Heat's save_snapshot,
// called just before the stack completes).
func (s *Service) completeSnapshot(ctx context.Context, tx *engine.Tx, stack *engine.Resource, snapshotID string,
	status engine.Status, reason string) error {
	snap, err := tx.GetResource(ctx, stack.ProjectID, snapshotID)
	if err != nil {
		return err
	}
	if snap.Status != engine.StatusInProgress {
		return nil
	}
	var attrs []byte
	if status == engine.StatusComplete {
		cur, err := tx.GetResource(ctx, stack.ProjectID, stack.ID)
		if err != nil {
			return err
		}
		data, err := exportData(ctx, tx, cur)
		if err != nil {
			return err
		}
		data["status"] = string(status)
		attrs = mustJSON(snapshotAttrs{Data: data})
	}
	_, err = tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: snap.ID, Action: engine.ActionCreate, Status: status,
		StatusReason: reason, Attributes: attrs})
	return err
}

// getSnapshot reads a snapshot of the stack with Heat's 404s: an id
// unknown in the project is NotFound "Snapshot with id X not found"; one
// of another stack is SnapshotNotFound.
func (s *Service) getSnapshot(ctx context.Context, stack *engine.Resource, id string) (*engine.Resource, error) {
	const op = "snapshot.get"
	r, err := s.e.GetResource(ctx, stack.ProjectID, id)
	if engine.KindOf(err) == engine.KindNotFound || (err == nil && (r.Type != snapshotKind || r.DeletedAt != nil)) {
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: "NotFound", Op: op, Resource: "snapshot", ID: id,
			Msg: fmt.Sprintf("Snapshot with id %s not found", id)}
	}
	if err != nil {
		return nil, err
	}
	if r.ParentID != snapshotParent(stack.ID) {
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: "SnapshotNotFound", Op: op, Resource: "snapshot", ID: id,
			Msg: fmt.Sprintf("The Snapshot (%s) for Stack (%s) could not be found.", id, stack.Name)}
	}
	return r, nil
}

// GetSnapshot implements API.
func (s *Service) GetSnapshot(ctx context.Context, ref StackRef, id string) (*Snapshot, error) {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	r, err := s.getSnapshot(ctx, stack, id)
	if err != nil {
		return nil, err
	}
	return snapshotFromRow(r)
}

// ListSnapshots implements API: the stack's snapshots, oldest first (as
// Heat's query, which has no order, returns them in practice).
func (s *Service) ListSnapshots(ctx context.Context, ref StackRef) ([]*Snapshot, error) {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID,
		ParentID: snapshotParent(stack.ID), Type: snapshotKind})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].CreatedAt.Before(rows[j].CreatedAt) })
	out := make([]*Snapshot, 0, len(rows))
	for _, r := range rows {
		snap, err := snapshotFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, snap)
	}
	return out, nil
}

// DeleteSnapshot implements API. A snapshot still in progress is Heat's
// 400 NotSupported.
func (s *Service) DeleteSnapshot(ctx context.Context, ref StackRef, id string) error {
	const op = "snapshot.delete"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return err
	}
	r, err := s.getSnapshot(ctx, stack, id)
	if err != nil {
		return err
	}
	if r.Status == engine.StatusInProgress {
		return &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: op,
			Msg: "Deleting in-progress snapshot is not supported."}
	}
	return s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		return deleteSnapshotRow(ctx, tx, r)
	})
}

// deleteSnapshotRow removes a snapshot row (DELETE_IN_PROGRESS, then
// DELETE_COMPLETE, in tx). Built-in types keep nothing outside Kiln for a
// snapshot, so there is nothing else to delete.
func deleteSnapshotRow(ctx context.Context, tx *engine.Tx, r *engine.Resource) error {
	if _, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionDelete,
		Status: engine.StatusInProgress, StatusReason: "Snapshot delete started"}); err != nil {
		return err
	}
	_, err := tx.UpdateResource(ctx, &engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionDelete,
		Status: engine.StatusComplete, StatusReason: "Snapshot delete completed"})
	return err
}

// deleteSnapshots removes every snapshot of a stack, in tx.
func deleteSnapshots(ctx context.Context, tx *engine.Tx, stack *engine.Resource) error {
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID,
		ParentID: snapshotParent(stack.ID), Type: snapshotKind})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := deleteSnapshotRow(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

// RestoreSnapshot implements API: an update to the snapshot's template,
// environment and files, as the stack action RESTORE; see UpdateStack.
// A snapshot not COMPLETE is Heat's 400 NotSupported.
func (s *Service) RestoreSnapshot(ctx context.Context, ref StackRef, id string) error {
	const op = "stack.restore"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return err
	}
	if stack.DeletedAt != nil {
		return stackNotFound(op, ref.Name)
	}
	r, err := s.getSnapshot(ctx, stack, id)
	if err != nil {
		return err
	}
	snap, err := snapshotFromRow(r)
	if err != nil {
		return err
	}
	if snap.Status != string(engine.StatusComplete) || snap.Data == nil {
		return &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: op,
			Msg: "Restoring incomplete snapshot is not supported."}
	}
	req := CreateParams{Template: mustJSON(snap.Data["template"])}
	env, _ := snap.Data["environment"].(map[string]any)
	if params, ok := env["parameters"].(map[string]any); ok {
		req.Parameters = params
	}
	if files, ok := snap.Data["files"].(map[string]any); ok {
		req.Files = map[string]string{}
		for k, v := range files {
			if str, ok := v.(string); ok {
				req.Files[k] = str
			}
		}
	}
	return s.startUpdate(ctx, stack, &req, env, engine.ActionRestore, r.ID)
}

// ExportStack implements API: Heat's export (prepare_abandon) of the
// stack. Whether the API offers it is the dialect's choice (Heat's
// enable_stack_abandon).
func (s *Service) ExportStack(ctx context.Context, ref StackRef) (map[string]any, error) {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = s.e.InTx(ctx, func(ctx context.Context, tx *engine.Tx) error {
		var err error
		out, err = exportData(ctx, tx, stack)
		return err
	})
	return out, err
}

// exportData is Heat's Stack.prepare_abandon: the stack's name, id,
// state, template, environment (with the parameters given), files, tags
// and, per resource, Resource.prepare_abandon (name, resource_id, type,
// action, status, metadata, resource_data: the type's data).
func exportData(ctx context.Context, tx *engine.Tx, stack *engine.Resource) (map[string]any, error) {
	def, _, err := decodeStack(stack)
	if err != nil {
		return nil, err
	}
	env := environmentOf(def)
	if len(def.Parameters) > 0 {
		params := map[string]any{}
		if p, ok := env["parameters"].(map[string]any); ok {
			for k, v := range p {
				params[k] = v
			}
		}
		for k, v := range def.Parameters {
			params[k] = v
		}
		env["parameters"] = params
	}
	var tmpl any
	if err := jsonUnmarshal(def.Template, &tmpl); err != nil {
		return nil, err
	}
	files := map[string]any{}
	for k, v := range def.Files {
		files[k] = v
	}
	rows, err := tx.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID})
	if err != nil {
		return nil, err
	}
	resources := map[string]any{}
	for _, r := range rows {
		if retired(r) {
			continue
		}
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, err
		}
		var physical any
		if r.PhysicalID != "" {
			physical = r.PhysicalID
		}
		data := map[string]any{}
		for k, v := range st.Data {
			if k != "endpoint" { // derived from the URL each time
				data[k] = v
			}
		}
		md := st.Metadata
		if md == nil {
			md = map[string]any{}
		}
		resources[r.Name] = map[string]any{
			"action": string(r.Action), "metadata": md, "name": r.Name, "resource_data": data,
			"resource_id": physical, "status": string(r.Status), "type": r.Type,
		}
	}
	var tags any
	if len(def.Tags) > 0 {
		tags = def.Tags
	}
	return map[string]any{
		"action": string(stack.Action), "environment": env, "files": files, "id": stack.ID, "name": stack.Name,
		"project_id": stack.ProjectID, "resources": resources, "stack_user_project_id": stack.ProjectID,
		"status": string(stack.Status), "tags": tags, "template": tmpl,
	}, nil
}

// restoredResource is what a restore brings one resource back to.
type restoredResource struct {
	data map[string]any // the Restorer's Data
	typ  string
}

// loadRestore reads, for a restore operation, the snapshot's resources
// that a Restorer type brings back (a deleted snapshot still has them).
func (s *Service) loadRestore(ctx context.Context, projectID, snapshotID string, files map[string]string) (map[string]*restoredResource, error) {
	r, err := s.e.GetResource(ctx, projectID, snapshotID)
	if err != nil {
		return nil, err
	}
	snap, err := snapshotFromRow(r)
	if err != nil {
		return nil, err
	}
	out := map[string]*restoredResource{}
	resources, _ := snap.Data["resources"].(map[string]any)
	for name, v := range resources {
		m, _ := v.(map[string]any)
		typName, _ := m["type"].(string)
		saved, _ := m["resource_data"].(map[string]any)
		typ, ok := s.typeFor(files, typName)
		if !ok {
			continue
		}
		rt, ok := typ.(Restorer)
		if !ok {
			continue
		}
		if data := rt.RestoreData(saved); data != nil {
			out[name] = &restoredResource{data: data, typ: typName}
		}
	}
	return out, nil
}

// restoreDiffers says whether a resource's data differs from what a
// restore brings it back to.
func restoreDiffers(want *restoredResource, r *engine.Resource, st *resourceState) bool {
	if want == nil || want.typ != r.Type {
		return false
	}
	for k, v := range want.data {
		if string(mustJSON(st.Data[k])) != string(mustJSON(v)) {
			return true
		}
	}
	return false
}
