CREATE TABLE sync_states (
    job_id            TEXT PRIMARY KEY REFERENCES jobs(id),
    source_kind       TEXT NOT NULL,
    source_config     BYTEA NOT NULL,
    interval_ms       BIGINT NOT NULL,
    watermark         BYTEA,
    watermark_version BIGINT NOT NULL DEFAULT 0,
    next_cycle_at     BIGINT NOT NULL DEFAULT 0,
    lease_owner       TEXT NOT NULL DEFAULT '',
    lease_until       BIGINT NOT NULL DEFAULT 0,
    last_cycle_id     TEXT NOT NULL DEFAULT '',
    last_kind         TEXT NOT NULL DEFAULT '',
    last_started_at   BIGINT NOT NULL DEFAULT 0,
    last_finished_at  BIGINT NOT NULL DEFAULT 0,
    last_read         BIGINT NOT NULL DEFAULT 0,
    last_staged       BIGINT NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_states_due ON sync_states (next_cycle_at);

CREATE TABLE source_digests (
    job_id TEXT NOT NULL,
    anchor TEXT NOT NULL,
    digest BIGINT NOT NULL,
    PRIMARY KEY (job_id, anchor)
);

CREATE TABLE wakes (
    job_id TEXT NOT NULL,
    anchor TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, anchor, due_at)
);
CREATE INDEX wakes_due ON wakes (due_at);

CREATE INDEX staged_records_upload ON staged_records (upload_id) WHERE processed_at IS NULL;
