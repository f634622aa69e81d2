-- Issue 13: every preference change (Consent's suppressions, lifts, consents and withdrawals, whichever
-- channel they came from) is delivered to the organization's CRM connectors through crm_deliveries.
-- A delivery's kind says what response_id points at: a response, or a preference change here.
CREATE TABLE preference_changes (
    change_id       VARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id VARCHAR(200) NOT NULL,
    contact_hash    VARCHAR(200) NOT NULL,
    evidence_id     VARCHAR(200) NULL,
    payload         TEXT         NOT NULL,
    created_at      BIGINT       NOT NULL
);
CREATE INDEX ix_preference_changes_contact ON preference_changes (contact_hash, organization_id);
CREATE INDEX ix_preference_changes_evidence ON preference_changes (evidence_id);

-- The organization's own reference for a contact (a CRM lead id), as given when planning a call.
CREATE TABLE crm_contacts (
    organization_id VARCHAR(200) NOT NULL,
    contact_hash    VARCHAR(200) NOT NULL,
    external_id     VARCHAR(200) NOT NULL,
    updated_at      BIGINT       NOT NULL,
    PRIMARY KEY (organization_id, contact_hash)
);

ALTER TABLE crm_deliveries ADD kind VARCHAR(20) NOT NULL DEFAULT 'response';
