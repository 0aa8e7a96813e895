package sqlstore

import (
	"context"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	userCreateSQL         = queryText("UserCreate")
	userGetByIDSQL        = queryText("UserGetByID")
	userGetByNameSQL      = queryText("UserGetByName")
	userUpdatePasswordSQL = queryText("UserUpdatePassword")
)

func scanUser(rows Rows) (*store.User, error) {
	var (
		u         store.User
		createdAt int64
	)
	if err := rows.Scan(&u.ID, &createdAt, &u.DomainID, &u.Enabled, &u.Name, &u.PasswordHash); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(createdAt)
	return &u, nil
}

func (q *queries) UserCreate(ctx context.Context, params *store.UserCreateParams) (*store.User, error) {
	u, err := queryOne(ctx, q.writer, scanUser, userCreateSQL,
		params.ID, micros(params.Now), params.DomainID, params.Enabled, params.Name, params.PasswordHash)
	if err != nil {
		return nil, q.fail("user create", alreadyExistsIfNone(err))
	}
	return u, nil
}

func (q *queries) UserGetByID(ctx context.Context, id string) (*store.User, error) {
	u, err := queryOne(ctx, q.reader, scanUser, userGetByIDSQL, id)
	if err != nil {
		return nil, q.fail("user get by id", err)
	}
	return u, nil
}

func (q *queries) UserGetByName(ctx context.Context, params *store.UserGetByNameParams) (*store.User, error) {
	u, err := queryOne(ctx, q.reader, scanUser, userGetByNameSQL, params.DomainID, params.Name)
	if err != nil {
		return nil, q.fail("user get by name", err)
	}
	return u, nil
}

func (q *queries) UserUpdatePassword(ctx context.Context, params *store.UserUpdatePasswordParams) error {
	n, err := q.writer.Exec(ctx, userUpdatePasswordSQL, params.ID, params.PasswordHash)
	if err != nil {
		return q.fail("user update password", err)
	}
	if n == 0 {
		return q.fail("user update password", store.ErrNotFound)
	}
	return nil
}
