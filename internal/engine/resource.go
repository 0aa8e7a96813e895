package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kilnhq/kiln/internal/store"
)

// Action is the first half of a resource's state.
type Action string

const (
	ActionAdopt    Action = "ADOPT"
	ActionCheck    Action = "CHECK"
	ActionCreate   Action = "CREATE"
	ActionDelete   Action = "DELETE"
	ActionInit     Action = "INIT"
	ActionRestore  Action = "RESTORE"
	ActionResume   Action = "RESUME"
	ActionRollback Action = "ROLLBACK"
	ActionSnapshot Action = "SNAPSHOT"
	ActionSuspend  Action = "SUSPEND"
	ActionUpdate   Action = "UPDATE"
)

// Status is the second half of a resource's state.
type Status string

const (
	StatusComplete   Status = "COMPLETE"
	StatusFailed     Status = "FAILED"
	StatusInProgress Status = "IN_PROGRESS"
)

var validActions = map[Action]bool{
	ActionAdopt: true, ActionCheck: true, ActionCreate: true, ActionDelete: true, ActionInit: true,
	ActionRestore: true, ActionResume: true, ActionRollback: true, ActionSnapshot: true, ActionSuspend: true, ActionUpdate: true,
}

// CheckTransition says whether a resource in state (fromA, fromS) may move
// to (toA, toS), following Heat:
//   - an IN_PROGRESS action ends only as its own COMPLETE or FAILED (or
//     stays IN_PROGRESS with new attributes), or is pre-empted by DELETE or
//     ROLLBACK;
//   - a settled state (COMPLETE or FAILED) may start any action, or be
//     marked again with the same action (CHECK, mark-unhealthy);
//   - DELETE_COMPLETE is final.
func CheckTransition(fromA Action, fromS Status, toA Action, toS Status) error {
	const op = "resource.transition"
	if !validActions[toA] || (toS != StatusInProgress && toS != StatusComplete && toS != StatusFailed) {
		return Invalid(op, "invalid state %s_%s", toA, toS)
	}
	if fromA == ActionDelete && fromS == StatusComplete {
		return Conflict(op, "resource is deleted")
	}
	switch fromS {
	case StatusInProgress:
		if toA == fromA {
			return nil // ends, or reports progress within, the running action
		}
		if (toA == ActionDelete || toA == ActionRollback) && toS == StatusInProgress {
			return nil
		}
		return Conflict(op, "resource is %s_%s; cannot move to %s_%s", fromA, fromS, toA, toS)
	default:
		if toS == StatusInProgress || toA == fromA || fromA == ActionInit {
			return nil
		}
		// A settled resource may also be marked FAILED or COMPLETE directly
		// by a CHECK (mark-unhealthy) without passing IN_PROGRESS.
		if toA == ActionCheck {
			return nil
		}
		return Conflict(op, "resource is %s_%s; cannot move to %s_%s", fromA, fromS, toA, toS)
	}
}

// Resource is a managed object.
type Resource struct {
	ID           string
	Action       Action
	Attributes   json.RawMessage
	CreatedAt    time.Time
	DeletedAt    *time.Time
	Name         string
	ParentID     string
	PhysicalID   string
	ProjectID    string
	Properties   json.RawMessage
	Status       Status
	StatusReason string
	Type         string
	UpdatedAt    time.Time
	Version      int64
}

func resourceFromRow(r *store.Resource) *Resource {
	return &Resource{
		ID: r.ID, Action: Action(r.Action), Attributes: r.Attributes, CreatedAt: r.CreatedAt,
		DeletedAt: r.DeletedAt, Name: r.Name, ParentID: r.ParentID, PhysicalID: r.PhysicalID,
		ProjectID: r.ProjectID, Properties: r.Properties, Status: Status(r.Status),
		StatusReason: r.StatusReason, Type: r.Type, UpdatedAt: r.UpdatedAt, Version: r.Version,
	}
}

// ResourceCreateParams describes a new resource. Action and Status default
// to INIT_COMPLETE.
type ResourceCreateParams struct {
	ID           string // empty: generated
	Action       Action
	Attributes   json.RawMessage
	Name         string
	ParentID     string
	PhysicalID   string
	ProjectID    string
	Properties   json.RawMessage
	Status       Status
	StatusReason string
	Type         string
	// UniqueKey, when not empty, is unique among the project's live
	// resources: a second create with it is a Conflict, even from a
	// concurrent transaction on another node.
	UniqueKey string
}

// ResourceUpdateParams moves a resource to a new state. Nil JSON fields and
// empty PhysicalID keep the stored values. ExpectedVersion 0 takes the
// current version (the caller's own transaction makes that safe).
type ResourceUpdateParams struct {
	ID         string
	Action     Action
	Attributes json.RawMessage
	// EventData is the data of the state event; nil: the properties.
	EventData       json.RawMessage
	ExpectedVersion int64
	PhysicalID      string
	Properties      json.RawMessage
	Status          Status
	StatusReason    string
}

// ResourceListParams filters resources of one project.
type ResourceListParams struct {
	AfterID        string
	IncludeDeleted bool
	Limit          int
	Name           string
	ParentID       string
	ProjectID      string
	Type           string
}

// CreateResource inserts a resource and appends its state event.
func (tx *Tx) CreateResource(ctx context.Context, p *ResourceCreateParams) (*Resource, error) {
	const op = "resource.create"
	if p.ProjectID == "" || p.Type == "" || p.Name == "" {
		return nil, Invalid(op, "project, type and name are required")
	}
	if p.Action == "" {
		p.Action, p.Status = ActionInit, StatusComplete
	}
	if !validActions[p.Action] {
		return nil, Invalid(op, "invalid action %q", p.Action)
	}
	id := p.ID
	if id == "" {
		id = NewID()
	}
	row, err := tx.st.ResourceCreate(ctx, &store.ResourceCreateParams{
		ID: id, Action: string(p.Action), Attributes: p.Attributes, Name: p.Name, Now: tx.now,
		ParentID: p.ParentID, PhysicalID: p.PhysicalID, ProjectID: p.ProjectID, Properties: p.Properties,
		Status: string(p.Status), StatusReason: p.StatusReason, Type: p.Type, UniqueKey: p.UniqueKey,
	})
	if err != nil {
		return nil, FromStore(op, err)
	}
	r := resourceFromRow(row)
	if _, err := tx.appendResourceEvent(ctx, r, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateResource moves a resource to a new state after checking the
// transition, bumps its version and appends its state event (none when
// action, status and reason are unchanged: events record state changes).
// A version mismatch is KindConflict.
func (tx *Tx) UpdateResource(ctx context.Context, p *ResourceUpdateParams) (*Resource, error) {
	const op = "resource.update"
	cur, err := tx.st.ResourceGetByID(ctx, p.ID)
	if err != nil {
		return nil, FromStore(op, err)
	}
	if p.ExpectedVersion != 0 && p.ExpectedVersion != cur.Version {
		return nil, Conflict(op, "resource %s changed concurrently (version %d, expected %d)", p.ID, cur.Version, p.ExpectedVersion)
	}
	if err := CheckTransition(Action(cur.Action), Status(cur.Status), p.Action, p.Status); err != nil {
		return nil, err
	}
	up := &store.ResourceUpdateParams{
		ID: p.ID, Action: string(p.Action), Attributes: cur.Attributes, ExpectedVersion: cur.Version,
		Now: tx.now, PhysicalID: cur.PhysicalID, Properties: cur.Properties, Status: string(p.Status),
		StatusReason: p.StatusReason,
	}
	if p.Attributes != nil {
		up.Attributes = p.Attributes
	}
	if p.Properties != nil {
		up.Properties = p.Properties
	}
	if p.PhysicalID != "" {
		up.PhysicalID = p.PhysicalID
	}
	if p.Action == ActionDelete && p.Status == StatusComplete {
		now := tx.now
		up.DeletedAt = &now
	}
	row, err := tx.st.ResourceUpdate(ctx, up)
	if err != nil {
		return nil, FromStore(op, err)
	}
	r := resourceFromRow(row)
	if Action(cur.Action) == p.Action && Status(cur.Status) == p.Status && cur.StatusReason == p.StatusReason {
		return r, nil // no change of state: nothing to log
	}
	if _, err := tx.appendResourceEvent(ctx, r, p.EventData); err != nil {
		return nil, err
	}
	return r, nil
}

// GetResource reads a resource; KindNotFound when absent or in another
// project (projectID "" skips the project check).
func (tx *Tx) GetResource(ctx context.Context, projectID, id string) (*Resource, error) {
	return getResource(ctx, tx.st, projectID, id)
}

// ListResources lists resources in ID order.
func (tx *Tx) ListResources(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return listResources(ctx, tx.st, p)
}

// GetResource reads a committed resource; see Tx.GetResource.
func (e *Engine) GetResource(ctx context.Context, projectID, id string) (*Resource, error) {
	return getResource(ctx, e.store, projectID, id)
}

// ListResources lists committed resources; see Tx.ListResources.
func (e *Engine) ListResources(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return listResources(ctx, e.store, p)
}

func getResource(ctx context.Context, q store.Querier, projectID, id string) (*Resource, error) {
	const op = "resource.get"
	row, err := q.ResourceGetByID(ctx, id)
	if err != nil || (projectID != "" && row.ProjectID != projectID) {
		if err == nil || KindOf(FromStore(op, err)) == KindNotFound {
			return nil, NotFound(op, "resource", id)
		}
		return nil, FromStore(op, err)
	}
	return resourceFromRow(row), nil
}

func listResources(ctx context.Context, q store.Querier, p *ResourceListParams) ([]*Resource, error) {
	rows, err := q.ResourceList(ctx, &store.ResourceListParams{
		AfterID: p.AfterID, IncludeDeleted: p.IncludeDeleted, Limit: p.Limit, Name: p.Name,
		ParentID: p.ParentID, ProjectID: p.ProjectID, Type: p.Type,
	})
	if err != nil {
		return nil, FromStore("resource.list", err)
	}
	out := make([]*Resource, len(rows))
	for i, r := range rows {
		out[i] = resourceFromRow(r)
	}
	return out, nil
}

func (tx *Tx) appendResourceEvent(ctx context.Context, r *Resource, data json.RawMessage) (*Event, error) {
	if data == nil {
		data = r.Properties
	}
	return tx.AppendEvent(ctx, &EventParams{
		Type: EventTypeResourceState, ProjectID: r.ProjectID, ResourceID: r.ID, ResourceName: r.Name,
		ResourceType: r.Type, PhysicalID: r.PhysicalID, Action: string(r.Action), Status: string(r.Status),
		Reason: r.StatusReason, Data: data,
	})
}

// String renders a state as Heat writes it: CREATE_COMPLETE.
func (r *Resource) String() string { return fmt.Sprintf("%s_%s", r.Action, r.Status) }
