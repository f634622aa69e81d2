-- Issue 13 / ADR 0030: "email only" with a newly typed address is a consent only once the address's owner
-- follows the link sent to it. The token itself is never stored, only its keyed hash; a row is used once.
CREATE TABLE email_confirmations (
    confirmation_id TEXT    NOT NULL PRIMARY KEY,
    token_hash      TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    email_hash      TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    response_id     TEXT    NOT NULL,
    code            TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    confirmed_at    INTEGER NULL
);
CREATE UNIQUE INDEX ux_email_confirmations_token ON email_confirmations (token_hash);
CREATE INDEX ix_email_confirmations_contact ON email_confirmations (contact_hash);
CREATE INDEX ix_email_confirmations_email ON email_confirmations (email_hash);
