-- Events and their consent forms (one form per event). Lists are stored as text:
-- channels and allowed origins space-separated, third parties one per line.
CREATE TABLE consent_events (
    id                TEXT    NOT NULL PRIMARY KEY,
    organization_id   TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    starts_on         TEXT    NULL,
    ends_on           TEXT    NULL,
    purpose           TEXT    NOT NULL,
    purpose_text_ja   TEXT    NOT NULL,
    purpose_text_en   TEXT    NOT NULL,
    channels          TEXT    NOT NULL,
    sender_legal_name TEXT    NOT NULL,
    lifetime_months   INTEGER NOT NULL,
    allowed_origins   TEXT    NOT NULL,
    third_parties     TEXT    NOT NULL,
    form_version      INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX ix_consent_events_organization ON consent_events (organization_id, created_at);

-- Every version of every consent text; rows are never updated, so a ledger row's
-- (version, hash) keeps pointing at exactly the words the person saw.
CREATE TABLE consent_texts (
    event_id   TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    language   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, channel, language, version)
);

-- The append-only ledger (R5). A withdrawal is a new row that names the row it ends.
-- phone_hash / email_hash are the keyed hashes of the contacts given in the same submission,
-- so a check by phone number finds the email consent given alongside it.
CREATE TABLE consent_ledger (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    receipt_id      TEXT    NOT NULL,
    subject_id      TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    event_id        TEXT    NULL,
    action          TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    third_party     TEXT    NULL,
    contact         TEXT    NULL,
    contact_hash    TEXT    NOT NULL,
    phone_hash      TEXT    NULL,
    email_hash      TEXT    NULL,
    text_version    INTEGER NULL,
    text_hash       TEXT    NULL,
    language        TEXT    NULL,
    form_version    INTEGER NULL,
    method          TEXT    NOT NULL,
    recorded_at     INTEGER NOT NULL,
    expires_at      INTEGER NULL,
    source_event    TEXT    NULL,
    page_url        TEXT    NULL,
    ip              TEXT    NULL,
    user_agent      TEXT    NULL,
    jurisdiction    TEXT    NULL,
    withdraws       TEXT    NULL
);
CREATE INDEX ix_consent_ledger_phone ON consent_ledger (phone_hash);
CREATE INDEX ix_consent_ledger_email ON consent_ledger (email_hash);
CREATE INDEX ix_consent_ledger_event ON consent_ledger (organization_id, event_id, seq);
CREATE INDEX ix_consent_ledger_receipt ON consent_ledger (receipt_id);

-- The authoritative suppression list, by keyed hash only. NULL scope columns mean "all".
CREATE TABLE suppressions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    contact_hash    TEXT    NOT NULL,
    organization_id TEXT    NULL,
    channel         TEXT    NULL,
    purpose         TEXT    NULL,
    reason          TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    request_id      TEXT    NULL,
    created_at      INTEGER NOT NULL,
    lifted_at       INTEGER NULL
);
CREATE INDEX ix_suppressions_contact ON suppressions (contact_hash);

-- Every permission check, for audit (R10): the hash, never the number.
CREATE TABLE check_audit (
    check_id        TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    decision        TEXT    NOT NULL,
    reasons         TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    checked_at      INTEGER NOT NULL,
    source          TEXT    NOT NULL
);
CREATE INDEX ix_check_audit_organization ON check_audit (organization_id, checked_at);

-- Per-organization quiet hours (R13); minutes after local midnight, [start, end).
CREATE TABLE contact_windows (
    organization_id TEXT    NOT NULL PRIMARY KEY,
    start_minute    INTEGER NOT NULL,
    end_minute      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
