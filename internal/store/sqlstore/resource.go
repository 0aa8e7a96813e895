package sqlstore

import (
	"context"
	"errors"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	resourceCreateSQL    = queryText("ResourceCreate")
	resourceDeleteSQL    = queryText("ResourceDelete")
	resourceGetByIDSQL   = queryText("ResourceGetByID")
	resourceListTemplate = queryTemplate("ResourceList")
	resourceUpdateSQL    = queryText("ResourceUpdate")
)

func scanResource(rows Rows) (*store.Resource, error) {
	var (
		r                    store.Resource
		attributes, props    *string
		createdAt, updatedAt int64
		deletedAt            *int64
	)
	if err := rows.Scan(&r.ID, &r.Action, &attributes, &createdAt, &deletedAt, &r.Name, &r.ParentID, &r.PhysicalID,
		&r.ProjectID, &props, &r.Status, &r.StatusReason, &r.Type, &updatedAt, &r.Version); err != nil {
		return nil, err
	}
	r.Attributes = fromJSON(attributes)
	r.CreatedAt = fromMicros(createdAt)
	r.DeletedAt = fromMicrosPtr(deletedAt)
	r.Properties = fromJSON(props)
	r.UpdatedAt = fromMicros(updatedAt)
	return &r, nil
}

func (q *queries) ResourceCreate(ctx context.Context, params *store.ResourceCreateParams) (*store.Resource, error) {
	r, err := queryOne(ctx, q.writer, scanResource, resourceCreateSQL,
		params.ID, params.Action, jsonArg(params.Attributes), micros(params.Now), params.Name, params.ParentID,
		params.PhysicalID, params.ProjectID, jsonArg(params.Properties), params.Status, params.StatusReason, params.Type,
		params.UniqueKey)
	if err != nil {
		return nil, q.fail("resource create", alreadyExistsIfNone(err))
	}
	return r, nil
}

func (q *queries) ResourceDelete(ctx context.Context, params *store.ResourceDeleteParams) error {
	n, err := q.writer.Exec(ctx, resourceDeleteSQL, params.ID)
	if err != nil {
		return q.fail("resource delete", err)
	}
	if n == 0 {
		return q.fail("resource delete", store.ErrNotFound)
	}
	return nil
}

func (q *queries) ResourceGetByID(ctx context.Context, id string) (*store.Resource, error) {
	r, err := queryOne(ctx, q.reader, scanResource, resourceGetByIDSQL, id)
	if err != nil {
		return nil, q.fail("resource get by id", err)
	}
	return r, nil
}

func (q *queries) ResourceList(ctx context.Context, params *store.ResourceListParams) ([]*store.Resource, error) {
	sql, args, err := render(resourceListTemplate, params)
	if err != nil {
		return nil, q.fail("resource list", err)
	}
	rs, err := queryAll(ctx, q.reader, scanResource, sql, args...)
	if err != nil {
		return nil, q.fail("resource list", err)
	}
	return rs, nil
}

func (q *queries) ResourceUpdate(ctx context.Context, params *store.ResourceUpdateParams) (*store.Resource, error) {
	r, err := queryOne(ctx, q.writer, scanResource, resourceUpdateSQL,
		params.ID, params.ExpectedVersion, params.Action, jsonArg(params.Attributes), microsArg(params.DeletedAt),
		params.PhysicalID, jsonArg(params.Properties), params.Status, params.StatusReason, micros(params.Now))
	if errors.Is(err, store.ErrNotFound) {
		// Absent, or present at another version.
		var found bool
		found, err = exists(ctx, q.writer, resourceGetByIDSQL, params.ID)
		if err == nil {
			err = store.ErrNotFound
			if found {
				err = store.ErrStale
			}
		}
	}
	if err != nil {
		return nil, q.fail("resource update", err)
	}
	return r, nil
}
