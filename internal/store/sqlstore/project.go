package sqlstore

import (
	"context"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	projectCreateSQL     = queryText("ProjectCreate")
	projectGetByIDSQL    = queryText("ProjectGetByID")
	projectGetByNameSQL  = queryText("ProjectGetByName")
	projectListSQL       = queryText("ProjectList")
	projectListByUserSQL = queryText("ProjectListByUser")
)

func scanProject(rows Rows) (*store.Project, error) {
	var (
		p         store.Project
		createdAt int64
	)
	if err := rows.Scan(&p.ID, &createdAt, &p.Description, &p.DomainID, &p.Enabled, &p.Name); err != nil {
		return nil, err
	}
	p.CreatedAt = fromMicros(createdAt)
	return &p, nil
}

func (q *queries) ProjectCreate(ctx context.Context, params *store.ProjectCreateParams) (*store.Project, error) {
	p, err := queryOne(ctx, q.writer, scanProject, projectCreateSQL,
		params.ID, micros(params.Now), params.Description, params.DomainID, params.Enabled, params.Name)
	if err != nil {
		return nil, q.fail("project create", alreadyExistsIfNone(err))
	}
	return p, nil
}

func (q *queries) ProjectGetByID(ctx context.Context, id string) (*store.Project, error) {
	p, err := queryOne(ctx, q.reader, scanProject, projectGetByIDSQL, id)
	if err != nil {
		return nil, q.fail("project get by id", err)
	}
	return p, nil
}

func (q *queries) ProjectGetByName(ctx context.Context, params *store.ProjectGetByNameParams) (*store.Project, error) {
	p, err := queryOne(ctx, q.reader, scanProject, projectGetByNameSQL, params.DomainID, params.Name)
	if err != nil {
		return nil, q.fail("project get by name", err)
	}
	return p, nil
}

func (q *queries) ProjectList(ctx context.Context, params *store.ProjectListParams) ([]*store.Project, error) {
	ps, err := queryAll(ctx, q.reader, scanProject, projectListSQL, params.DomainID)
	if err != nil {
		return nil, q.fail("project list", err)
	}
	return ps, nil
}

func (q *queries) ProjectListByUser(ctx context.Context, userID string) ([]*store.Project, error) {
	ps, err := queryAll(ctx, q.reader, scanProject, projectListByUserSQL, userID)
	if err != nil {
		return nil, q.fail("project list by user", err)
	}
	return ps, nil
}
