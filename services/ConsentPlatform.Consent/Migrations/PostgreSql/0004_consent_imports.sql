-- Imported registrations (issue 4): where consent given elsewhere came from (R6) and what proves
-- it (R5). Web-form rows leave these NULL; their evidence is the form's own columns.
ALTER TABLE consent_ledger
    ADD COLUMN collected_at   BIGINT        NULL,
    ADD COLUMN capture_method VARCHAR(20)   NULL,
    ADD COLUMN text_reference VARCHAR(500)  NULL,
    ADD COLUMN text_shown     VARCHAR(2000) NULL,
    ADD COLUMN evidence       VARCHAR(500)  NULL,
    ADD COLUMN import_id      VARCHAR(40)   NULL;

-- One row per accepted import file; ledger rows name it (import_id), so an auditor can trace a
-- row back to the file (by its SHA-256) and the moment it was loaded.
CREATE TABLE consent_imports (
    id              VARCHAR(40)   NOT NULL PRIMARY KEY,
    organization_id VARCHAR(40)   NOT NULL,
    event_id        VARCHAR(40)   NOT NULL,
    format          VARCHAR(10)   NOT NULL,
    file_name       VARCHAR(200) NULL,
    file_sha256     VARCHAR(80)   NOT NULL,
    registrations   BIGINT           NOT NULL,
    ledger_rows     BIGINT           NOT NULL,
    created_at      BIGINT        NOT NULL
);
CREATE INDEX ix_consent_imports_event ON consent_imports (organization_id, event_id, created_at);
