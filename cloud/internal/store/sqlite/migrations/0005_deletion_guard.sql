ALTER TABLE links ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN quarantined_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN deletes_allowed_before INTEGER NOT NULL DEFAULT 0;
CREATE INDEX provisioning_logs_job_action ON provisioning_logs (job_id, action, activity_time);
