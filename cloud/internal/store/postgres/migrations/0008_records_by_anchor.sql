CREATE INDEX staged_records_anchor ON staged_records (job_id, anchor, id);
