-- Users: principals that authenticate with a password.

-- name: UserCreate
INSERT INTO users (id, created_at, domain_id, enabled, name, password_hash)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
RETURNING id, created_at, domain_id, enabled, name, password_hash;

-- name: UserGetByID
SELECT id, created_at, domain_id, enabled, name, password_hash
FROM users
WHERE id = $1;

-- name: UserGetByName
SELECT id, created_at, domain_id, enabled, name, password_hash
FROM users
WHERE domain_id = $1
    AND name = $2;

-- name: UserUpdatePassword
UPDATE users
SET password_hash = $2
WHERE id = $1;
