-- Tokens: issued authentication tokens, stored by hash. methods is a JSON
-- array of strings.

-- name: TokenCreate
INSERT INTO tokens (hash, audit_id, expires_at, issued_at, methods, project_id, revoked_at, user_id)
VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)
ON CONFLICT DO NOTHING
RETURNING hash, audit_id, expires_at, issued_at, methods, project_id, revoked_at, user_id;

-- name: TokenGetByHash
SELECT hash, audit_id, expires_at, issued_at, methods, project_id, revoked_at, user_id
FROM tokens
WHERE hash = $1;

-- A second revoke keeps the first revocation time.
-- name: TokenRevoke
UPDATE tokens
SET revoked_at = COALESCE(revoked_at, $2)
WHERE hash = $1;
