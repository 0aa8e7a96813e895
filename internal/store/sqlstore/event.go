package sqlstore

import (
	"context"
	"errors"
	"text/template"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	eventCounterNextSQL = queryText("EventCounterNext")
	eventCounterUndoSQL = queryText("EventCounterUndo")
	eventGetByIDSQL     = queryText("EventGetByID")
	eventGetUnderSQL    = queryText("EventGetUnderParent")
	eventInsertSQL      = queryText("EventInsert")
	eventListTemplate   = queryTemplate("EventList")
	eventPurgeChildren  = queryTemplate("EventPurgeChildren")
	eventPurgeCount     = queryTemplate("EventPurgeCount")
	eventPurgeCutoff    = queryTemplate("EventPurgeCutoff")
	eventPurgeDelete    = queryTemplate("EventPurgeDelete")
)

// eventPurgeData is the EventPurge* templates' data.
type eventPurgeData struct {
	*store.EventPurgeParams
	Cutoff     int64
	IDs        []string
	KeepOffset int
}

// EventPurge counts the events of the resources first (an index range per
// resource) and deletes only when they are over the limit, so the common
// case costs a count and a stack's purge never scans the project.
func (q *queries) EventPurge(ctx context.Context, params *store.EventPurgeParams) (int64, error) {
	if params.ProjectID == "" || params.Keep < 1 || params.Over < params.Keep ||
		len(params.ResourceIDs) == 0 || len(params.ChildrenOf) == 0 {
		return 0, q.fail("event purge", errors.New("project, resources, children and 1 <= keep <= over are required"))
	}
	data := &eventPurgeData{EventPurgeParams: params, KeepOffset: params.Keep - 1}
	run := func(tmpl *template.Template) (string, []any, error) { return render(tmpl, data) }
	sql, args, err := run(eventPurgeChildren)
	if err != nil {
		return 0, q.fail("event purge", err)
	}
	children, err := queryAll(ctx, q.writer, scanString, sql, args...)
	if err != nil {
		return 0, q.fail("event purge", err)
	}
	data.IDs = append([]string{}, params.ResourceIDs...)
	for _, c := range children {
		data.IDs = append(data.IDs, *c)
	}
	if sql, args, err = run(eventPurgeCount); err != nil {
		return 0, q.fail("event purge", err)
	}
	count, err := queryOne(ctx, q.writer, scanSeq, sql, args...)
	if err != nil {
		return 0, q.fail("event purge", err)
	}
	if *count <= int64(params.Over) {
		return 0, nil
	}
	if sql, args, err = run(eventPurgeCutoff); err != nil {
		return 0, q.fail("event purge", err)
	}
	cutoff, err := queryOne(ctx, q.writer, scanSeq, sql, args...)
	if err != nil {
		return 0, q.fail("event purge", err)
	}
	data.Cutoff = *cutoff
	if sql, args, err = run(eventPurgeDelete); err != nil {
		return 0, q.fail("event purge", err)
	}
	n, err := q.writer.Exec(ctx, sql, args...)
	if err != nil {
		return 0, q.fail("event purge", err)
	}
	return n, nil
}

func scanString(rows Rows) (*string, error) {
	var s string
	if err := rows.Scan(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

func scanEvent(rows Rows) (*store.Event, error) {
	var (
		e         store.Event
		createdAt int64
		data      *string
	)
	if err := rows.Scan(&e.ID, &e.Action, &createdAt, &data, &e.OperationID, &e.PhysicalID, &e.ProjectID, &e.Reason, &e.ResourceID, &e.ResourceName, &e.ResourceType, &e.Seq, &e.Status, &e.Type); err != nil {
		return nil, err
	}
	e.CreatedAt = fromMicros(createdAt)
	e.Data = fromJSON(data)
	return &e, nil
}

func scanSeq(rows Rows) (*int64, error) {
	var seq int64
	if err := rows.Scan(&seq); err != nil {
		return nil, err
	}
	return &seq, nil
}

// EventAppend takes the project's next seq from its counter row and inserts
// the event in the same transaction (its own one when called on a Store).
func (q *queries) EventAppend(ctx context.Context, params *store.EventAppendParams) (*store.Event, error) {
	var e *store.Event
	err := q.inTx(ctx, func(q *queries) error {
		seq, err := queryOne(ctx, q.writer, scanSeq, eventCounterNextSQL, params.ProjectID)
		if err != nil {
			return err
		}
		e, err = queryOne(ctx, q.writer, scanEvent, eventInsertSQL,
			params.ID, params.Action, micros(params.Now), jsonArg(params.Data), params.OperationID,
			params.PhysicalID, params.ProjectID, params.Reason, params.ResourceID, params.ResourceName,
			params.ResourceType, *seq, params.Status, params.Type)
		if errors.Is(err, store.ErrNotFound) {
			// The id is taken. Give the seq back so that a caller who
			// goes on and commits leaves no gap; the counter row is
			// still ours (locked on PostgreSQL, single writer on
			// SQLite).
			if _, err := q.writer.Exec(ctx, eventCounterUndoSQL, params.ProjectID); err != nil {
				return err
			}
			return store.ErrAlreadyExists
		}
		return err
	})
	if err != nil {
		return nil, q.fail("event append", err)
	}
	return e, nil
}

func (q *queries) EventGetByID(ctx context.Context, params *store.EventGetByIDParams) (*store.Event, error) {
	e, err := queryOne(ctx, q.reader, scanEvent, eventGetByIDSQL, params.ID, params.ProjectID)
	if err != nil {
		return nil, q.fail("event get by id", err)
	}
	return e, nil
}

// eventListData is EventList's template params: the caller's, plus the
// marker's position once read (MarkerOnly reads it).
type eventListData struct {
	*store.EventListParams
	MarkerOnly bool
	MarkerSeq  int64
	MarkerType string
}

type eventPosition struct {
	seq          int64
	resourceType string
}

func scanEventPosition(rows Rows) (*eventPosition, error) {
	var p eventPosition
	if err := rows.Scan(&p.seq, &p.resourceType); err != nil {
		return nil, err
	}
	return &p, nil
}

// EventList reads the marker's position first, under the same filters, so
// that a marker the filters exclude is ErrNotFound rather than an empty
// page. Events are append-only, so the two reads need no transaction.
func scanEventUnderParent(rows Rows) (*store.EventUnderParent, error) {
	var (
		out                                    store.EventUnderParent
		childID, id, action, opID, physicalID  *string
		projectID, reason, resourceID, resName *string
		resType, status, typ, data             *string
		createdAt, seq                         *int64
	)
	if err := rows.Scan(&out.ParentName, &out.ParentProjectID, &out.ParentType, &childID,
		&id, &action, &createdAt, &data, &opID, &physicalID, &projectID, &reason, &resourceID, &resName,
		&resType, &seq, &status, &typ); err != nil {
		return nil, err
	}
	if childID != nil {
		out.ChildID = *childID
	}
	if id != nil {
		out.Event = &store.Event{
			ID: *id, Action: *action, CreatedAt: fromMicros(*createdAt), Data: fromJSON(data), OperationID: *opID,
			PhysicalID: *physicalID, ProjectID: *projectID, Reason: *reason, ResourceID: *resourceID,
			ResourceName: *resName, ResourceType: *resType, Seq: *seq, Status: *status, Type: *typ,
		}
	}
	return &out, nil
}

func (q *queries) EventGetUnderParent(ctx context.Context, params *store.EventGetUnderParentParams) (*store.EventUnderParent, error) {
	out, err := queryOne(ctx, q.reader, scanEventUnderParent, eventGetUnderSQL, params.ParentID, params.ID, params.ChildName)
	if err != nil {
		return nil, q.fail("event get under parent", err)
	}
	return out, nil
}

func (q *queries) EventList(ctx context.Context, params *store.EventListParams) ([]*store.Event, error) {
	data := &eventListData{EventListParams: params}
	if params.Marker != "" {
		if params.ProjectID == "" {
			return nil, q.fail("event list", errors.New("marker needs a project"))
		}
		data.MarkerOnly = true
		sql, args, err := renderFor(q.dialect, eventListTemplate, data)
		if err != nil {
			return nil, q.fail("event list", err)
		}
		pos, err := queryOne(ctx, q.reader, scanEventPosition, sql, args...)
		if err != nil {
			return nil, q.fail("event list marker", err)
		}
		data.MarkerOnly, data.MarkerSeq, data.MarkerType = false, pos.seq, pos.resourceType
	}
	sql, args, err := renderFor(q.dialect, eventListTemplate, data)
	if err != nil {
		return nil, q.fail("event list", err)
	}
	es, err := queryAll(ctx, q.reader, scanEvent, sql, args...)
	if err != nil {
		return nil, q.fail("event list", err)
	}
	return es, nil
}
