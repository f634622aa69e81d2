-- What happened to each data-subject request, across services (issue 16): received, verified or failed,
-- what Consent did, each ErasureRequested sent (message_id) and each service's ContactErased answer.
CREATE TABLE data_subject_request_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    service    TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NULL,
    message_id TEXT    NULL
);
CREATE INDEX ix_dsr_log_request ON data_subject_request_log (request_id, seq);
CREATE INDEX ix_dsr_log_message ON data_subject_request_log (message_id);

-- The organizations a request concerns: those holding the contact (ledger rows or their own opt-outs)
-- when it was received. A request is the person's, not an organization's; each organization's console
-- lists the ones about people it holds.
CREATE TABLE data_subject_request_organizations (
    request_id      TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    PRIMARY KEY (request_id, organization_id)
);
CREATE INDEX ix_dsr_organizations ON data_subject_request_organizations (organization_id, request_id);

INSERT INTO data_subject_request_organizations (request_id, organization_id)
SELECT DISTINCT r.id, l.organization_id FROM data_subject_requests r
JOIN consent_ledger l ON l.phone_hash = r.contact_hash OR l.email_hash = r.contact_hash OR l.contact_hash = r.contact_hash;
