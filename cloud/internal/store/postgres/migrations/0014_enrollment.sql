CREATE TABLE bootstrap_tokens (
    id          TEXT COLLATE "C" PRIMARY KEY,
    token_hash  BYTEA NOT NULL UNIQUE,
    domains     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0,
    used_by     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE enrolled_agents (
    id           TEXT COLLATE "C" PRIMARY KEY,
    domains      TEXT NOT NULL,
    hostname     TEXT NOT NULL DEFAULT '',
    token_id     TEXT NOT NULL,
    serial       TEXT NOT NULL,
    not_after    BIGINT NOT NULL,
    prev_serial  TEXT NOT NULL DEFAULT '',
    serial_seen  BOOLEAN NOT NULL DEFAULT FALSE,
    enrolled_at  BIGINT NOT NULL,
    renewed_at   BIGINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT NOT NULL DEFAULT 0,
    clone_at     BIGINT NOT NULL DEFAULT 0,
    clone_from   TEXT NOT NULL DEFAULT '',
    clone_reason TEXT NOT NULL DEFAULT ''
);
