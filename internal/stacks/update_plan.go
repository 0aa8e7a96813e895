package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
)

// How a stack update treats one resource that already exists, after
// Heat's Resource.update (heat/engine/resource.py) in the convergence
// engine:
//
//   - a changed type, or a resource left FAILED by an earlier action, is
//     replaced at once;
//   - unchanged properties leave the resource alone (no event);
//   - a changed Immutable property fails the resource: UPDATE_IN_PROGRESS,
//     then UPDATE_FAILED "NotSupported: resources.<name>: Update to
//     properties <p> of <name> (<type>) is not supported.";
//   - when every changed property is UpdateAllowed and the type is an
//     Updater, the resource is updated in place (same row, same physical
//     id): UPDATE_IN_PROGRESS, then UPDATE_COMPLETE when the type is done;
//   - otherwise (or when Update answers CodeUpdateReplace) it is replaced:
//     the old resource goes UPDATE_IN_PROGRESS, then UPDATE_COMPLETE "The
//     Resource <name> requires replacement.", and a new row of the same
//     name is created (CREATE_IN_PROGRESS, CREATE_COMPLETE, a new physical
//     id). Dependents then update against the new resource, and the old
//     one is deleted (DELETE_IN_PROGRESS, DELETE_COMPLETE) once the rest of
//     the stack has reached the new template. The API lists the
//     replacement from the moment it exists.
//
// A replaced row is retired (resourceState.ReplacedBy), not removed, so a
// rollback can make it current again.

// CodeUpdateReplace is the Code of an error an Updater returns to ask for
// replacement instead of an in-place update (Heat's UpdateReplace); its
// Msg is the old resource's UPDATE_COMPLETE reason.
const CodeUpdateReplace = "UpdateReplace"

// UpdateReplace is the error an Updater returns to be replaced, with
// Heat's text "The Resource <what> requires replacement.".
func UpdateReplace(what string) error {
	return &engine.Error{Kind: engine.KindInvalid, Code: CodeUpdateReplace, Op: "resource.update",
		Msg: "The Resource " + what + " requires replacement."}
}

// neverUpdated is implemented by types that ignore stack updates
// entirely (OS::Heat::None: Heat's _needs_update is always false).
type neverUpdated interface{ neverUpdated() }

type updateKind int

const (
	// updateInPlace runs the type's Update on the same row.
	updateInPlace updateKind = iota + 1
	// updateReplace retires the row and creates a new one.
	updateReplace
	// updateFail moves the row UPDATE_IN_PROGRESS -> UPDATE_FAILED.
	updateFail
	// updateMarkComplete settles a FAILED row of a type that is never
	// updated as <ACTION>_COMPLETE.
	updateMarkComplete
	// updateMetadata stores changed metadata of a resource whose
	// properties did not change: UPDATE_IN_PROGRESS -> UPDATE_COMPLETE,
	// no type call (Heat's metadata_set; its default handle_update does
	// nothing without a property diff).
	updateMetadata
)

// updatePlan is what an update does to one existing resource.
type updatePlan struct {
	// announce: a replaced resource first goes UPDATE_IN_PROGRESS and
	// UPDATE_COMPLETE with reason (Heat decides those replacements inside
	// the update action).
	announce bool
	kind     updateKind
	// metadata is the new metadata of updateMetadata.
	metadata map[string]any
	reason   string
}

// planUpdate decides what an update does to a settled resource whose
// dependencies are settled; nil means nothing (unchanged).
func (s *Service) planUpdate(ctx context.Context, pl *plan, pr *planResource, r *engine.Resource,
	stack *engine.Resource, byName map[string]*engine.Resource) (*updatePlan, error) {
	typ, ok := s.typeFor(pl.files, pr.typ)
	if !ok {
		return &updatePlan{kind: updateFail, reason: ResourceFailureReason(r.Name, unknownType(r.Name, pr.typ))}, nil
	}
	rst, _, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	if implType(r, rst) != pr.typ || r.Type != pr.def.Type {
		return &updatePlan{kind: updateReplace}, nil
	}
	if _, ok := typ.(neverUpdated); ok {
		if r.Status == engine.StatusFailed {
			return &updatePlan{kind: updateMarkComplete,
				reason: "Update status to COMPLETE for FAILED resource neither update nor replace."}, nil
		}
		return nil, nil
	}
	if r.Status == engine.StatusFailed {
		return &updatePlan{kind: updateReplace}, nil // Heat's needs_replace_failed
	}
	_, props, err := s.resolveProperties(ctx, pl, pr, stack, byName, typ)
	if err != nil {
		return &updatePlan{kind: updateFail, reason: ResourceFailureReason(r.Name, err)}, nil
	}
	var prev map[string]any
	if len(r.Properties) > 0 {
		if err := json.Unmarshal(r.Properties, &prev); err != nil {
			return nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.decode", Err: err}
		}
	}
	changed := changedProperties(prev, props)
	if len(changed) == 0 {
		if st, _, err := decodeResource(r); err != nil {
			return nil, err
		} else if restoreDiffers(pl.restore[r.Name], r, st) {
			// A restore brings back the snapshot's resource: a new one
			// made from its data replaces this one.
			return &updatePlan{kind: updateReplace, announce: true, reason: "The Resource " + r.Name + " requires replacement."}, nil
		}
		return s.planMetadata(pl, pr, rst, typ, byName)
	}
	return decideUpdate(r.Name, typ, changed), nil
}

// planMetadata decides for a resource whose properties did not change:
// nothing when its resolved metadata did not either; else the metadata is
// stored in place, through the type's Update when it has one (a nested
// stack's resource_facade shows the metadata).
func (s *Service) planMetadata(pl *plan, pr *planResource, st *resourceState, typ ResourceType,
	byName map[string]*engine.Resource) (*updatePlan, error) {
	md, err := pl.tmpl.ResolveMetadata(&evalContext{byName: byName, pl: pl, s: s}, pr.name)
	if err != nil {
		return &updatePlan{kind: updateFail, reason: ResourceFailureReason(pr.name, err)}, nil
	}
	if string(mustJSON(md)) == string(mustJSON(st.Metadata)) || (len(md) == 0 && len(st.Metadata) == 0) {
		return nil, nil
	}
	if _, ok := typ.(Updater); ok {
		return &updatePlan{kind: updateInPlace}, nil
	}
	return &updatePlan{kind: updateMetadata, metadata: md}, nil
}

// changedProperties lists, sorted, the properties whose values differ.
func changedProperties(prev, next map[string]any) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range []map[string]any{prev, next} {
		for k := range m {
			if seen[k] {
				continue
			}
			seen[k] = true
			if string(mustJSON(prev[k])) != string(mustJSON(next[k])) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// decideUpdate is Heat's update_template_diff_properties for the changed
// properties, plus whether the type can update in place at all (Heat's
// default handle_update replaces).
func decideUpdate(name string, typ ResourceType, changed []string) *updatePlan {
	sc := typ.Schema()
	var immutable []string
	allowed := true
	for _, k := range changed {
		ps, ok := sc.Properties[k]
		if ps.Immutable {
			immutable = append(immutable, k)
		}
		allowed = allowed && (ok || sc.AnyProperties) && ps.UpdateAllowed
	}
	if len(immutable) > 0 {
		err := &engine.Error{Kind: engine.KindInvalid, Code: "NotSupported", Op: "resource.update",
			Msg: fmt.Sprintf("Update to properties %s of %s (%s) is not supported.", strings.Join(immutable, ", "), name, sc.Name)}
		return &updatePlan{kind: updateFail, reason: ResourceFailureReason(name, err)}
	}
	if _, ok := typ.(Updater); !ok || !allowed {
		return &updatePlan{kind: updateReplace, announce: true, reason: "The Resource " + name + " requires replacement."}
	}
	return &updatePlan{kind: updateInPlace}
}

// updateChange is the commit of an update that needs no type call:
// a replacement, a failure or a FAILED row marked complete.
func updateChange(r *engine.Resource, pr *planResource, opID string, up *updatePlan) (*resourceChange, error) {
	c := &resourceChange{progressed: true}
	switch up.kind {
	case updateReplace:
		return replaceChange(r, pr, opID, up.announce, up.reason)
	case updateMarkComplete:
		c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action,
			Status: engine.StatusComplete, StatusReason: up.reason})
	case updateMetadata:
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, err
		}
		st.Metadata = up.metadata
		c.updates = append(c.updates,
			&engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionUpdate, Status: engine.StatusInProgress, StatusReason: "state changed"},
			&engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionUpdate, Status: engine.StatusComplete, StatusReason: "state changed",
				Attributes: mustJSON(st)})
	default:
		c.updates = append(c.updates,
			&engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionUpdate, Status: engine.StatusInProgress, StatusReason: "state changed"},
			&engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionUpdate, Status: engine.StatusFailed, StatusReason: up.reason})
	}
	return c, nil
}

// replaceChange retires r and adds the row that replaces it, in
// INIT_COMPLETE (the next pass creates it), in one commit. With announce
// r first goes UPDATE_IN_PROGRESS -> UPDATE_COMPLETE with reason.
func replaceChange(r *engine.Resource, pr *planResource, opID string, announce bool, reason string) (*resourceChange, error) {
	st, _, err := decodeResource(r)
	if err != nil {
		return nil, err
	}
	newID := engine.NewID()
	c := &resourceChange{progressed: true}
	c.creates = append(c.creates, &engine.ResourceCreateParams{
		ID: newID, ProjectID: r.ProjectID, ParentID: r.ParentID, Type: pr.def.Type, Name: pr.name,
		Action: engine.ActionInit, Status: engine.StatusComplete,
		Attributes: mustJSON(withReplaces(newResourceState(pr), r.ID)),
	})
	old := *st
	old.ReplacedBy, old.ReplacedDuring, old.WaitUntil = newID, opID, nil
	if announce {
		c.updates = append(c.updates,
			&engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionUpdate, Status: engine.StatusInProgress, StatusReason: "state changed"},
			&engine.ResourceUpdateParams{ID: r.ID, Action: engine.ActionUpdate, Status: engine.StatusComplete, StatusReason: reason,
				Attributes: mustJSON(old)})
		return c, nil
	}
	c.updates = append(c.updates, &engine.ResourceUpdateParams{ID: r.ID, Action: r.Action, Status: r.Status,
		StatusReason: r.StatusReason, Attributes: mustJSON(old)})
	return c, nil
}

// updateInPlace calls the type's Update with the committed properties as
// prev (RC.Properties holds the new ones).
func (s *Service) updateInPlace(ctx context.Context, typ ResourceType, rc *RC, r *engine.Resource) (*Outcome, error) {
	u, ok := typ.(Updater)
	if !ok {
		return nil, UpdateReplace(r.Name)
	}
	var prev map[string]any
	if len(r.Properties) > 0 {
		if err := json.Unmarshal(r.Properties, &prev); err != nil {
			return nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.decode", Err: err}
		}
	}
	return u.Update(ctx, rc, prev)
}

// withReplaces marks a replacement's state with the row it replaces.
func withReplaces(rs *resourceState, id string) *resourceState {
	rs.Replaces = id
	return rs
}
