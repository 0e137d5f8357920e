-- What the API needs besides 0001: each batch as the plan describes it, the warnings of
-- each stored plan, and the planning options (start/end/trigger overrides) that, with
-- the source, re-expand it.
ALTER TABLE batches ADD COLUMN data TEXT NOT NULL DEFAULT '{}';
ALTER TABLE backfills ADD COLUMN diagnostics TEXT NOT NULL DEFAULT '[]';
ALTER TABLE backfills ADD COLUMN plan_options TEXT NOT NULL DEFAULT '{}';
