-- One row per one-time code a person's request made this service send to a contact (keyed hash
-- only), so codes to one number or address can be capped per hour and per day whoever asks.
CREATE TABLE recipient_codes (
    id           BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    contact_hash VARCHAR(100) NOT NULL,
    sent_at      BIGINT       NOT NULL
);
CREATE INDEX ix_recipient_codes_contact ON recipient_codes (contact_hash, sent_at);
