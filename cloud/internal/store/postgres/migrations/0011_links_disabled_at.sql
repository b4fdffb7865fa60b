ALTER TABLE links ADD COLUMN disabled_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX links_disabled ON links (job_id, disabled_at) WHERE disabled_at > 0;
