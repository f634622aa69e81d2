-- See the SQLite script: each request's log across services, and the organizations it concerns.
CREATE TABLE data_subject_request_log (
    seq        BIGINT IDENTITY(1,1) PRIMARY KEY,
    request_id VARCHAR(40)   NOT NULL,
    at         BIGINT        NOT NULL,
    service    VARCHAR(20)   NOT NULL,
    action     VARCHAR(40)   NOT NULL,
    detail     NVARCHAR(200) NULL,
    message_id VARCHAR(36)   NULL
);
CREATE INDEX ix_dsr_log_request ON data_subject_request_log (request_id, seq);
CREATE INDEX ix_dsr_log_message ON data_subject_request_log (message_id);

CREATE TABLE data_subject_request_organizations (
    request_id      VARCHAR(40) NOT NULL,
    organization_id VARCHAR(40) NOT NULL,
    PRIMARY KEY (request_id, organization_id)
);
CREATE INDEX ix_dsr_organizations ON data_subject_request_organizations (organization_id, request_id);

INSERT INTO data_subject_request_organizations (request_id, organization_id)
SELECT DISTINCT r.id, l.organization_id FROM data_subject_requests r
JOIN consent_ledger l ON l.phone_hash = r.contact_hash OR l.email_hash = r.contact_hash OR l.contact_hash = r.contact_hash;
