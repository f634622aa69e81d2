-- Issue 13: every preference change (Consent's suppressions, lifts, consents and withdrawals, whichever
-- channel they came from) is delivered to the organization's CRM connectors through crm_deliveries.
-- A delivery's kind says what response_id points at: a response, or a preference change here.
CREATE TABLE preference_changes (
    change_id       TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    evidence_id     TEXT    NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_preference_changes_contact ON preference_changes (contact_hash, organization_id);
CREATE INDEX ix_preference_changes_evidence ON preference_changes (evidence_id);

-- The organization's own reference for a contact (a CRM lead id), as given when planning a call.
CREATE TABLE crm_contacts (
    organization_id TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    external_id     TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, contact_hash)
);

ALTER TABLE crm_deliveries ADD kind TEXT NOT NULL DEFAULT 'response';
