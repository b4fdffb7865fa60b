CREATE INDEX links_object ON links (job_id, object_guid);
