-- Scale-out: replicas sharing this database announce that they live
-- (replicas), every dispatched operation records the replica whose agent
-- stream it went through (operations.replica_id), so a survivor can requeue
-- the operations of a replica that died, and work that must run on one
-- replica at a time (a job's records, its sweeps) is held through a named
-- lease (leases). 0014 is left to another change.
CREATE TABLE replicas (
    id           TEXT COLLATE "C" PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);

ALTER TABLE operations ADD COLUMN replica_id TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX operations_replica ON operations (replica_id) WHERE state = 'dispatched';

CREATE TABLE leases (
    name  TEXT COLLATE "C" PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
