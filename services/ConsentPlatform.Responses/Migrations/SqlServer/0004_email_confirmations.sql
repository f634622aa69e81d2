-- Issue 13 / ADR 0030: "email only" with a newly typed address is a consent only once the address's owner
-- follows the link sent to it. The token itself is never stored, only its keyed hash; a row is used once.
CREATE TABLE email_confirmations (
    confirmation_id NVARCHAR(300) NOT NULL PRIMARY KEY,
    token_hash      NVARCHAR(300) NOT NULL,
    organization_id NVARCHAR(300) NOT NULL,
    contact_hash    NVARCHAR(300) NOT NULL,
    email_hash      NVARCHAR(300) NOT NULL,
    email           NVARCHAR(300) NOT NULL,
    response_id     NVARCHAR(300) NOT NULL,
    code            NVARCHAR(300) NOT NULL,
    language        NVARCHAR(300) NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    confirmed_at    BIGINT NULL
);
CREATE UNIQUE INDEX ux_email_confirmations_token ON email_confirmations (token_hash);
CREATE INDEX ix_email_confirmations_contact ON email_confirmations (contact_hash);
CREATE INDEX ix_email_confirmations_email ON email_confirmations (email_hash);
