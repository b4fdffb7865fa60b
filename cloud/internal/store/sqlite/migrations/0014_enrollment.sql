CREATE TABLE bootstrap_tokens (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL UNIQUE,
    domains     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER NOT NULL DEFAULT 0,
    used_by     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE enrolled_agents (
    id           TEXT PRIMARY KEY,
    domains      TEXT NOT NULL,
    hostname     TEXT NOT NULL DEFAULT '',
    token_id     TEXT NOT NULL,
    serial       TEXT NOT NULL,
    not_after    INTEGER NOT NULL,
    prev_serial  TEXT NOT NULL DEFAULT '',
    serial_seen  INTEGER NOT NULL DEFAULT 0,
    enrolled_at  INTEGER NOT NULL,
    renewed_at   INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0,
    clone_at     INTEGER NOT NULL DEFAULT 0,
    clone_from   TEXT NOT NULL DEFAULT '',
    clone_reason TEXT NOT NULL DEFAULT ''
);
