-- See the SQLite script: granted consents whose expiry has been announced, once.
CREATE TABLE consent_expiries (
    consent_id   VARCHAR(36) NOT NULL PRIMARY KEY,
    announced_at BIGINT      NOT NULL
);
