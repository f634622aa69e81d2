-- Who asked (the API key or the signed-in session's key) and the contact as people may see it
-- (masked, e.g. 090-****-5678), so the audit page can filter by key and show something readable
-- without a raw number ever being stored. Rows written before this have neither.
ALTER TABLE check_audit ADD COLUMN key_id TEXT NULL;
ALTER TABLE check_audit ADD COLUMN contact_masked TEXT NULL;
