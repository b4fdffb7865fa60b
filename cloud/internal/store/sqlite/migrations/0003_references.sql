CREATE TABLE pending_references (
    job_id     TEXT NOT NULL,
    anchor     TEXT NOT NULL,
    attribute  TEXT NOT NULL,
    target     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, anchor, attribute)
);
CREATE INDEX pending_references_target ON pending_references (job_id, target);
