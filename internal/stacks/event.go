package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/kilnhq/kiln/internal/engine"
)

// EventTypeSignal is the engine event type of a SIGNAL event.
const EventTypeSignal = "heat.signal"

// stackEventList is the store query for the events Heat shows of a stack:
// the stack's own and its resources' (deleted ones included) state changes
// and SIGNAL events, without INIT (where resources start; Heat logs no
// event for it). The stack's own events show the stack's name and
// StackType; the stack row's name is the stack's, and its engine type is
// aliased to StackType so filters and the resource_type order see what the
// wire shows.
func stackEventList(stack *engine.Resource) *engine.EventListParams {
	return &engine.EventListParams{
		ChildrenOf:          []string{stack.ID},
		ExcludeActions:      []string{string(engine.ActionInit)},
		ProjectID:           stack.ProjectID,
		ResourceIDs:         []string{stack.ID},
		ResourceTypeAliases: map[string]string{stackKind: StackType},
		Types:               []string{engine.EventTypeResourceState, EventTypeSignal},
	}
}

// ListEvents implements API. Filters, order and paging run in the store,
// so a stack with a long history is not read whole. Heat's order is
// newest first unless sort_dir=asc; sort_keys=resource_type sorts by type
// first (in the same direction), other keys keep time order.
func (s *Service) ListEvents(ctx context.Context, ref StackRef, p *EventListParams) ([]*Event, error) {
	const op = "event.list"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	if p.ResourceName != "" && p.ResourceName != stack.Name {
		if _, err := s.findResource(ctx, stack, p.ResourceName); err != nil {
			return nil, err
		}
	}
	lp := stackEventList(stack)
	lp.Actions, lp.Statuses, lp.ResourceTypes = p.ResourceActions, p.ResourceStatus, p.ResourceTypes
	lp.ResourceNames = p.ResourceNames
	noEvents := &engine.Error{Kind: engine.KindNotFound, Code: "HTTPNotFound", Op: op,
		Msg: fmt.Sprintf("No events found for resource %s", p.ResourceName)}
	if p.ResourceName != "" {
		if len(p.ResourceNames) > 0 && !slices.Contains(p.ResourceNames, p.ResourceName) {
			return nil, noEvents
		}
		lp.ResourceNames = []string{p.ResourceName}
	}
	var owners map[string]*engine.Resource
	if p.NestedDepth > 0 {
		// Heat's nested_depth: the events of the nested stacks too, each
		// linked to its own stack and to the root.
		ids, own, err := s.nestedTree(ctx, stack, p.NestedDepth)
		if err != nil {
			return nil, err
		}
		lp.ResourceIDs, lp.ChildrenOf, owners = ids, ids, own
	}
	lp.Descending = p.SortDir != "asc"
	lp.SortByResourceType = slices.Contains(p.SortKeys, "resource_type")
	lp.Marker = p.Marker
	if p.Limit > 0 {
		lp.Limit = p.Limit
	}
	evs, err := s.e.ListEvents(ctx, lp)
	if err != nil {
		if p.Marker == "" || engine.KindOf(err) != engine.KindNotFound {
			return nil, err
		}
		// A resource without events is answered so before its marker.
		if p.ResourceName != "" {
			lp.Marker, lp.Limit = "", 1
			first, err := s.e.ListEvents(ctx, lp)
			if err != nil {
				return nil, err
			}
			if len(first) == 0 {
				return nil, noEvents
			}
		}
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: "EntityNotFound", Op: op,
			Msg: fmt.Sprintf("The Event (%s) could not be found.", p.Marker)}
	}
	if p.ResourceName != "" && len(evs) == 0 && p.Marker == "" {
		return nil, noEvents
	}
	out := make([]*Event, len(evs))
	for i, ev := range evs {
		st := stack
		if o := owners[ev.ResourceID]; o != nil {
			st = o
		}
		out[i] = toEvent(st, ev)
		if p.NestedDepth > 0 {
			out[i].RootStack = &StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID}
		}
	}
	return out, nil
}

// nestedTree lists the stack and its nested stacks down to depth levels:
// their ids, and for every resource and stack of the nested ones, the
// stack it belongs to (a nested stack belongs to itself).
func (s *Service) nestedTree(ctx context.Context, root *engine.Resource, depth int) ([]string, map[string]*engine.Resource, error) {
	ids := []string{root.ID}
	owners := map[string]*engine.Resource{}
	level := []*engine.Resource{root}
	for d := 0; d < depth && len(level) > 0; d++ {
		var next []*engine.Resource
		for _, st := range level {
			rows, err := s.stackResources(ctx, st)
			if err != nil {
				return nil, nil, err
			}
			for _, r := range rows {
				rs, _, err := decodeResource(r)
				if err != nil {
					return nil, nil, err
				}
				id := dataString(rs.Data, "stack_id")
				if id == "" {
					continue
				}
				child, err := s.e.GetResource(ctx, st.ProjectID, id)
				if engine.KindOf(err) == engine.KindNotFound {
					continue
				}
				if err != nil {
					return nil, nil, err
				}
				if child.Type != stackKind || child.ParentID != r.ID || owners[child.ID] != nil {
					continue
				}
				owners[child.ID] = child
				ids = append(ids, child.ID)
				next = append(next, child)
				kids, err := s.stackResources(ctx, child)
				if err != nil {
					return nil, nil, err
				}
				for _, k := range kids {
					owners[k.ID] = child
				}
			}
		}
		level = next
	}
	return ids, owners, nil
}

// GetEvent implements API. It is one store read: the stack's identity
// (not its template or state), the event and the named resource's id.
func (s *Service) GetEvent(ctx context.Context, ref StackRef, resourceName, eventID string) (*Event, error) {
	const op = "event.get"
	u, err := s.e.GetEventUnder(ctx, &engine.EventUnderParams{ChildName: resourceName, ID: eventID, ParentID: ref.ID})
	if err != nil && engine.KindOf(err) != engine.KindNotFound {
		return nil, err
	}
	// As loadStack: the id, of a stack, in the path's project, of the
	// path's name.
	if err != nil || u.ParentType != stackKind || (ref.ProjectID != "" && u.ParentProjectID != ref.ProjectID) ||
		(ref.Name != "" && u.ParentName != ref.Name) {
		name := ref.Name
		if name == "" {
			name = ref.ID
		}
		return nil, stackNotFound("stack.get", name)
	}
	stack := &engine.Resource{ID: ref.ID, Name: u.ParentName, ProjectID: u.ParentProjectID}
	if ev := u.Event; ev != nil {
		want := stack.ID
		if resourceName != stack.Name {
			if u.ChildID == "" {
				return nil, resourceNotFound("resource.get", resourceName, stack.Name)
			}
			want = u.ChildID
		}
		mine := ev.ResourceID == want
		if !mine && resourceName != stack.Name && ev.ResourceName == resourceName {
			// A replaced resource's events stay the resource's: the row
			// that had the name before, under this stack.
			old, gerr := s.e.GetResource(ctx, stack.ProjectID, ev.ResourceID)
			if gerr != nil && engine.KindOf(gerr) != engine.KindNotFound {
				return nil, gerr
			}
			mine = gerr == nil && old.ParentID == stack.ID && old.Name == resourceName
		}
		if mine && (ev.Type == engine.EventTypeResourceState || ev.Type == EventTypeSignal) {
			return toEvent(stack, ev), nil
		}
	}
	return nil, &engine.Error{Kind: engine.KindNotFound, Code: "HTTPNotFound", Op: op,
		Msg: fmt.Sprintf("No event %s found", eventID)}
}

// toEvent converts one engine event of the stack or of its resources.
func toEvent(stack *engine.Resource, ev *engine.Event) *Event {
	e := &Event{
		ID: ev.ID, Action: ev.Action, ResourceName: ev.ResourceName, ResourceType: ev.ResourceType,
		Stack:  StackRef{ID: stack.ID, Name: stack.Name, ProjectID: stack.ProjectID},
		Status: ev.Status, StatusReason: ev.Reason, Time: ev.CreatedAt,
	}
	pid := ev.PhysicalID
	e.PhysicalResourceID = &pid
	if ev.ResourceID == stack.ID {
		e.ResourceName, e.ResourceType = stack.Name, StackType
		id := stack.ID
		e.PhysicalResourceID = &id
		return e
	}
	e.Properties = map[string]any{}
	if len(ev.Data) > 0 && string(ev.Data) != "null" {
		var props map[string]any
		if json.Unmarshal(ev.Data, &props) == nil && props != nil {
			e.Properties = props
		}
	}
	return e
}
