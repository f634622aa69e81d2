ALTER TABLE suppressions ADD until_at BIGINT NULL;

CREATE TABLE suppression_lifts (
    seq            BIGINT IDENTITY(1,1) PRIMARY KEY,
    id             VARCHAR(36) NOT NULL UNIQUE,
    suppression_id VARCHAR(36) NOT NULL,
    contact_hash   VARCHAR(80) NOT NULL,
    source         VARCHAR(40) NOT NULL,
    request_id     VARCHAR(36) NULL,
    lifted_at      BIGINT      NOT NULL
);
CREATE INDEX ix_suppression_lifts_suppression ON suppression_lifts (suppression_id);

CREATE TABLE opt_in_requests (
    id              VARCHAR(36) NOT NULL PRIMARY KEY,
    contact_hash    VARCHAR(80) NOT NULL,
    organization_id VARCHAR(40) NOT NULL,
    channels        VARCHAR(40) NOT NULL,
    source          VARCHAR(40) NOT NULL,
    requested_at    BIGINT      NOT NULL,
    received_at     BIGINT      NOT NULL
);
CREATE INDEX ix_opt_in_requests_contact ON opt_in_requests (contact_hash, organization_id);
