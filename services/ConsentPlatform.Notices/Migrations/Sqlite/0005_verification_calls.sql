-- Verification codes read out by an automated call (PlaceVerificationCall, for numbers that cannot
-- take SMS). Queued here in the consumer's transaction and placed by the voice call worker. A row is
-- placed at most once: once its request may have reached the provider it is never placed again.
-- Once finished (placed, failed, unknown or cancelled) the number and the code are cleared, so only
-- the keyed hash stays.
CREATE TABLE outgoing_calls (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NULL,
    purpose         TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    to_number       TEXT    NOT NULL,
    code            TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    error           TEXT    NULL,
    sid             TEXT    NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX ix_outgoing_calls_due ON outgoing_calls (status, next_attempt_at);
CREATE INDEX ix_outgoing_calls_contact ON outgoing_calls (contact_hash);

-- The dev call log: what the DevInbox provider "called". Only the masked number is kept.
CREATE TABLE dev_calls (
    id              TEXT    NOT NULL PRIMARY KEY,
    request_id      TEXT    NOT NULL,
    organization_id TEXT    NULL,
    contact_hash    TEXT    NOT NULL,
    masked_number   TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    spoken_text     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_dev_calls_request ON dev_calls (request_id);
CREATE INDEX ix_dev_calls_created ON dev_calls (created_at);
