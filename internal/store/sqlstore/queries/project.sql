-- Projects: tenants; every engine row belongs to one.

-- name: ProjectCreate
INSERT INTO projects (id, created_at, description, domain_id, enabled, name)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
RETURNING id, created_at, description, domain_id, enabled, name;

-- name: ProjectGetByID
SELECT id, created_at, description, domain_id, enabled, name
FROM projects
WHERE id = $1;

-- name: ProjectGetByName
SELECT id, created_at, description, domain_id, enabled, name
FROM projects
WHERE domain_id = $1
    AND name = $2;

-- An empty domain ($1) lists every project.
-- name: ProjectList
SELECT id, created_at, description, domain_id, enabled, name
FROM projects
WHERE CAST($1 AS TEXT) = '' OR domain_id = $1
ORDER BY name, id;

-- name: ProjectListByUser
SELECT id, created_at, description, domain_id, enabled, name
FROM projects
WHERE id IN (SELECT project_id FROM role_assignments WHERE user_id = $1)
ORDER BY name, id;
