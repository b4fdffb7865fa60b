CREATE INDEX provisioning_logs_cycle ON provisioning_logs (job_id, cycle_id);
