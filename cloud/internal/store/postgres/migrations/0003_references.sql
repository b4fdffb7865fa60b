CREATE TABLE pending_references (
    job_id     TEXT COLLATE "C" NOT NULL,
    anchor     TEXT COLLATE "C" NOT NULL,
    attribute  TEXT COLLATE "C" NOT NULL,
    target     TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, anchor, attribute)
);
CREATE INDEX pending_references_target ON pending_references (job_id, target);
