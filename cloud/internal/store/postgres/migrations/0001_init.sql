-- The PostgreSQL twin of sqlite/migrations/0001_init.sql. Times are BIGINT
-- Unix milliseconds (0 = unset) as in SQLite, so both dialects round-trip
-- and compare times identically. Identifier columns use COLLATE "C" so that
-- ORDER BY and paging compare bytes like SQLite's BINARY collation, whatever
-- the database's default collation is.
CREATE TABLE jobs (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    service_principal  TEXT NOT NULL,
    name               TEXT NOT NULL,
    template           TEXT NOT NULL,
    domain             TEXT NOT NULL,
    default_container  TEXT NOT NULL,
    mapping            BYTEA NOT NULL,
    upload_token_hash  BYTEA NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE TABLE uploads (
    id           TEXT COLLATE "C" PRIMARY KEY,
    job_id       TEXT COLLATE "C" NOT NULL REFERENCES jobs(id),
    received_at  BIGINT NOT NULL,
    record_count INTEGER NOT NULL
);

CREATE TABLE staged_records (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id       TEXT COLLATE "C" NOT NULL REFERENCES jobs(id),
    upload_id    TEXT COLLATE "C" NOT NULL REFERENCES uploads(id),
    bulk_id      TEXT NOT NULL,
    anchor       TEXT COLLATE "C" NOT NULL,
    payload      BYTEA NOT NULL,
    received_at  BIGINT NOT NULL,
    processed_at BIGINT
);
CREATE INDEX staged_records_pending ON staged_records (job_id, id) WHERE processed_at IS NULL;

CREATE TABLE operations (
    id            TEXT COLLATE "C" PRIMARY KEY,
    job_id        TEXT COLLATE "C" NOT NULL,
    domain        TEXT NOT NULL,
    payload       BYTEA NOT NULL,
    state         TEXT NOT NULL,
    -- attempt and seq hold uint32 and uint64 values; BIGINT also takes the
    -- attempt-1 of a first dispatch without overflowing.
    attempt       BIGINT NOT NULL DEFAULT 0,
    seq           BIGINT NOT NULL DEFAULT 0,
    agent_id      TEXT NOT NULL DEFAULT '',
    not_before    BIGINT NOT NULL DEFAULT 0,
    dispatched_at BIGINT NOT NULL DEFAULT 0,
    result        BYTEA,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX operations_state ON operations (state, created_at);

-- op_seq is a row, not a SEQUENCE: MarkDispatched holds its row lock until
-- commit, so sequence numbers become visible in the order they were taken
-- and a reader never sees seq n+1 committed while n is still in flight.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('op_seq', 0);

CREATE TABLE links (
    job_id      TEXT COLLATE "C" NOT NULL,
    anchor      TEXT COLLATE "C" NOT NULL,
    object_guid TEXT NOT NULL,
    dn          TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (job_id, anchor)
);

CREATE TABLE provisioning_logs (
    id              TEXT COLLATE "C" PRIMARY KEY,
    job_id          TEXT COLLATE "C" NOT NULL,
    cycle_id        TEXT NOT NULL,
    change_id       TEXT NOT NULL,
    activity_time   BIGINT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    action          TEXT NOT NULL,
    status          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    source_name     TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    target_name     TEXT NOT NULL,
    error_code      TEXT NOT NULL,
    error_message   TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    modified        BYTEA NOT NULL,
    steps           BYTEA NOT NULL
);
CREATE INDEX provisioning_logs_job ON provisioning_logs (job_id, activity_time, id);
CREATE INDEX provisioning_logs_time ON provisioning_logs (activity_time, id);
