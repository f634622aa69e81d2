-- Replica of the short links Notices issued (ResponseLinkIssued). Codes never expire (R24).
CREATE TABLE response_links (
    code            TEXT    NOT NULL PRIMARY KEY,
    notice_id       TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    masked_number   TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    caller_name     TEXT    NULL,
    issued_at       INTEGER NOT NULL
);
CREATE INDEX ix_response_links_contact ON response_links (contact_hash, organization_id);

-- Notices reported as sent (CallNoticeSent), for the organization's reports.
CREATE TABLE call_notices (
    notice_id       TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL
);

-- Where a contact came from (ConsentRecorded), shown on the form as provenance (R6).
CREATE TABLE consent_provenance (
    consent_id      TEXT    NOT NULL PRIMARY KEY,
    contact_hash    TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    source_event    TEXT    NULL,
    recorded_at     INTEGER NOT NULL
);
CREATE INDEX ix_consent_provenance_contact ON consent_provenance (contact_hash, organization_id, recorded_at);

-- Visits counted off the request path; previews are counted apart and never as visits.
CREATE TABLE link_visits (
    code           TEXT    NOT NULL PRIMARY KEY,
    visits         INTEGER NOT NULL,
    previews       INTEGER NOT NULL,
    first_visit_at INTEGER NULL,
    last_visit_at  INTEGER NULL
);

CREATE TABLE responses (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id         TEXT    NOT NULL UNIQUE,
    code                TEXT    NOT NULL,
    organization_id     TEXT    NOT NULL,
    contact_hash        TEXT    NOT NULL,
    masked_number       TEXT    NOT NULL,
    topic               TEXT    NOT NULL,
    email               TEXT    NULL,
    preferred_contact   TEXT    NOT NULL,
    contact_after       TEXT    NULL,
    reason              TEXT    NULL,
    reason_text         TEXT    NULL,
    comments            TEXT    NULL,
    opt_out_flagged     INTEGER NOT NULL,
    opt_out_phrase      TEXT    NULL,
    language            TEXT    NOT NULL,
    responded_at        INTEGER NOT NULL
);
CREATE INDEX ix_responses_org ON responses (organization_id, id);

-- CRM connectors per organization: webhook or salesforce (the pull feed needs none).
CREATE TABLE crm_connectors (
    connector_id     TEXT    NOT NULL PRIMARY KEY,
    organization_id  TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    enabled          INTEGER NOT NULL,
    url              TEXT    NOT NULL,
    secret           TEXT    NULL,
    client_id        TEXT    NULL,
    external_id_field TEXT   NULL,
    api_version      TEXT    NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX ix_crm_connectors_org ON crm_connectors (organization_id);

-- One row per response x connector, committed with the response (outbox-backed delivery).
CREATE TABLE crm_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT    NOT NULL UNIQUE,
    connector_id     TEXT    NOT NULL,
    organization_id  TEXT    NOT NULL,
    response_id      TEXT    NOT NULL,
    contact_hash     TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    claimed_until    INTEGER NULL,
    last_error       TEXT    NULL,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER NULL
);
CREATE INDEX ix_crm_deliveries_due ON crm_deliveries (status, next_attempt_at);
CREATE INDEX ix_crm_deliveries_contact ON crm_deliveries (connector_id, contact_hash, id);
CREATE INDEX ix_crm_deliveries_org ON crm_deliveries (organization_id, id);

-- Generic opt-out (unknown code): a one-time code sent to the number, stored only as a hash.
CREATE TABLE opt_out_challenges (
    challenge_id  TEXT    NOT NULL PRIMARY KEY,
    contact_hash  TEXT    NOT NULL,
    code_hash     TEXT    NOT NULL,
    attempts      INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER NULL,
    created_at    INTEGER NOT NULL
);
