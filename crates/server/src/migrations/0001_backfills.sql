-- Submitted backfills: the source the user pasted, what the core made of it, and state.
CREATE TABLE backfills (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT    NOT NULL UNIQUE,
    title           TEXT    NOT NULL DEFAULT '',
    engine          TEXT    NOT NULL,
    dialect         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    now             TEXT,
    digest          TEXT    NOT NULL,
    run_count       INTEGER NOT NULL,
    batch_count     INTEGER NOT NULL,
    labels          TEXT    NOT NULL DEFAULT '{}',
    summary         TEXT    NOT NULL DEFAULT '{}',
    idempotency_key TEXT    UNIQUE,
    request_hash    TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX backfills_by_status ON backfills (status, id);
CREATE INDEX backfills_by_engine ON backfills (engine, id);

CREATE TABLE batches (
    backfill_id INTEGER NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    first_run   INTEGER NOT NULL,
    last_run    INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (backfill_id, idx)
) WITHOUT ROWID;

CREATE TABLE runs (
    backfill_id   INTEGER NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    batch_idx     INTEGER NOT NULL,
    logical_date  TEXT    NOT NULL,
    partition_key TEXT,
    data          TEXT    NOT NULL,
    PRIMARY KEY (backfill_id, idx)
) WITHOUT ROWID;
