-- A temporary stop ("not now — after a date"): the entry suppresses until then, not after.
ALTER TABLE suppressions ADD COLUMN until_at BIGINT NULL;
