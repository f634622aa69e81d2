-- One-time codes sent by email (data-subject requests by email). Queued here in the consumer's
-- transaction and sent by the email worker; once sent, the address and the body (it holds the
-- code) are cleared, so only the keyed hash stays.
CREATE TABLE outgoing_emails (
    id              VARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id VARCHAR(200) NULL,
    purpose         VARCHAR(200) NOT NULL,
    contact_hash    VARCHAR(200) NOT NULL,
    to_address      VARCHAR(320) NOT NULL,
    subject         VARCHAR(400) NOT NULL,
    body            TEXT NOT NULL,
    status          VARCHAR(20) NOT NULL,
    attempts        BIGINT NOT NULL,
    error           VARCHAR(400) NULL,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_outgoing_emails_due ON outgoing_emails (status, next_attempt_at);
CREATE INDEX ix_outgoing_emails_contact ON outgoing_emails (contact_hash);

-- The dev inbox for email: what the DevInbox email provider "sent".
CREATE TABLE dev_emails (
    id              VARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id VARCHAR(200) NULL,
    contact_hash    VARCHAR(200) NOT NULL,
    to_address      VARCHAR(320) NOT NULL,
    subject         VARCHAR(400) NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX ix_dev_emails_created ON dev_emails (created_at);
