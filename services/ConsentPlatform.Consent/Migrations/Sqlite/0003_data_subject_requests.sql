-- Data-subject requests (R31-R32). contact is kept only until the request is carried out (the code
-- must be sent to it); code_hash is SHA-256 of the one-time code, never the code itself.
CREATE TABLE data_subject_requests (
    id           TEXT    NOT NULL PRIMARY KEY,
    kind         TEXT    NOT NULL,
    contact_hash TEXT    NOT NULL,
    contact      TEXT    NULL,
    code_hash    TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    code_expires_at INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    completed_at INTEGER NULL
);
CREATE INDEX ix_data_subject_requests_status ON data_subject_requests (status, due_at);
