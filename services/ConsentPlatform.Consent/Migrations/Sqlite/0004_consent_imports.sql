-- Imported registrations (issue 4): where consent given elsewhere came from (R6) and what proves
-- it (R5). Web-form rows leave these NULL; their evidence is the form's own columns.
ALTER TABLE consent_ledger ADD COLUMN collected_at INTEGER NULL;
ALTER TABLE consent_ledger ADD COLUMN capture_method TEXT NULL;
ALTER TABLE consent_ledger ADD COLUMN text_reference TEXT NULL;
ALTER TABLE consent_ledger ADD COLUMN text_shown TEXT NULL;
ALTER TABLE consent_ledger ADD COLUMN evidence TEXT NULL;
ALTER TABLE consent_ledger ADD COLUMN import_id TEXT NULL;

-- One row per accepted import file; ledger rows name it (import_id), so an auditor can trace a
-- row back to the file (by its SHA-256) and the moment it was loaded.
CREATE TABLE consent_imports (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    format          TEXT    NOT NULL,
    file_name       TEXT    NULL,
    file_sha256     TEXT    NOT NULL,
    registrations   INTEGER NOT NULL,
    ledger_rows     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_consent_imports_event ON consent_imports (organization_id, event_id, created_at);
