CREATE TABLE escrows (
    job_id       TEXT COLLATE "C" NOT NULL,
    anchor       TEXT COLLATE "C" NOT NULL,
    record_id    BIGINT NOT NULL,
    bulk_id      TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    attempts     INTEGER NOT NULL,
    first_failed BIGINT NOT NULL,
    next_attempt BIGINT NOT NULL,
    error_code   TEXT NOT NULL,
    PRIMARY KEY (job_id, anchor)
);
CREATE INDEX escrows_due ON escrows (next_attempt);
