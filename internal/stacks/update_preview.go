package stacks

import (
	"context"
	"sort"

	"github.com/kilnhq/kiln/internal/engine"
)

// UpdatePreview is Heat's preview of an update: the resources it would
// add, delete, replace, update in place, and leave unchanged.
type UpdatePreview struct {
	Added     []*Resource
	Deleted   []*Resource
	Replaced  []*Resource
	Unchanged []*Resource
	Updated   []*Resource
}

// PreviewUpdate implements API: the update the body asks for is built
// and validated as UpdateStack does, and each resource is put where the
// update would take it (planUpdate's decision against the committed
// resources); nothing is written. Updated and deleted resources show as
// they are now, the others as the new template makes them (INIT), as
// Heat's preview_update_stack does.
func (s *Service) PreviewUpdate(ctx context.Context, p *UpdateParams) (*UpdatePreview, error) {
	const op = "stack.preview_update"
	stack, err := s.loadStack(ctx, p.Ref)
	if err != nil {
		return nil, err
	}
	if stack.DeletedAt != nil {
		return nil, stackNotFound(op, p.Ref.Name)
	}
	old, _, err := decodeStack(stack)
	if err != nil {
		return nil, err
	}
	req, envMap := updateRequest(old, p)
	_, pl, err := s.updateDefinition(stack, old, req, envMap, engine.ActionUpdate)
	if err != nil {
		return nil, err
	}
	rows, err := s.stackResources(ctx, stack)
	if err != nil {
		return nil, err
	}
	byName := map[string]*engine.Resource{}
	for _, r := range rows {
		if !retired(r) {
			byName[r.Name] = r
		}
	}
	now := s.e.Now()
	ref := StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID}
	planned := func(pr *planResource) *Resource {
		return &Resource{Action: string(engine.ActionInit), CreatedAt: now, Description: pr.def.Description,
			Name: pr.name, RequiredBy: orEmpty(pr.requiredBy), Stack: ref, Status: string(engine.StatusComplete),
			Type: pr.def.Type, UpdatedAt: now}
	}
	current := func(r *engine.Resource) (*Resource, error) {
		st, _, err := decodeResource(r)
		if err != nil {
			return nil, err
		}
		return toResource(stack, r, st, false), nil
	}
	out := &UpdatePreview{Added: []*Resource{}, Deleted: []*Resource{}, Replaced: []*Resource{},
		Unchanged: []*Resource{}, Updated: []*Resource{}}
	for _, pr := range pl.resources {
		r := byName[pr.name]
		if r == nil || r.Action == engine.ActionInit {
			out.Added = append(out.Added, planned(pr))
			continue
		}
		up, err := s.planUpdate(ctx, pl, pr, r, stack, byName)
		if err != nil {
			return nil, err
		}
		switch {
		case up == nil:
			out.Unchanged = append(out.Unchanged, planned(pr))
		case up.kind == updateFail:
			return nil, &engine.Error{Kind: engine.KindInvalid, Code: "StackValidationFailed", Op: op, Msg: up.reason}
		case up.kind == updateReplace:
			out.Replaced = append(out.Replaced, planned(pr))
		default:
			cur, err := current(r)
			if err != nil {
				return nil, err
			}
			out.Updated = append(out.Updated, cur)
		}
	}
	for _, r := range rows {
		if retired(r) || pl.byName[r.Name] != nil {
			continue
		}
		cur, err := current(r)
		if err != nil {
			return nil, err
		}
		out.Deleted = append(out.Deleted, cur)
	}
	for _, l := range [][]*Resource{out.Added, out.Deleted, out.Replaced, out.Unchanged, out.Updated} {
		sort.Slice(l, func(i, j int) bool { return l[i].Name < l[j].Name })
	}
	return out, nil
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
