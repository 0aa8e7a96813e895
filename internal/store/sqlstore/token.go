package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kilnhq/kiln/internal/store"
)

var (
	tokenCreateSQL    = queryText("TokenCreate")
	tokenGetByHashSQL = queryText("TokenGetByHash")
	tokenRevokeSQL    = queryText("TokenRevoke")
)

func scanToken(rows Rows) (*store.Token, error) {
	var (
		t                   store.Token
		expiresAt, issuedAt int64
		methods             string
		revokedAt           *int64
	)
	if err := rows.Scan(&t.Hash, &t.AuditID, &expiresAt, &issuedAt, &methods, &t.ProjectID, &revokedAt, &t.UserID); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(methods), &t.Methods); err != nil {
		return nil, fmt.Errorf("decode methods: %w", err)
	}
	t.ExpiresAt = fromMicros(expiresAt)
	t.IssuedAt = fromMicros(issuedAt)
	t.RevokedAt = fromMicrosPtr(revokedAt)
	return &t, nil
}

func (q *queries) TokenCreate(ctx context.Context, params *store.TokenCreateParams) (*store.Token, error) {
	methods := params.Methods
	if methods == nil {
		methods = []string{}
	}
	encoded, err := json.Marshal(methods)
	if err != nil {
		return nil, q.fail("token create", err)
	}
	t, err := queryOne(ctx, q.writer, scanToken, tokenCreateSQL,
		params.Hash, params.AuditID, micros(params.ExpiresAt), micros(params.IssuedAt), string(encoded),
		params.ProjectID, params.UserID)
	if err != nil {
		return nil, q.fail("token create", alreadyExistsIfNone(err))
	}
	return t, nil
}

func (q *queries) TokenGetByHash(ctx context.Context, hash string) (*store.Token, error) {
	t, err := queryOne(ctx, q.reader, scanToken, tokenGetByHashSQL, hash)
	if err != nil {
		return nil, q.fail("token get by hash", err)
	}
	return t, nil
}

func (q *queries) TokenRevoke(ctx context.Context, params *store.TokenRevokeParams) error {
	n, err := q.writer.Exec(ctx, tokenRevokeSQL, params.Hash, micros(params.Now))
	if err != nil {
		return q.fail("token revoke", err)
	}
	if n == 0 {
		return q.fail("token revoke", store.ErrNotFound)
	}
	return nil
}
