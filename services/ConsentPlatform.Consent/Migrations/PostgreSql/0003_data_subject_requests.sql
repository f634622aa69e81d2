CREATE TABLE data_subject_requests (
    id           VARCHAR(40)   NOT NULL PRIMARY KEY,
    kind         VARCHAR(20)   NOT NULL,
    contact_hash VARCHAR(80)   NOT NULL,
    contact      VARCHAR(254) NULL,
    code_hash    VARCHAR(80)   NOT NULL,
    attempts     BIGINT           NOT NULL,
    status       VARCHAR(30)   NOT NULL,
    created_at   BIGINT        NOT NULL,
    code_expires_at BIGINT     NOT NULL,
    due_at       BIGINT        NOT NULL,
    completed_at BIGINT        NULL
);
CREATE INDEX ix_data_subject_requests_status ON data_subject_requests (status, due_at);
