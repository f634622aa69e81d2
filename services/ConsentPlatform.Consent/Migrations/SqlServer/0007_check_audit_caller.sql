-- See the SQLite script for why (key filter on the audit page, masked contact); the (organization_id, checked_at) index serves both filters.
ALTER TABLE check_audit ADD key_id VARCHAR(40) NULL, contact_masked NVARCHAR(80) NULL;
