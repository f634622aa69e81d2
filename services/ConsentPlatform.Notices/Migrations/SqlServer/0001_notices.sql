-- Replica of Consent's suppression list, plus provisional entries from OptOutRequested (id =
-- the request id) so an opt-out bites before Consent confirms it. A row whose lifted_at is set
-- no longer suppresses; an Unsuppressed that arrives first leaves a lifted row behind, so the
-- late Suppressed cannot revive it (the bus does not keep order).
CREATE TABLE suppressions (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    contact_hash    NVARCHAR(200) NOT NULL,
    organization_id NVARCHAR(200) NULL,
    channel         NVARCHAR(200) NULL,
    purpose         NVARCHAR(200) NULL,
    reason          NVARCHAR(200) NOT NULL,
    provisional     BIGINT NOT NULL,
    suppressed_at   BIGINT NOT NULL,
    lifted_at       BIGINT NULL
);
CREATE INDEX ix_suppressions_contact ON suppressions (contact_hash);

-- Replica of consent (SMS and call) by contact hash; withdrawals are kept as their own rows.
CREATE TABLE consents (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    kind            NVARCHAR(200) NOT NULL,
    contact_hash    NVARCHAR(200) NOT NULL,
    organization_id NVARCHAR(200) NOT NULL,
    channel         NVARCHAR(200) NOT NULL,
    purpose         NVARCHAR(200) NOT NULL,
    at              BIGINT NOT NULL,
    expires_at      BIGINT NULL
);
CREATE INDEX ix_consents_contact ON consents (contact_hash);

CREATE TABLE erasures (
    contact_hash NVARCHAR(200) NOT NULL PRIMARY KEY,
    erased_at    BIGINT NOT NULL
);

-- Published calling numbers (Directory). Public data, so E.164 in clear.
CREATE TABLE caller_numbers (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id NVARCHAR(200) NOT NULL,
    e164            NVARCHAR(200) NOT NULL,
    department      NVARCHAR(200) NULL,
    published_at    BIGINT NULL,
    withdrawn_at    BIGINT NULL
);
CREATE INDEX ix_caller_numbers_organization ON caller_numbers (organization_id);

-- Contacts whose replica rows changed, so other instances can refresh their in-memory index.
CREATE TABLE replica_changes (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    contact_hash NVARCHAR(200) NULL,
    changed_at   BIGINT NOT NULL
);
CREATE INDEX ix_replica_changes_changed_at ON replica_changes (changed_at);

CREATE TABLE organization_settings (
    organization_id      NVARCHAR(200) NOT NULL PRIMARY KEY,
    window_start_minutes BIGINT NOT NULL,
    window_end_minutes   BIGINT NOT NULL,
    frequency_cap        BIGINT NOT NULL,
    frequency_hours      BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE templates (
    organization_id NVARCHAR(200) NOT NULL,
    kind            NVARCHAR(200) NOT NULL,
    language        NVARCHAR(200) NOT NULL,
    body            NVARCHAR(4000)    NOT NULL,
    max_segments    BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, kind, language)
);

CREATE TABLE calls (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id NVARCHAR(200) NOT NULL,
    contact_hash    NVARCHAR(200) NOT NULL,
    phone_number    NVARCHAR(200) NOT NULL,
    masked_number   NVARCHAR(200) NOT NULL,
    caller_name     NVARCHAR(200) NOT NULL,
    topic           NVARCHAR(200) NOT NULL,
    purpose         NVARCHAR(200) NOT NULL,
    calling_number  NVARCHAR(200) NOT NULL,
    language        NVARCHAR(200) NOT NULL,
    planned_at      BIGINT NOT NULL,
    outcome         NVARCHAR(200) NULL,
    outcome_at      BIGINT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX ix_calls_organization ON calls (organization_id, created_at);

-- Every notice the gate was asked about: refused ones carry their reason and no message.
CREATE TABLE notices (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    call_id         NVARCHAR(200) NOT NULL,
    organization_id NVARCHAR(200) NOT NULL,
    kind            NVARCHAR(200) NOT NULL,
    contact_hash    NVARCHAR(200) NOT NULL,
    status          NVARCHAR(200) NOT NULL,
    reason          NVARCHAR(200) NULL,
    code            NVARCHAR(40) NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_notices_frequency ON notices (organization_id, contact_hash, created_at);
CREATE INDEX ix_notices_call ON notices (call_id);
CREATE UNIQUE INDEX ux_notices_code ON notices (code) WHERE code IS NOT NULL;

-- SMS to send. status: pending | sending | unknown (request may have reached the provider:
-- resolved by lookup, never by sending again) | sent | delivered | undelivered | failed | cancelled.
CREATE TABLE outgoing_messages (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    notice_id       NVARCHAR(200) NULL,
    organization_id NVARCHAR(200) NULL,
    purpose         NVARCHAR(200) NOT NULL,
    contact_hash    NVARCHAR(200) NOT NULL,
    to_number       NVARCHAR(200) NOT NULL,
    body            NVARCHAR(4000)    NOT NULL,
    status          NVARCHAR(200) NOT NULL,
    provider_sid    NVARCHAR(200) NULL,
    error_code      NVARCHAR(200) NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    lookups         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      NVARCHAR(200) NULL,
    claimed_until   BIGINT NULL,
    first_sent_at   BIGINT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ix_outgoing_due ON outgoing_messages (status, next_attempt_at);
CREATE INDEX ix_outgoing_sid ON outgoing_messages (provider_sid);
CREATE INDEX ix_outgoing_contact ON outgoing_messages (contact_hash);

-- Per-sender pacing shared by every instance: next_at is the earliest time the next send may start.
CREATE TABLE sender_pacing (
    sender  NVARCHAR(200) NOT NULL PRIMARY KEY,
    next_at BIGINT NOT NULL
);

-- The dev inbox: what the DevInbox provider "sent".
CREATE TABLE dev_inbox (
    id              NVARCHAR(200) NOT NULL PRIMARY KEY,
    message_id      NVARCHAR(200) NOT NULL,
    organization_id NVARCHAR(200) NULL,
    to_number       NVARCHAR(200) NOT NULL,
    sender          NVARCHAR(200) NOT NULL,
    body            NVARCHAR(4000)    NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX ix_dev_inbox_created ON dev_inbox (created_at);

-- Inbound replies handled (the provider retries webhooks), and the one confirmation per opt-out.
CREATE TABLE inbound_replies (
    provider_sid    NVARCHAR(200) NOT NULL PRIMARY KEY,
    contact_hash    NVARCHAR(200) NOT NULL,
    intent          NVARCHAR(200) NOT NULL,
    received_at     BIGINT NOT NULL
);
CREATE INDEX ix_inbound_replies_contact ON inbound_replies (contact_hash, intent);
