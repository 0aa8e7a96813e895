package sqlstore

import (
	"context"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	credentialCreateSQL      = queryText("CredentialCreate")
	credentialGetByAccessSQL = queryText("CredentialGetByAccess")
	credentialListByUserSQL  = queryText("CredentialListByUser")
	credentialRevokeSQL      = queryText("CredentialRevoke")
)

func scanCredential(rows Rows) (*store.Credential, error) {
	var (
		c                    store.Credential
		createdAt            int64
		expiresAt, revokedAt *int64
	)
	if err := rows.Scan(&c.ID, &c.Access, &createdAt, &c.Description, &expiresAt, &c.ProjectID, &revokedAt, &c.Secret, &c.SecretHash, &c.Type, &c.UserID); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMicros(createdAt)
	c.ExpiresAt = fromMicrosPtr(expiresAt)
	c.RevokedAt = fromMicrosPtr(revokedAt)
	return &c, nil
}

func (q *queries) CredentialCreate(ctx context.Context, params *store.CredentialCreateParams) (*store.Credential, error) {
	c, err := queryOne(ctx, q.writer, scanCredential, credentialCreateSQL,
		params.ID, params.Access, micros(params.Now), params.Description, microsArg(params.ExpiresAt),
		params.ProjectID, params.Secret, params.SecretHash, params.Type, params.UserID)
	if err != nil {
		return nil, q.fail("credential create", alreadyExistsIfNone(err))
	}
	return c, nil
}

func (q *queries) CredentialGetByAccess(ctx context.Context, access string) (*store.Credential, error) {
	c, err := queryOne(ctx, q.reader, scanCredential, credentialGetByAccessSQL, access)
	if err != nil {
		return nil, q.fail("credential get by access", err)
	}
	return c, nil
}

func (q *queries) CredentialListByUser(ctx context.Context, userID string) ([]*store.Credential, error) {
	cs, err := queryAll(ctx, q.reader, scanCredential, credentialListByUserSQL, userID)
	if err != nil {
		return nil, q.fail("credential list by user", err)
	}
	return cs, nil
}

func (q *queries) CredentialRevoke(ctx context.Context, params *store.CredentialRevokeParams) error {
	n, err := q.writer.Exec(ctx, credentialRevokeSQL, params.ID, micros(params.Now))
	if err != nil {
		return q.fail("credential revoke", err)
	}
	if n == 0 {
		return q.fail("credential revoke", store.ErrNotFound)
	}
	return nil
}
