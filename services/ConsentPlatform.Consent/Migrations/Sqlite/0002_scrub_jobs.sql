-- Bulk scrubs (R14). The result file, kept with its SHA-256, is the audit record of every row checked.
CREATE TABLE scrub_jobs (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    at              INTEGER NULL,
    status          TEXT    NOT NULL,
    rows_checked    INTEGER NOT NULL,
    allowed         INTEGER NOT NULL,
    denied          INTEGER NOT NULL,
    result_sha256   TEXT    NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER NULL
);
CREATE INDEX ix_scrub_jobs_organization ON scrub_jobs (organization_id, started_at);
