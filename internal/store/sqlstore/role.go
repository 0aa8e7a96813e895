package sqlstore

import (
	"context"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	roleAssignmentCreateSQL = queryText("RoleAssignmentCreate")
	roleAssignmentListSQL   = queryText("RoleAssignmentList")
	roleCreateSQL           = queryText("RoleCreate")
	roleGetByNameSQL        = queryText("RoleGetByName")
)

func scanRole(rows Rows) (*store.Role, error) {
	var r store.Role
	if err := rows.Scan(&r.ID, &r.Name); err != nil {
		return nil, err
	}
	return &r, nil
}

func (q *queries) RoleAssignmentCreate(ctx context.Context, params *store.RoleAssignmentCreateParams) error {
	if _, err := q.writer.Exec(ctx, roleAssignmentCreateSQL, params.ProjectID, params.RoleID, params.UserID); err != nil {
		return q.fail("role assignment create", err)
	}
	return nil
}

func (q *queries) RoleAssignmentList(ctx context.Context, params *store.RoleAssignmentListParams) ([]*store.Role, error) {
	rs, err := queryAll(ctx, q.reader, scanRole, roleAssignmentListSQL, params.ProjectID, params.UserID)
	if err != nil {
		return nil, q.fail("role assignment list", err)
	}
	return rs, nil
}

func (q *queries) RoleCreate(ctx context.Context, params *store.RoleCreateParams) (*store.Role, error) {
	r, err := queryOne(ctx, q.writer, scanRole, roleCreateSQL, params.ID, params.Name)
	if err != nil {
		return nil, q.fail("role create", alreadyExistsIfNone(err))
	}
	return r, nil
}

func (q *queries) RoleGetByName(ctx context.Context, name string) (*store.Role, error) {
	r, err := queryOne(ctx, q.reader, scanRole, roleGetByNameSQL, name)
	if err != nil {
		return nil, q.fail("role get by name", err)
	}
	return r, nil
}
