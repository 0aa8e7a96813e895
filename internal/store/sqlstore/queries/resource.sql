-- Resources: managed objects (stacks, servers, deployments) with an
-- optimistic version.

-- name: ResourceCreate
INSERT INTO resources (id, action, attributes, created_at, deleted_at, name, parent_id, physical_id, project_id, properties, status, status_reason, type, updated_at, version, unique_key)
VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10, $11, $12, $4, 1, NULLIF($13, ''))
ON CONFLICT DO NOTHING
RETURNING id, action, attributes, created_at, deleted_at, name, parent_id, physical_id, project_id, properties, status, status_reason, type, updated_at, version;

-- name: ResourceDelete
DELETE FROM resources
WHERE id = $1;

-- name: ResourceGetByID
SELECT id, action, attributes, created_at, deleted_at, name, parent_id, physical_id, project_id, properties, status, status_reason, type, updated_at, version
FROM resources
WHERE id = $1;

-- ResourceList is a template: .P is *store.ResourceListParams.
-- name: ResourceList
SELECT id, action, attributes, created_at, deleted_at, name, parent_id, physical_id, project_id, properties, status, status_reason, type, updated_at, version
FROM resources
WHERE TRUE
{{- if .P.ProjectID}}
    AND project_id = {{.Arg .P.ProjectID}}
{{- end}}
{{- if .P.ParentID}}
    AND parent_id = {{.Arg .P.ParentID}}
{{- end}}
{{- if .P.Name}}
    AND name = {{.Arg .P.Name}}
{{- end}}
{{- if .P.Type}}
    AND type = {{.Arg .P.Type}}
{{- end}}
{{- if not .P.IncludeDeleted}}
    AND deleted_at IS NULL
{{- end}}
{{- if .P.AfterID}}
    AND id > {{.Arg .P.AfterID}}
{{- end}}
ORDER BY id
{{- if gt .P.Limit 0}}
LIMIT {{.Arg .P.Limit}}
{{- end}};

-- name: ResourceUpdate
UPDATE resources
SET action = $3,
    attributes = $4,
    deleted_at = $5,
    physical_id = $6,
    properties = $7,
    status = $8,
    status_reason = $9,
    updated_at = $10,
    version = version + 1
WHERE id = $1
    AND version = $2
RETURNING id, action, attributes, created_at, deleted_at, name, parent_id, physical_id, project_id, properties, status, status_reason, type, updated_at, version;
