-- Roles and their assignment to users on projects.

-- name: RoleAssignmentCreate
INSERT INTO role_assignments (project_id, role_id, user_id)
VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: RoleAssignmentList
SELECT roles.id, roles.name
FROM roles
JOIN role_assignments ON role_assignments.role_id = roles.id
WHERE role_assignments.project_id = $1
    AND role_assignments.user_id = $2
ORDER BY roles.name, roles.id;

-- name: RoleCreate
INSERT INTO roles (id, name)
VALUES ($1, $2)
ON CONFLICT DO NOTHING
RETURNING id, name;

-- name: RoleGetByName
SELECT id, name
FROM roles
WHERE name = $1;
