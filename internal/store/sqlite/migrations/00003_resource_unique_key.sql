-- +goose Up
-- unique_key, when set, is unique among a project's live resources (a
-- domain's name rule, e.g. Heat's stack names): concurrent creates with
-- one key cannot both commit.
ALTER TABLE resources ADD COLUMN unique_key TEXT;
CREATE UNIQUE INDEX resources_unique_key ON resources (project_id, unique_key)
    WHERE unique_key IS NOT NULL AND deleted_at IS NULL;

-- +goose Down
DROP INDEX resources_unique_key;
ALTER TABLE resources DROP COLUMN unique_key;
