-- See the SQLite script for why (events saved before Notices kept purposes are announced once at start).
ALTER TABLE consent_events ADD COLUMN purpose_announced_at BIGINT NULL;
