-- Granted consents whose expiry Consent has announced (ConsentExpired, issue 13). The primary key is what keeps two
-- replicas sweeping at once from announcing one expiry twice: the insert and the outbox row share a transaction.
CREATE TABLE consent_expiries (
    consent_id   TEXT    NOT NULL PRIMARY KEY,
    announced_at INTEGER NOT NULL
);
