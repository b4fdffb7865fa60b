-- The domain controller an escrowed worker's create may have reached before
-- the DC failed (its add in doubt): retries of the create run there only,
-- so no second account is made on a DC that has not replicated the first.
ALTER TABLE escrows ADD COLUMN pinned_dc TEXT NOT NULL DEFAULT '';
