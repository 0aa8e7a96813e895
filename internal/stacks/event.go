package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kilnhq/kiln/internal/engine"
)

// EventTypeSignal is the engine event type of a SIGNAL event.
const EventTypeSignal = "heat.signal"

// stackEvents lists the events of a stack and its resources, oldest first.
func (s *Service) stackEvents(ctx context.Context, stack *engine.Resource) ([]*Event, error) {
	rs, err := s.stackResources(ctx, stack)
	if err != nil {
		return nil, err
	}
	ids := []string{stack.ID}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	evs, err := s.e.ListEvents(ctx, &engine.EventListParams{ProjectID: stack.ProjectID, ResourceIDs: ids})
	if err != nil {
		return nil, err
	}
	out := make([]*Event, 0, len(evs))
	for _, ev := range evs {
		// INIT_COMPLETE is where resources start; Heat logs no event for it.
		if (ev.Type == engine.EventTypeResourceState || ev.Type == EventTypeSignal) && ev.Action != string(engine.ActionInit) {
			out = append(out, toEvent(stack, ev))
		}
	}
	return out, nil
}

// ListEvents implements API.
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
	all, err := s.stackEvents(ctx, stack)
	if err != nil {
		return nil, err
	}
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var evs []*Event
	for _, e := range all {
		if p.ResourceName != "" && e.ResourceName != p.ResourceName {
			continue
		}
		if !in(p.ResourceNames, e.ResourceName) || !in(p.ResourceActions, e.Action) ||
			!in(p.ResourceStatus, e.Status) || !in(p.ResourceTypes, e.ResourceType) {
			continue
		}
		evs = append(evs, e)
	}
	if p.ResourceName != "" && len(evs) == 0 {
		return nil, &engine.Error{Kind: engine.KindNotFound, Code: "HTTPNotFound", Op: op,
			Msg: fmt.Sprintf("No events found for resource %s", p.ResourceName)}
	}
	// evs is oldest first (commit order); Heat's default is newest first.
	desc := p.SortDir != "asc"
	byType := false
	for _, k := range p.SortKeys {
		byType = byType || k == "resource_type"
	}
	if desc {
		for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
			evs[i], evs[j] = evs[j], evs[i]
		}
	}
	if byType {
		sort.SliceStable(evs, func(i, j int) bool {
			c := strings.Compare(evs[i].ResourceType, evs[j].ResourceType)
			return c != 0 && (c < 0) != desc
		})
	}
	if p.Marker != "" {
		i := 0
		for i < len(evs) && evs[i].ID != p.Marker {
			i++
		}
		if i == len(evs) {
			return nil, &engine.Error{Kind: engine.KindNotFound, Code: "EntityNotFound", Op: op,
				Msg: fmt.Sprintf("The Event (%s) could not be found.", p.Marker)}
		}
		evs = evs[i+1:]
	}
	if p.Limit > 0 && len(evs) > p.Limit {
		evs = evs[:p.Limit]
	}
	return evs, nil
}

// GetEvent implements API.
func (s *Service) GetEvent(ctx context.Context, ref StackRef, resourceName, eventID string) (*Event, error) {
	const op = "event.get"
	stack, err := s.loadStack(ctx, ref)
	if err != nil {
		return nil, err
	}
	ev, err := s.e.GetEvent(ctx, stack.ProjectID, eventID)
	if err == nil {
		ids := map[string]bool{stack.ID: true}
		if resourceName != stack.Name {
			if _, ferr := s.findResource(ctx, stack, resourceName); ferr != nil {
				return nil, ferr
			}
			// Every row that had the name: a replaced resource's events
			// stay the resource's.
			rows, lerr := s.stackResources(ctx, stack)
			if lerr != nil {
				return nil, lerr
			}
			ids = map[string]bool{}
			for _, r := range rows {
				if r.Name == resourceName {
					ids[r.ID] = true
				}
			}
		}
		if ids[ev.ResourceID] && (ev.Type == engine.EventTypeResourceState || ev.Type == EventTypeSignal) {
			return toEvent(stack, ev), nil
		}
	} else if engine.KindOf(err) != engine.KindNotFound {
		return nil, err
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
