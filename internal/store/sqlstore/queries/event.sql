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

-- name: EventInsert
INSERT INTO events (id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT DO NOTHING
RETURNING id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type;

-- EventList is a template: .P is *store.EventListParams.
-- name: EventList
SELECT id, action, created_at, data, operation_id, physical_id, project_id, reason, resource_id, resource_name, resource_type, seq, status, type
FROM events
WHERE TRUE
{{- if .P.ProjectID}}
    AND project_id = {{.Arg .P.ProjectID}}
{{- end}}
{{- if .P.OperationID}}
    AND operation_id = {{.Arg .P.OperationID}}
{{- end}}
{{- if .P.ResourceIDs}}
    AND resource_id IN ({{range $i, $id := .P.ResourceIDs}}{{if $i}}, {{end}}{{$.Arg $id}}{{end}})
{{- end}}
{{- if .P.AfterSeq}}
    AND seq > {{.Arg .P.AfterSeq}}
{{- end}}
{{- if .P.BeforeSeq}}
    AND seq < {{.Arg .P.BeforeSeq}}
{{- end}}
{{- if .P.Descending}}
ORDER BY seq DESC, id DESC
{{- else}}
ORDER BY seq, id
{{- end}}
{{- if gt .P.Limit 0}}
LIMIT {{.Arg .P.Limit}}
{{- end}};
