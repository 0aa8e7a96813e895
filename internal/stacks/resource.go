package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/kilnhq/kiln/internal/engine"
)

// resourceState is what a stack's resource keeps beside its properties, in
// the engine resource's attributes.
type resourceState struct {
	Attributes map[string]any `json:"attributes,omitempty"`
	Data       map[string]any `json:"data,omitempty"`
	// DeletionPolicy is the resolved deletion_policy when not "Delete".
	DeletionPolicy string `json:"deletion_policy,omitempty"`
	// UpdatePolicy is the resolved update_policy, if any.
	UpdatePolicy map[string]any `json:"update_policy,omitempty"`
	// Impl is the type that implements the resource when the template's
	// type (the row's, which the API shows, as Heat does) maps to another
	// through the environment (a registry alias, a template file).
	Impl        string         `json:"impl,omitempty"`
	DependsOn   []string       `json:"depends_on,omitempty"`
	Description string         `json:"description,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	// ReplacedBy is set on a resource an update replaced: the id of the
	// row that replaces it. Such a row is retired: no longer the stack's
	// resource of its name, deleted once the update has brought the rest
	// of the stack to the new template (or made current again by a
	// rollback).
	ReplacedBy string `json:"replaced_by,omitempty"`
	// ReplacedDuring is the operation that replaced the resource; a
	// rollback of that operation restores it.
	ReplacedDuring string `json:"replaced_during,omitempty"`
	// Replaces is the id of the row this one replaces.
	Replaces   string   `json:"replaces,omitempty"`
	RequiredBy []string `json:"required_by,omitempty"`
	// WaitUntil is when a resource left in progress wants its Check.
	WaitUntil *string `json:"wait_until,omitempty"`
}

func decodeResource(r *engine.Resource) (*resourceState, map[string]any, error) {
	var st resourceState
	var props map[string]any
	if len(r.Attributes) > 0 {
		if err := json.Unmarshal(r.Attributes, &st); err != nil {
			return nil, nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.decode", Err: err}
		}
	}
	if len(r.Properties) > 0 {
		if err := json.Unmarshal(r.Properties, &props); err != nil {
			return nil, nil, &engine.Error{Kind: engine.KindInternal, Op: "resource.decode", Err: err}
		}
	}
	return &st, props, nil
}

// implType is the type that implements a resource: the environment's
// mapping of its template type, or that type itself.
func implType(r *engine.Resource, st *resourceState) string {
	if st != nil && st.Impl != "" {
		return st.Impl
	}
	return r.Type
}

// newResourceState is a planned resource's state before it is created.
func newResourceState(pr *planResource) *resourceState {
	rs := &resourceState{Description: pr.def.Description, DependsOn: pr.deps, RequiredBy: pr.requiredBy}
	if pr.typ != pr.def.Type {
		rs.Impl = pr.typ
	}
	return rs
}

func resourceNotFound(op, name, stackName string) error {
	return &engine.Error{Kind: engine.KindNotFound, Code: "ResourceNotFound", Op: op, Resource: "resource", ID: name,
		Msg: fmt.Sprintf("The Resource (%s) could not be found in Stack %s.", name, stackName)}
}

// stackResources lists the resources of a stack (not the nested ones).
func (s *Service) stackResources(ctx context.Context, stack *engine.Resource) ([]*engine.Resource, error) {
	return s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID, IncludeDeleted: true})
}

func toResource(stack *engine.Resource, r *engine.Resource, st *resourceState, detail bool) *Resource {
	out := &Resource{
		Action: string(r.Action), CreatedAt: r.CreatedAt, Name: r.Name, PhysicalID: r.PhysicalID,
		RequiredBy: st.RequiredBy, Stack: StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID},
		Status: string(r.Status), StatusReason: r.StatusReason, Type: r.Type, UpdatedAt: r.UpdatedAt,
	}
	if out.RequiredBy == nil {
		out.RequiredBy = []string{}
	}
	if id, name := dataString(st.Data, "stack_id"), dataString(st.Data, "stack_name"); id != "" && name != "" &&
		r.Action != engine.ActionInit && !(r.Action == engine.ActionDelete && r.Status == engine.StatusComplete) {
		out.NestedStack = &StackRef{ID: id, Name: name, ProjectID: r.ProjectID}
	}
	if detail {
		out.Description = st.Description
		out.Attributes = map[string]any{}
		for k, v := range st.Attributes {
			out.Attributes[k] = v
		}
	}
	return out
}

// ListResources implements API.
func (s *Service) ListResources(ctx context.Context, ref StackRef, p *ResourceListParams) ([]*Resource, error) {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.listResources(ctx, stack, p, p.NestedDepth, "")
}

// listResources lists a stack's resources and, depth levels down, those
// of its resources' nested stacks (each naming its parent resource).
func (s *Service) listResources(ctx context.Context, stack *engine.Resource, p *ResourceListParams, depth int, parentName string) ([]*Resource, error) {
	rs, err := s.stackResources(ctx, stack)
	if err != nil {
		return nil, err
	}
	match := func(key, v string) bool {
		vals, ok := p.Filters[key]
		if !ok || len(vals) == 0 {
			return true
		}
		for _, x := range vals {
			if x == v {
				return true
			}
		}
		return false
	}
	var out []*Resource
	for _, r := range rs {
		if retired(r) {
			continue // deleted, or being replaced: the replacement is listed
		}
		if !match("name", r.Name) || !match("type", r.Type) || !match("status", string(r.Status)) ||
			!match("action", string(r.Action)) || !match("id", r.ID) || !match("physical_resource_id", r.PhysicalID) {
			continue
		}
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, err
		}
		res := toResource(stack, r, st, p.WithDetail)
		res.ParentName = parentName
		out = append(out, res)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if depth <= 0 {
		return out, nil
	}
	var nested []*Resource
	for _, r := range rs {
		if r.DeletedAt != nil {
			continue
		}
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, err
		}
		id := dataString(st.Data, "stack_id")
		if id == "" {
			continue
		}
		child, err := s.e.GetResource(ctx, stack.ProjectID, id)
		if engine.KindOf(err) == engine.KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if child.Type != stackKind || child.DeletedAt != nil {
			continue
		}
		more, err := s.listResources(ctx, child, p, depth-1, r.Name)
		if err != nil {
			return nil, err
		}
		nested = append(nested, more...)
	}
	return append(out, nested...), nil
}

// findResource finds the live resource of the stack by name: the current
// one when an update is replacing it (see retired).
func (s *Service) findResource(ctx context.Context, stack *engine.Resource, name string) (*engine.Resource, error) {
	rs, err := s.e.ListResources(ctx, &engine.ResourceListParams{ProjectID: stack.ProjectID, ParentID: stack.ID, Name: name})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if !retired(r) {
			return r, nil
		}
	}
	if len(rs) == 0 {
		return nil, resourceNotFound("resource.get", name, stack.Name)
	}
	return rs[0], nil
}

// retired reports whether a row was replaced by another of the same name
// (resourceState.ReplacedBy) and so is not the stack's resource of that
// name any more.
func retired(r *engine.Resource) bool {
	if r.DeletedAt != nil {
		return true
	}
	var st struct {
		ReplacedBy string `json:"replaced_by"`
	}
	if len(r.Attributes) == 0 || json.Unmarshal(r.Attributes, &st) != nil {
		return false
	}
	return st.ReplacedBy != ""
}

// loadResource reads a stack's live resource by name, with its state.
func (s *Service) loadResource(ctx context.Context, ref StackRef, name string) (*engine.Resource, *engine.Resource, *resourceState, error) {
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := s.findResource(ctx, stack, name)
	if err != nil {
		return nil, nil, nil, err
	}
	st, _, err := decodeResource(r)
	if err != nil {
		return nil, nil, nil, err
	}
	return stack, r, st, nil
}

// GetResource implements API.
func (s *Service) GetResource(ctx context.Context, ref StackRef, name string, withAttr []string) (*Resource, error) {
	stack, r, st, err := s.loadResource(ctx, ref, name)
	if err != nil {
		return nil, err
	}
	out := toResource(stack, r, st, true)
	for _, a := range withAttr {
		if _, ok := out.Attributes[a]; !ok {
			out.Attributes[a] = nil
		}
	}
	return out, nil
}

// ResourceMetadata implements API.
func (s *Service) ResourceMetadata(ctx context.Context, ref StackRef, name string) (map[string]any, error) {
	_, r, st, err := s.loadResource(ctx, ref, name)
	if err != nil {
		return nil, err
	}
	md := map[string]any{}
	for k, v := range st.Metadata {
		md[k] = v
	}
	if implType(r, st) == "OS::Heat::WaitConditionHandle" {
		// A handle's signals are its metadata, keyed by signal id, over
		// the template's (Heat's metadata_set on each signal).
		sigs, err := s.e.ListSignals(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for k, v := range HandleMetadata(toSignalData(sigs)) {
			md[k] = v
		}
	}
	return md, nil
}
