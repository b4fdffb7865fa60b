ALTER TABLE links ADD COLUMN match_value TEXT NOT NULL DEFAULT '';
CREATE INDEX links_match_value ON links (job_id, match_value);
