CREATE TABLE consent_events (
    id                VARCHAR(40)    NOT NULL PRIMARY KEY,
    organization_id   VARCHAR(40)    NOT NULL,
    title             NVARCHAR(200)  NOT NULL,
    starts_on         VARCHAR(10)    NULL,
    ends_on           VARCHAR(10)    NULL,
    purpose           VARCHAR(64)    NOT NULL,
    purpose_text_ja   NVARCHAR(2000) NOT NULL,
    purpose_text_en   NVARCHAR(2000) NOT NULL,
    channels          VARCHAR(40)    NOT NULL,
    sender_legal_name NVARCHAR(200)  NOT NULL,
    lifetime_months   INT            NOT NULL,
    allowed_origins   NVARCHAR(2000) NOT NULL,
    third_parties     NVARCHAR(2000) NOT NULL,
    form_version      INT            NOT NULL,
    created_at        BIGINT         NOT NULL,
    updated_at        BIGINT         NOT NULL
);
CREATE INDEX ix_consent_events_organization ON consent_events (organization_id, created_at);

CREATE TABLE consent_texts (
    event_id   VARCHAR(40)    NOT NULL,
    channel    VARCHAR(10)    NOT NULL,
    language   VARCHAR(5)     NOT NULL,
    version    INT            NOT NULL,
    body       NVARCHAR(4000) NOT NULL,
    hash       VARCHAR(80)    NOT NULL,
    created_at BIGINT         NOT NULL,
    PRIMARY KEY (event_id, channel, language, version)
);

CREATE TABLE consent_ledger (
    seq             BIGINT IDENTITY(1,1) PRIMARY KEY,
    id              VARCHAR(36)    NOT NULL UNIQUE,
    receipt_id      VARCHAR(40)    NOT NULL,
    subject_id      VARCHAR(40)    NOT NULL,
    organization_id VARCHAR(40)    NOT NULL,
    event_id        VARCHAR(40)    NULL,
    action          VARCHAR(10)    NOT NULL,
    channel         VARCHAR(10)    NOT NULL,
    purpose         VARCHAR(64)    NOT NULL,
    third_party     NVARCHAR(200)  NULL,
    contact         NVARCHAR(254)  NULL,
    contact_hash    VARCHAR(80)    NOT NULL,
    phone_hash      VARCHAR(80)    NULL,
    email_hash      VARCHAR(80)    NULL,
    text_version    INT            NULL,
    text_hash       VARCHAR(80)    NULL,
    language        VARCHAR(5)     NULL,
    form_version    INT            NULL,
    method          VARCHAR(20)    NOT NULL,
    recorded_at     BIGINT         NOT NULL,
    expires_at      BIGINT         NULL,
    source_event    NVARCHAR(200)  NULL,
    page_url        NVARCHAR(1000) NULL,
    ip              VARCHAR(45)    NULL,
    user_agent      NVARCHAR(500)  NULL,
    jurisdiction    VARCHAR(8)     NULL,
    withdraws       VARCHAR(36)    NULL
);
CREATE INDEX ix_consent_ledger_phone ON consent_ledger (phone_hash);
CREATE INDEX ix_consent_ledger_email ON consent_ledger (email_hash);
CREATE INDEX ix_consent_ledger_event ON consent_ledger (organization_id, event_id, seq);
CREATE INDEX ix_consent_ledger_receipt ON consent_ledger (receipt_id);

CREATE TABLE suppressions (
    seq             BIGINT IDENTITY(1,1) PRIMARY KEY,
    id              VARCHAR(36)  NOT NULL UNIQUE,
    contact_hash    VARCHAR(80)  NOT NULL,
    organization_id VARCHAR(40)  NULL,
    channel         VARCHAR(10)  NULL,
    purpose         VARCHAR(64)  NULL,
    reason          VARCHAR(20)  NOT NULL,
    source          VARCHAR(40)  NOT NULL,
    request_id      VARCHAR(36)  NULL,
    created_at      BIGINT       NOT NULL,
    lifted_at       BIGINT       NULL
);
CREATE INDEX ix_suppressions_contact ON suppressions (contact_hash);

CREATE TABLE check_audit (
    check_id        VARCHAR(40)  NOT NULL PRIMARY KEY,
    organization_id VARCHAR(40)  NOT NULL,
    contact_hash    VARCHAR(80)  NOT NULL,
    channel         VARCHAR(10)  NOT NULL,
    purpose         VARCHAR(64)  NOT NULL,
    decision        VARCHAR(10)  NOT NULL,
    reasons         VARCHAR(200) NOT NULL,
    at              BIGINT       NOT NULL,
    checked_at      BIGINT       NOT NULL,
    source          VARCHAR(20)  NOT NULL
);
CREATE INDEX ix_check_audit_organization ON check_audit (organization_id, checked_at);

CREATE TABLE contact_windows (
    organization_id VARCHAR(40) NOT NULL PRIMARY KEY,
    start_minute    INT         NOT NULL,
    end_minute      INT         NOT NULL,
    updated_at      BIGINT      NOT NULL
);
