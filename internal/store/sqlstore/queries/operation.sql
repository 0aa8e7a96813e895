-- Operations: durable units of asynchronous work, leased by the node that
-- runs them. A lease is live while lease_expires_at is after now; a released
-- lease has an empty token and a NULL expiry.

-- name: OperationCreate
INSERT INTO operations (id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq)
VALUES ($1, 0, FALSE, NULL, $2, '', NULL, $3, $4, NULL, '', '', $5, $6, $7, $8, NULL, NULL, 'pending', $9, $10, $2, NULL, 0)
ON CONFLICT DO NOTHING
RETURNING id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq;

-- name: OperationGetByID
SELECT id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq
FROM operations
WHERE id = $1;

-- name: OperationGetByIdempotencyKey
SELECT id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq
FROM operations
WHERE project_id = $1
    AND type = $2
    AND idempotency_key = $3
    AND idempotency_key <> '';

-- OperationLeaseAcquire takes the lease of a non-terminal operation whose
-- lease is free or expired at now ($5).
-- name: OperationLeaseAcquire
UPDATE operations
SET lease_expires_at = $2,
    lease_owner = $3,
    lease_token = $4
WHERE id = $1
    AND state NOT IN ('succeeded', 'failed', 'cancelled')
    AND (lease_expires_at IS NULL OR lease_expires_at <= $5)
    AND (cancel_requested OR wake_at <= $5 OR (wake_at IS NULL AND state <> 'waiting'))
RETURNING id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq;

-- name: OperationLeaseRenew
UPDATE operations
SET lease_expires_at = $3
WHERE id = $1
    AND lease_token = $2
    AND lease_token <> ''
RETURNING id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq;

-- OperationList is a template: .P is *store.OperationListParams. Creation
-- order, with the AfterID row's (created_at, id) as the keyset cursor.
-- name: OperationList
SELECT id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq
FROM operations
WHERE TRUE
{{- if .P.ProjectID}}
    AND project_id = {{.Arg .P.ProjectID}}
{{- end}}
{{- if .P.ParentID}}
    AND parent_id = {{.Arg .P.ParentID}}
{{- end}}
{{- if .P.State}}
    AND state = {{.Arg .P.State}}
{{- end}}
{{- if .P.Type}}
    AND type = {{.Arg .P.Type}}
{{- end}}
{{- if .P.AfterID}}
    AND (created_at, id) > (SELECT created_at, id FROM operations WHERE id = {{.Arg .P.AfterID}})
{{- end}}
ORDER BY created_at, id
{{- if gt .P.Limit 0}}
LIMIT {{.Arg .P.Limit}}
{{- end}};

-- OperationListRecoverable: pending or running without a live lease, or
-- waiting with wake_at due, at now ($1). Each branch has its own index.
-- name: OperationListRecoverable
SELECT id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq
FROM (
    SELECT *
    FROM operations
    WHERE state IN ('pending', 'running')
        AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
    UNION ALL
    SELECT *
    FROM operations
    WHERE state = 'waiting'
        AND wake_at <= $1
        AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
) AS recoverable
ORDER BY created_at, id
LIMIT $2;

-- OperationRequestCancel flags a non-terminal operation; no row means the
-- operation is absent or terminal.
-- name: OperationRequestCancel
UPDATE operations
SET cancel_requested = TRUE,
    updated_at = $2
WHERE id = $1
    AND state NOT IN ('succeeded', 'failed', 'cancelled')
RETURNING id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq;

-- OperationWake bumps wake_seq of a non-terminal operation and makes a
-- waiting one pending, due now ($2). No row means absent or terminal.
-- name: OperationWake
UPDATE operations
SET state = CASE WHEN state = 'waiting' THEN 'pending' ELSE state END,
    updated_at = $2,
    wake_at = CASE WHEN state = 'waiting' THEN $2 ELSE wake_at END,
    wake_seq = wake_seq + 1
WHERE id = $1
    AND state NOT IN ('succeeded', 'failed', 'cancelled')
RETURNING id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq;

-- OperationUpdate is fenced on the lease token ($12): a non-empty token must
-- be the current one; an empty token applies only while no live lease is
-- held at now ($10). $6 clears the lease in the same write.
-- name: OperationUpdate
UPDATE operations
SET attempt = $2,
    checkpoint = COALESCE($3, checkpoint),
    error = $4,
    finished_at = $5,
    lease_expires_at = CASE WHEN CAST($6 AS BOOLEAN) THEN NULL ELSE lease_expires_at END,
    lease_owner = CASE WHEN CAST($6 AS BOOLEAN) THEN '' ELSE lease_owner END,
    lease_token = CASE WHEN CAST($6 AS BOOLEAN) THEN '' ELSE lease_token END,
    result = COALESCE($7, result),
    started_at = $8,
    state = $9,
    updated_at = $10,
    wake_at = $11
WHERE id = $1
    AND (
        (CAST($12 AS TEXT) <> '' AND lease_token = $12)
        OR (CAST($12 AS TEXT) = '' AND (lease_expires_at IS NULL OR lease_expires_at <= $10))
    )
RETURNING id, attempt, cancel_requested, checkpoint, created_at, error, finished_at, idempotency_key, input, lease_expires_at, lease_owner, lease_token, max_attempts, parent_id, project_id, resource_id, result, started_at, state, timeout_at, type, updated_at, wake_at, wake_seq;
