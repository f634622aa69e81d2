-- See the SQLite script for why (key filter on the audit page, masked contact); the (organization_id, checked_at) index serves both filters.
ALTER TABLE check_audit ADD COLUMN key_id VARCHAR(40) NULL;
ALTER TABLE check_audit ADD COLUMN contact_masked VARCHAR(80) NULL;
