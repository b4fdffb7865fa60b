CREATE TABLE jobs (
    id                 TEXT PRIMARY KEY,
    service_principal  TEXT NOT NULL,
    name               TEXT NOT NULL,
    template           TEXT NOT NULL,
    domain             TEXT NOT NULL,
    default_container  TEXT NOT NULL,
    mapping            BLOB NOT NULL,
    upload_token_hash  BLOB NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    job_id       TEXT NOT NULL REFERENCES jobs(id),
    received_at  INTEGER NOT NULL,
    record_count INTEGER NOT NULL
);

CREATE TABLE staged_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       TEXT NOT NULL REFERENCES jobs(id),
    upload_id    TEXT NOT NULL REFERENCES uploads(id),
    bulk_id      TEXT NOT NULL,
    anchor       TEXT NOT NULL,
    payload      BLOB NOT NULL,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
);
CREATE INDEX staged_records_pending ON staged_records (job_id, id) WHERE processed_at IS NULL;

CREATE TABLE operations (
    id            TEXT PRIMARY KEY,
    job_id        TEXT NOT NULL,
    domain        TEXT NOT NULL,
    payload       BLOB NOT NULL,
    state         TEXT NOT NULL,
    attempt       INTEGER NOT NULL DEFAULT 0,
    seq           INTEGER NOT NULL DEFAULT 0,
    agent_id      TEXT NOT NULL DEFAULT '',
    not_before    INTEGER NOT NULL DEFAULT 0,
    dispatched_at INTEGER NOT NULL DEFAULT 0,
    result        BLOB,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX operations_state ON operations (state, created_at);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('op_seq', 0);

CREATE TABLE links (
    job_id      TEXT NOT NULL,
    anchor      TEXT NOT NULL,
    object_guid TEXT NOT NULL,
    dn          TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (job_id, anchor)
);

CREATE TABLE provisioning_logs (
    id              TEXT PRIMARY KEY,
    job_id          TEXT NOT NULL,
    cycle_id        TEXT NOT NULL,
    change_id       TEXT NOT NULL,
    activity_time   INTEGER NOT NULL,
    duration_ms     INTEGER NOT NULL,
    action          TEXT NOT NULL,
    status          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    source_name     TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    target_name     TEXT NOT NULL,
    error_code      TEXT NOT NULL,
    error_message   TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    modified        BLOB NOT NULL,
    steps           BLOB NOT NULL
);
CREATE INDEX provisioning_logs_job ON provisioning_logs (job_id, activity_time, id);
