package sqlstore

import (
	"context"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	domainCreateSQL    = queryText("DomainCreate")
	domainGetByIDSQL   = queryText("DomainGetByID")
	domainGetByNameSQL = queryText("DomainGetByName")
)

func scanDomain(rows Rows) (*store.Domain, error) {
	var (
		d         store.Domain
		createdAt int64
	)
	if err := rows.Scan(&d.ID, &createdAt, &d.Enabled, &d.Name); err != nil {
		return nil, err
	}
	d.CreatedAt = fromMicros(createdAt)
	return &d, nil
}

func (q *queries) DomainCreate(ctx context.Context, params *store.DomainCreateParams) (*store.Domain, error) {
	d, err := queryOne(ctx, q.writer, scanDomain, domainCreateSQL, params.ID, micros(params.Now), params.Enabled, params.Name)
	if err != nil {
		return nil, q.fail("domain create", alreadyExistsIfNone(err))
	}
	return d, nil
}

func (q *queries) DomainGetByID(ctx context.Context, id string) (*store.Domain, error) {
	d, err := queryOne(ctx, q.reader, scanDomain, domainGetByIDSQL, id)
	if err != nil {
		return nil, q.fail("domain get by id", err)
	}
	return d, nil
}

func (q *queries) DomainGetByName(ctx context.Context, name string) (*store.Domain, error) {
	d, err := queryOne(ctx, q.reader, scanDomain, domainGetByNameSQL, name)
	if err != nil {
		return nil, q.fail("domain get by name", err)
	}
	return d, nil
}
