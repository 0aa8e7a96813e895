-- Signals: durable messages to a target, deduplicated by idempotency key.
-- arrival orders them as they were inserted.

-- SignalConsume is a template: .P is *store.SignalConsumeParams.
-- name: SignalConsume
UPDATE signals
SET consumed_at = {{.Arg .P.Now.UnixMicro}}
WHERE consumed_at IS NULL
    AND id IN ({{range $i, $id := .P.IDs}}{{if $i}}, {{end}}{{$.Arg $id}}{{end}});

-- name: SignalCreate
INSERT INTO signals (id, created_at, data, idempotency_key, project_id, target_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
RETURNING id, consumed_at, created_at, data, idempotency_key, project_id, target_id;

-- name: SignalGetByIdempotencyKey
SELECT id, consumed_at, created_at, data, idempotency_key, project_id, target_id
FROM signals
WHERE target_id = $1
    AND idempotency_key = $2
    AND idempotency_key <> '';

-- $2 true lists only signals not yet consumed.
-- name: SignalList
SELECT id, consumed_at, created_at, data, idempotency_key, project_id, target_id
FROM signals
WHERE target_id = $1
    AND (NOT CAST($2 AS BOOLEAN) OR consumed_at IS NULL)
ORDER BY arrival;
