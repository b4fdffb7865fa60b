CREATE TABLE sync_states (
    job_id            TEXT PRIMARY KEY REFERENCES jobs(id),
    source_kind       TEXT NOT NULL,
    source_config     BLOB NOT NULL,
    interval_ms       INTEGER NOT NULL,
    watermark         BLOB,
    watermark_version INTEGER NOT NULL DEFAULT 0,
    next_cycle_at     INTEGER NOT NULL DEFAULT 0,
    lease_owner       TEXT NOT NULL DEFAULT '',
    lease_until       INTEGER NOT NULL DEFAULT 0,
    last_cycle_id     TEXT NOT NULL DEFAULT '',
    last_kind         TEXT NOT NULL DEFAULT '',
    last_started_at   INTEGER NOT NULL DEFAULT 0,
    last_finished_at  INTEGER NOT NULL DEFAULT 0,
    last_read         INTEGER NOT NULL DEFAULT 0,
    last_staged       INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_states_due ON sync_states (next_cycle_at);

CREATE TABLE source_digests (
    job_id TEXT NOT NULL,
    anchor TEXT NOT NULL,
    digest INTEGER NOT NULL,
    PRIMARY KEY (job_id, anchor)
);

CREATE TABLE wakes (
    job_id TEXT NOT NULL,
    anchor TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, anchor, due_at)
);
CREATE INDEX wakes_due ON wakes (due_at);

CREATE INDEX staged_records_upload ON staged_records (upload_id) WHERE processed_at IS NULL;
