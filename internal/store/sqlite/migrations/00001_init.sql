-- Kiln's tables on SQLite. Timestamps are BIGINT unix microseconds (UTC),
-- JSON is TEXT, ids are TEXT supplied by callers. Keep this file's tables,
-- columns and indexes the same as postgres/migrations/00001_init.sql: both
-- databases run the same query text (internal/store/sqlstore/queries).

-- +goose Up
CREATE TABLE domains (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    description TEXT NOT NULL,
    domain_id TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    domain_id TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE role_assignments (
    user_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    PRIMARY KEY (user_id, project_id, role_id)
);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    access TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    description TEXT NOT NULL,
    expires_at BIGINT,
    project_id TEXT NOT NULL,
    revoked_at BIGINT,
    secret TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    type TEXT NOT NULL,
    user_id TEXT NOT NULL
);

CREATE INDEX credentials_user_id ON credentials (user_id, created_at, id);

CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    audit_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    methods TEXT NOT NULL,
    project_id TEXT NOT NULL,
    revoked_at BIGINT,
    user_id TEXT NOT NULL
);

CREATE INDEX tokens_expires_at ON tokens (expires_at);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    attributes TEXT,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    name TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    physical_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    properties TEXT,
    status TEXT NOT NULL,
    status_reason TEXT NOT NULL,
    type TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

CREATE INDEX resources_project_id ON resources (project_id, id);
CREATE INDEX resources_project_id_name ON resources (project_id, name);
CREATE INDEX resources_parent_id ON resources (parent_id, id);

CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    attempt INTEGER NOT NULL,
    cancel_requested BOOLEAN NOT NULL,
    checkpoint TEXT,
    created_at BIGINT NOT NULL,
    error TEXT NOT NULL,
    finished_at BIGINT,
    idempotency_key TEXT NOT NULL,
    input TEXT,
    lease_expires_at BIGINT,
    lease_owner TEXT NOT NULL,
    lease_token TEXT NOT NULL,
    max_attempts INTEGER NOT NULL,
    parent_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    result TEXT,
    started_at BIGINT,
    state TEXT NOT NULL,
    timeout_at BIGINT,
    type TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    wake_at BIGINT,
    wake_seq BIGINT NOT NULL
);

CREATE UNIQUE INDEX operations_idempotency_key ON operations (project_id, type, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX operations_project_id ON operations (project_id, created_at, id);
CREATE INDEX operations_parent_id ON operations (parent_id, created_at, id);
CREATE INDEX operations_created_at ON operations (created_at, id);
CREATE INDEX operations_state_lease_expires_at ON operations (state, lease_expires_at);
CREATE INDEX operations_state_wake_at ON operations (state, wake_at);

-- Tiny rows, always read by key: no separate rowid b-tree to write.
CREATE TABLE event_counter (
    project_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    data TEXT,
    operation_id TEXT NOT NULL,
    physical_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    UNIQUE (project_id, seq)
);

CREATE INDEX events_resource_id ON events (resource_id, seq);
CREATE INDEX events_operation_id ON events (operation_id, seq);

CREATE TABLE signals (
    arrival INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    consumed_at BIGINT,
    created_at BIGINT NOT NULL,
    data TEXT,
    idempotency_key TEXT NOT NULL,
    project_id TEXT NOT NULL,
    target_id TEXT NOT NULL
);

CREATE UNIQUE INDEX signals_idempotency_key ON signals (target_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX signals_target_id ON signals (target_id, arrival);

-- +goose Down
DROP TABLE signals;
DROP TABLE events;
DROP TABLE event_counter;
DROP TABLE operations;
DROP TABLE resources;
DROP TABLE tokens;
DROP TABLE credentials;
DROP TABLE role_assignments;
DROP TABLE roles;
DROP TABLE users;
DROP TABLE projects;
DROP TABLE domains;
