-- Events: the append-only log, ordered per project by seq.

-- EventCounterNext takes the project's next sequence number. The counter
-- row stays locked until the transaction ends, so on PostgreSQL appends to
-- one project commit in seq order and a rollback leaves no gap.
-- name: EventCounterNext
INSERT INTO event_counter (project_id, seq)
VALUES ($1, 1)
ON CONFLICT (project_id) DO UPDATE SET seq = event_counter.seq + 1
RETURNING seq;

-- EventCounterUndo gives back the seq just taken when the event could not
-- be inserted.
-- name: EventCounterUndo
UPDATE event_counter
SET seq = seq - 1
WHERE project_id = $1;

-- name: EventGetByID
SELECT id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type
FROM events
WHERE id = $1
    AND project_id = $2;

-- EventGetUnderParent reads a parent resource's identity, its live child
-- named $3 and the event $2 of the parent's project, in one statement.
-- name: EventGetUnderParent
SELECT p.name, p.project_id, p.type,
    (SELECT c.id FROM resources c WHERE c.parent_id = p.id AND c.name = $3 AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1),
    e.id, e.action, e.created_at, e.data, e.operation_id, e.physical_id, e.project_id, e.reason, e.resource_id, e.resource_name, e.resource_type, e.seq, e.status, e.type
FROM resources p
LEFT JOIN events e ON e.id = $2 AND e.project_id = p.project_id
WHERE p.id = $1;

-- name: EventInsert
INSERT INTO events (id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT DO NOTHING
RETURNING id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type;

-- EventList is a template: .P is eventListData, a *store.EventListParams
-- with the marker's position, or with MarkerOnly set to read that position
-- (seq and aliased resource type) under the same filters. "rtype" is the
-- resource type after ResourceTypeAliases; .Collate makes ordering and
-- comparisons on it byte order on every database.
-- name: EventList
{{- define "rtype"}}
    {{- if .P.ResourceTypeAliases}}(CASE resource_type
        {{- range $k, $v := .P.ResourceTypeAliases}} WHEN {{$.Arg $k}} THEN {{$.Arg $v}}{{end}} ELSE resource_type END)
    {{- else}}resource_type{{end}}
{{- end}}
{{- if .P.MarkerOnly}}
SELECT seq, {{template "rtype" .}}
{{- else}}
SELECT id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type
{{- end}}
FROM events
WHERE TRUE
{{- if .P.ProjectID}}
    AND project_id = {{.Arg .P.ProjectID}}
{{- end}}
{{- if .P.OperationID}}
    AND operation_id = {{.Arg .P.OperationID}}
{{- end}}
{{- if and .P.ResourceIDs .P.ChildrenOf}}
    AND (resource_id IN {{.In .P.ResourceIDs}}
        OR resource_id IN (SELECT id FROM resources WHERE parent_id IN {{.In .P.ChildrenOf}}))
{{- else if .P.ResourceIDs}}
    AND resource_id IN {{.In .P.ResourceIDs}}
{{- else if .P.ChildrenOf}}
    AND resource_id IN (SELECT id FROM resources WHERE parent_id IN {{.In .P.ChildrenOf}})
{{- end}}
{{- if .P.Types}}
    AND type IN {{.In .P.Types}}
{{- end}}
{{- if .P.Actions}}
    AND action IN {{.In .P.Actions}}
{{- end}}
{{- if .P.ExcludeActions}}
    AND action NOT IN {{.In .P.ExcludeActions}}
{{- end}}
{{- if .P.Statuses}}
    AND status IN {{.In .P.Statuses}}
{{- end}}
{{- if .P.ResourceNames}}
    AND resource_name IN {{.In .P.ResourceNames}}
{{- end}}
{{- if .P.ResourceTypes}}
    AND {{template "rtype" .}} IN {{.In .P.ResourceTypes}}
{{- end}}
{{- if .P.AfterSeq}}
    AND seq > {{.Arg .P.AfterSeq}}
{{- end}}
{{- if .P.BeforeSeq}}
    AND seq < {{.Arg .P.BeforeSeq}}
{{- end}}
{{- if .P.MarkerOnly}}
    AND id = {{.Arg .P.Marker}}
{{- else}}
{{- if and .P.Marker .P.SortByResourceType}}
    AND ({{template "rtype" .}}{{.Collate}} {{if .P.Descending}}<{{else}}>{{end}} {{.Arg .P.MarkerType}}
        OR ({{template "rtype" .}} = {{.Arg .P.MarkerType}} AND seq {{if .P.Descending}}<{{else}}>{{end}} {{.Arg .P.MarkerSeq}}))
{{- else if .P.Marker}}
    AND seq {{if .P.Descending}}<{{else}}>{{end}} {{.Arg .P.MarkerSeq}}
{{- end}}
ORDER BY
{{- if .P.SortByResourceType}} {{template "rtype" .}}{{.Collate}}{{if .P.Descending}} DESC{{end}},{{end}}
{{- if .P.Descending}} seq DESC, id DESC{{else}} seq, id{{end}}
{{- if gt .P.Limit 0}}
LIMIT {{.Arg .P.Limit}}
{{- end}}
{{- end}};

-- EventPurge* are templates: .P is eventPurgeData. The purge works on an
-- explicit list of resource ids (IDs: the given ones and the children of
-- ChildrenOf, from EventPurgeChildren) so that every step reads the
-- events_resource_id index, not the project's whole history.
-- name: EventPurgeChildren
SELECT id FROM resources WHERE parent_id IN {{.In .P.ChildrenOf}};

-- (Resource ids are unique across projects, so the project is not in the
-- conditions: with it SQLite would scan the project's (project_id, seq)
-- key instead of the events_resource_id index.)
-- name: EventPurgeCount
SELECT count(*) FROM events WHERE resource_id IN {{.In .P.IDs}};

-- EventPurgeCutoff is the seq of the Keep-th newest event (KeepOffset =
-- Keep - 1).
-- name: EventPurgeCutoff
SELECT seq FROM events WHERE resource_id IN {{.In .P.IDs}}
ORDER BY seq DESC LIMIT 1 OFFSET {{.Arg .P.KeepOffset}};

-- name: EventPurgeDelete
DELETE FROM events WHERE resource_id IN {{.In .P.IDs}} AND seq < {{.Arg .P.Cutoff}};
