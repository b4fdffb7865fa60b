CREATE TABLE escrows (
    job_id       TEXT NOT NULL,
    anchor       TEXT NOT NULL,
    record_id    INTEGER NOT NULL,
    bulk_id      TEXT NOT NULL,
    payload      BLOB NOT NULL,
    attempts     INTEGER NOT NULL,
    first_failed INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    error_code   TEXT NOT NULL,
    PRIMARY KEY (job_id, anchor)
);
CREATE INDEX escrows_due ON escrows (next_attempt);
