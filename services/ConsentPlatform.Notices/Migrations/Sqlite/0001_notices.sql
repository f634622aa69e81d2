-- Replica of Consent's suppression list, plus provisional entries from OptOutRequested (id =
-- the request id) so an opt-out bites before Consent confirms it. A row whose lifted_at is set
-- no longer suppresses; an Unsuppressed that arrives first leaves a lifted row behind, so the
-- late Suppressed cannot revive it (the bus does not keep order).
CREATE TABLE suppressions (
    id              TEXT    NOT NULL PRIMARY KEY,
    contact_hash    TEXT    NOT NULL,
    organization_id TEXT    NULL,
    channel         TEXT    NULL,
    purpose         TEXT    NULL,
    reason          TEXT    NOT NULL,
    provisional     INTEGER NOT NULL,
    suppressed_at   INTEGER NOT NULL,
    lifted_at       INTEGER NULL
);
CREATE INDEX ix_suppressions_contact ON suppressions (contact_hash);

-- Replica of consent (SMS and call) by contact hash; withdrawals are kept as their own rows.
CREATE TABLE consents (
    id              TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    expires_at      INTEGER NULL
);
CREATE INDEX ix_consents_contact ON consents (contact_hash);

CREATE TABLE erasures (
    contact_hash TEXT    NOT NULL PRIMARY KEY,
    erased_at    INTEGER NOT NULL
);

-- Published calling numbers (Directory). Public data, so E.164 in clear.
CREATE TABLE caller_numbers (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    e164            TEXT    NOT NULL,
    department      TEXT    NULL,
    published_at    INTEGER NULL,
    withdrawn_at    INTEGER NULL
);
CREATE INDEX ix_caller_numbers_organization ON caller_numbers (organization_id);

-- Contacts whose replica rows changed, so other instances can refresh their in-memory index.
CREATE TABLE replica_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_hash TEXT    NULL,
    changed_at   INTEGER NOT NULL
);
CREATE INDEX ix_replica_changes_changed_at ON replica_changes (changed_at);

CREATE TABLE organization_settings (
    organization_id      TEXT    NOT NULL PRIMARY KEY,
    window_start_minutes INTEGER NOT NULL,
    window_end_minutes   INTEGER NOT NULL,
    frequency_cap        INTEGER NOT NULL,
    frequency_hours      INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE templates (
    organization_id TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    max_segments    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, kind, language)
);

CREATE TABLE calls (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    phone_number    TEXT    NOT NULL,
    masked_number   TEXT    NOT NULL,
    caller_name     TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    calling_number  TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    planned_at      INTEGER NOT NULL,
    outcome         TEXT    NULL,
    outcome_at      INTEGER NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_calls_organization ON calls (organization_id, created_at);

-- Every notice the gate was asked about: refused ones carry their reason and no message.
CREATE TABLE notices (
    id              TEXT    NOT NULL PRIMARY KEY,
    call_id         TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    reason          TEXT    NULL,
    code            TEXT    NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX ix_notices_frequency ON notices (organization_id, contact_hash, created_at);
CREATE INDEX ix_notices_call ON notices (call_id);

-- SMS to send. status: pending | sending | unknown (request may have reached the provider:
-- resolved by lookup, never by sending again) | sent | delivered | undelivered | failed | cancelled.
CREATE TABLE outgoing_messages (
    id              TEXT    NOT NULL PRIMARY KEY,
    notice_id       TEXT    NULL,
    organization_id TEXT    NULL,
    purpose         TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    to_number       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    provider_sid    TEXT    NULL,
    error_code      TEXT    NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lookups         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT    NULL,
    claimed_until   INTEGER NULL,
    first_sent_at   INTEGER NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX ix_outgoing_due ON outgoing_messages (status, next_attempt_at);
CREATE INDEX ix_outgoing_sid ON outgoing_messages (provider_sid);
CREATE INDEX ix_outgoing_contact ON outgoing_messages (contact_hash);

-- Per-sender pacing shared by every instance: next_at is the earliest time the next send may start.
CREATE TABLE sender_pacing (
    sender  TEXT    NOT NULL PRIMARY KEY,
    next_at INTEGER NOT NULL
);

-- The dev inbox: what the DevInbox provider "sent".
CREATE TABLE dev_inbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    message_id      TEXT    NOT NULL,
    organization_id TEXT    NULL,
    to_number       TEXT    NOT NULL,
    sender          TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_dev_inbox_created ON dev_inbox (created_at);

-- Inbound replies handled (the provider retries webhooks), and the one confirmation per opt-out.
CREATE TABLE inbound_replies (
    provider_sid    TEXT    NOT NULL PRIMARY KEY,
    contact_hash    TEXT    NOT NULL,
    intent          TEXT    NOT NULL,
    received_at     INTEGER NOT NULL
);
CREATE INDEX ix_inbound_replies_contact ON inbound_replies (contact_hash, intent);
