-- Data-subject requests by email (R31): contact_kind says what contact and contact_hash hold,
-- 'phone' (E.164, keyed hash of the number) or 'email' (normalized address, keyed email hash).
-- Rows from before this script are phone requests.
ALTER TABLE data_subject_requests ADD COLUMN contact_kind VARCHAR(10) NULL;
