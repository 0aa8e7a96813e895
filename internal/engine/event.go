package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// Event types written by the engine. Domains may write their own.
const (
	EventTypeOperationState = "operation.state"
	EventTypeOperationStep  = "operation.step"
	EventTypeResourceState  = "resource.state"
	EventTypeSignal         = "signal"
)

// Event is one entry of the append-only log. Seq orders a project's events
// in commit order without gaps.
type Event struct {
	ID           string
	Action       string
	CreatedAt    time.Time
	Data         json.RawMessage
	OperationID  string
	PhysicalID   string
	ProjectID    string
	Reason       string
	ResourceID   string
	ResourceName string
	ResourceType string
	Seq          int64
	Status       string
	Type         string
}

func eventFromRow(r *store.Event) *Event {
	return &Event{
		ID: r.ID, Action: r.Action, CreatedAt: r.CreatedAt, Data: r.Data, OperationID: r.OperationID,
		PhysicalID: r.PhysicalID, ProjectID: r.ProjectID, Reason: r.Reason, ResourceID: r.ResourceID,
		ResourceName: r.ResourceName, ResourceType: r.ResourceType, Seq: r.Seq, Status: r.Status, Type: r.Type,
	}
}

// EventParams describes an event to append.
type EventParams struct {
	ID           string // empty: generated
	Action       string
	Data         json.RawMessage
	OperationID  string
	PhysicalID   string
	ProjectID    string
	Reason       string
	ResourceID   string
	ResourceName string
	ResourceType string
	Status       string
	Type         string
}

// EventListParams filters one project's events and pages them; see
// store.EventListParams for each field. A Marker that is not an event
// passing the filters is KindNotFound.
type EventListParams struct {
	Actions             []string
	AfterSeq            int64
	BeforeSeq           int64
	ChildrenOf          []string
	Descending          bool
	ExcludeActions      []string
	Limit               int
	Marker              string
	OperationID         string
	ProjectID           string
	ResourceIDs         []string
	ResourceNames       []string
	ResourceTypeAliases map[string]string
	ResourceTypes       []string
	SortByResourceType  bool
	Statuses            []string
	Types               []string
}

// AppendEvent appends an event in the transaction. Within an operation's
// Step the event carries the operation's id unless one is given.
func (tx *Tx) AppendEvent(ctx context.Context, p *EventParams) (*Event, error) {
	const op = "event.append"
	if p.ProjectID == "" || p.Type == "" {
		return nil, Invalid(op, "project and type are required")
	}
	id := p.ID
	if id == "" {
		id = NewUUID()
	}
	opID := p.OperationID
	if opID == "" && tx.run != nil {
		opID = tx.run.op.ID
	}
	row, err := tx.st.EventAppend(ctx, &store.EventAppendParams{
		ID: id, Action: p.Action, Data: p.Data, Now: tx.now, OperationID: opID, PhysicalID: p.PhysicalID,
		ProjectID: p.ProjectID, Reason: p.Reason, ResourceID: p.ResourceID, ResourceName: p.ResourceName,
		ResourceType: p.ResourceType, Status: p.Status, Type: p.Type,
	})
	if err != nil {
		return nil, FromStore(op, err)
	}
	tx.events++
	return eventFromRow(row), nil
}

// GetEvent reads one event of a project.
func (e *Engine) GetEvent(ctx context.Context, projectID, id string) (*Event, error) {
	const op = "event.get"
	row, err := e.store.EventGetByID(ctx, &store.EventGetByIDParams{ID: id, ProjectID: projectID})
	if err != nil {
		if KindOf(FromStore(op, err)) == KindNotFound {
			return nil, NotFound(op, "event", id)
		}
		return nil, FromStore(op, err)
	}
	return eventFromRow(row), nil
}

// EventUnder is GetEventUnder's answer: the parent resource's identity,
// the id of its live child of the asked name ("" when none) and the event
// (nil when the parent's project has none of that id).
type EventUnder struct {
	ChildID         string
	Event           *Event
	ParentName      string
	ParentProjectID string
	ParentType      string
}

// EventUnderParams names an event, a parent resource and a child's name.
type EventUnderParams struct {
	ChildName string
	ID        string
	ParentID  string
}

// GetEventUnder reads an event with the resource it is checked against
// (a parent and its child by name) in one store read, for a path such as
// GET .../{parent}/{child}/events/{id} that is served often. A missing
// parent is KindNotFound.
func (e *Engine) GetEventUnder(ctx context.Context, p *EventUnderParams) (*EventUnder, error) {
	const op = "event.get"
	row, err := e.store.EventGetUnderParent(ctx, &store.EventGetUnderParentParams{ChildName: p.ChildName, ID: p.ID, ParentID: p.ParentID})
	if err != nil {
		if KindOf(FromStore(op, err)) == KindNotFound {
			return nil, NotFound(op, "resource", p.ParentID)
		}
		return nil, FromStore(op, err)
	}
	out := &EventUnder{ChildID: row.ChildID, ParentName: row.ParentName, ParentProjectID: row.ParentProjectID, ParentType: row.ParentType}
	if row.Event != nil {
		out.Event = eventFromRow(row.Event)
	}
	return out, nil
}

// EventPurgeParams selects the events of some resources and of their
// direct children, for retention: when they number more than Over, all
// but the Keep newest go.
type EventPurgeParams struct {
	ChildrenOf  []string
	Keep        int
	Over        int
	ProjectID   string
	ResourceIDs []string
}

// PurgeEvents deletes old events in the transaction (a domain's
// retention, e.g. Heat's max_events_per_stack); it returns how many.
func (tx *Tx) PurgeEvents(ctx context.Context, p *EventPurgeParams) (int64, error) {
	n, err := tx.st.EventPurge(ctx, &store.EventPurgeParams{ChildrenOf: p.ChildrenOf, Keep: p.Keep, Over: p.Over,
		ProjectID: p.ProjectID, ResourceIDs: p.ResourceIDs})
	return n, FromStore("event.purge", err)
}

// ListEvents filters and pages a project's events in the store.
func (e *Engine) ListEvents(ctx context.Context, p *EventListParams) ([]*Event, error) {
	if p.ProjectID == "" {
		return nil, Invalid("event.list", "project is required")
	}
	rows, err := e.store.EventList(ctx, &store.EventListParams{
		Actions: p.Actions, AfterSeq: p.AfterSeq, BeforeSeq: p.BeforeSeq, ChildrenOf: p.ChildrenOf,
		Descending: p.Descending, ExcludeActions: p.ExcludeActions, Limit: p.Limit, Marker: p.Marker,
		OperationID: p.OperationID, ProjectID: p.ProjectID, ResourceIDs: p.ResourceIDs,
		ResourceNames: p.ResourceNames, ResourceTypeAliases: p.ResourceTypeAliases,
		ResourceTypes: p.ResourceTypes, SortByResourceType: p.SortByResourceType,
		Statuses: p.Statuses, Types: p.Types,
	})
	if err != nil {
		return nil, FromStore("event.list", err)
	}
	out := make([]*Event, len(rows))
	for i, r := range rows {
		out[i] = eventFromRow(r)
	}
	return out, nil
}
