-- Scale-out (see postgres/migrations/0015_replicas.sql); a SQLite store
-- serves one replica, but keeps the same schema and semantics.
CREATE TABLE replicas (
    id           TEXT PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

ALTER TABLE operations ADD COLUMN replica_id TEXT NOT NULL DEFAULT '';
CREATE INDEX operations_replica ON operations (replica_id) WHERE state = 'dispatched';

CREATE TABLE leases (
    name  TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
