-- Credentials: access key pairs and API keys.

-- name: CredentialCreate
INSERT INTO credentials (id, access, created_at, description, expires_at, project_id, secret, secret_hash, type, user_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING
RETURNING id, access, created_at, description, expires_at, project_id, revoked_at, secret, secret_hash, type, user_id;

-- name: CredentialGetByAccess
SELECT id, access, created_at, description, expires_at, project_id, revoked_at, secret, secret_hash, type, user_id
FROM credentials
WHERE access = $1;

-- name: CredentialListByUser
SELECT id, access, created_at, description, expires_at, project_id, revoked_at, secret, secret_hash, type, user_id
FROM credentials
WHERE user_id = $1
ORDER BY created_at, id;

-- A second revoke keeps the first revocation time.
-- name: CredentialRevoke
UPDATE credentials
SET revoked_at = COALESCE(revoked_at, $2)
WHERE id = $1;
