-- Verification codes read out by an automated call (PlaceVerificationCall, for numbers that cannot
-- take SMS). Queued here in the consumer's transaction and placed by the voice call worker. A row is
-- placed at most once: once its request may have reached the provider it is never placed again.
-- Once finished (placed, failed, unknown or cancelled) the number and the code are cleared, so only
-- the keyed hash stays.
CREATE TABLE outgoing_calls (
    id              VARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id VARCHAR(200) NULL,
    purpose         VARCHAR(200) NOT NULL,
    contact_hash    VARCHAR(200) NOT NULL,
    to_number       VARCHAR(32) NOT NULL,
    code            VARCHAR(32) NOT NULL,
    language        VARCHAR(8) NOT NULL,
    status          VARCHAR(20) NOT NULL,
    attempts        BIGINT NOT NULL,
    error           VARCHAR(400) NULL,
    sid             VARCHAR(64) NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_outgoing_calls_due ON outgoing_calls (status, next_attempt_at);
CREATE INDEX ix_outgoing_calls_contact ON outgoing_calls (contact_hash);

-- The dev call log: what the DevInbox provider "called". Only the masked number is kept.
CREATE TABLE dev_calls (
    id              VARCHAR(200) NOT NULL PRIMARY KEY,
    request_id      VARCHAR(200) NOT NULL,
    organization_id VARCHAR(200) NULL,
    contact_hash    VARCHAR(200) NOT NULL,
    masked_number   VARCHAR(64) NOT NULL,
    language        VARCHAR(8) NOT NULL,
    spoken_text     VARCHAR(2000) NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX ix_dev_calls_request ON dev_calls (request_id);
CREATE INDEX ix_dev_calls_created ON dev_calls (created_at);
