-- The quarantine reason a job's notification address was last mailed
-- about (empty once the job recovered), shared by the replicas so that
-- whichever replica processes the job mails a quarantine once.
ALTER TABLE jobs ADD COLUMN alerted_reason TEXT NOT NULL DEFAULT '';
