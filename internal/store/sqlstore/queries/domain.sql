-- Domains: the top of the identity tree.

-- name: DomainCreate
INSERT INTO domains (id, created_at, enabled, name)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
RETURNING id, created_at, enabled, name;

-- name: DomainGetByID
SELECT id, created_at, enabled, name
FROM domains
WHERE id = $1;

-- name: DomainGetByName
SELECT id, created_at, enabled, name
FROM domains
WHERE name = $1;
