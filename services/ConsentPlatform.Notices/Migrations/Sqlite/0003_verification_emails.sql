-- One-time codes sent by email (data-subject requests by email). Queued here in the consumer's
-- transaction and sent by the email worker; once sent, the address and the body (it holds the
-- code) are cleared, so only the keyed hash stays.
CREATE TABLE outgoing_emails (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NULL,
    purpose         TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    error           TEXT    NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX ix_outgoing_emails_due ON outgoing_emails (status, next_attempt_at);
CREATE INDEX ix_outgoing_emails_contact ON outgoing_emails (contact_hash);

-- The dev inbox for email: what the DevInbox email provider "sent".
CREATE TABLE dev_emails (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NULL,
    contact_hash    TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_dev_emails_created ON dev_emails (created_at);
