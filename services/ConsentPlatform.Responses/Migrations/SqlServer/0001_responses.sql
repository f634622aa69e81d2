CREATE TABLE response_links (
    code            VARCHAR(64)    NOT NULL PRIMARY KEY,
    notice_id       VARCHAR(36)    NOT NULL,
    organization_id VARCHAR(64)    NOT NULL,
    masked_number   NVARCHAR(32)   NOT NULL,
    contact_hash    VARCHAR(100)   NOT NULL,
    topic           NVARCHAR(400)  NOT NULL,
    caller_name     NVARCHAR(200)  NULL,
    issued_at       BIGINT         NOT NULL
);
CREATE INDEX ix_response_links_contact ON response_links (contact_hash, organization_id);

CREATE TABLE call_notices (
    notice_id       VARCHAR(36)  NOT NULL PRIMARY KEY,
    organization_id VARCHAR(64)  NOT NULL,
    kind            VARCHAR(40)  NOT NULL,
    sent_at         BIGINT       NOT NULL
);

CREATE TABLE consent_provenance (
    consent_id      VARCHAR(36)   NOT NULL PRIMARY KEY,
    contact_hash    VARCHAR(100)  NOT NULL,
    organization_id VARCHAR(64)   NOT NULL,
    channel         VARCHAR(16)   NOT NULL,
    purpose         NVARCHAR(400) NOT NULL,
    source_event    NVARCHAR(400) NULL,
    recorded_at     BIGINT        NOT NULL
);
CREATE INDEX ix_consent_provenance_contact ON consent_provenance (contact_hash, organization_id, recorded_at);

CREATE TABLE link_visits (
    code           VARCHAR(64) NOT NULL PRIMARY KEY,
    visits         BIGINT      NOT NULL,
    previews       BIGINT      NOT NULL,
    first_visit_at BIGINT      NULL,
    last_visit_at  BIGINT      NULL
);

CREATE TABLE responses (
    id                  BIGINT IDENTITY(1,1) PRIMARY KEY,
    response_id         VARCHAR(36)    NOT NULL UNIQUE,
    code                VARCHAR(64)    NOT NULL,
    organization_id     VARCHAR(64)    NOT NULL,
    contact_hash        VARCHAR(100)   NOT NULL,
    masked_number       NVARCHAR(32)   NOT NULL,
    topic               NVARCHAR(400)  NOT NULL,
    email               NVARCHAR(254)  NULL,
    preferred_contact   VARCHAR(32)    NOT NULL,
    contact_after       VARCHAR(10)    NULL,
    reason              VARCHAR(40)    NULL,
    reason_text         NVARCHAR(200)  NULL,
    comments            NVARCHAR(2000) NULL,
    opt_out_flagged     INT            NOT NULL,
    opt_out_phrase      NVARCHAR(200)  NULL,
    language            VARCHAR(8)     NOT NULL,
    responded_at        BIGINT         NOT NULL
);
CREATE INDEX ix_responses_org ON responses (organization_id, id);

CREATE TABLE crm_connectors (
    connector_id      VARCHAR(36)    NOT NULL PRIMARY KEY,
    organization_id   VARCHAR(64)    NOT NULL,
    kind              VARCHAR(16)    NOT NULL,
    name              NVARCHAR(100)  NOT NULL,
    enabled           INT            NOT NULL,
    url               NVARCHAR(400)  NOT NULL,
    secret            NVARCHAR(400)  NULL,
    client_id         NVARCHAR(400)  NULL,
    external_id_field NVARCHAR(100)  NULL,
    api_version       VARCHAR(16)    NULL,
    created_at        BIGINT         NOT NULL,
    updated_at        BIGINT         NOT NULL
);
CREATE INDEX ix_crm_connectors_org ON crm_connectors (organization_id);

CREATE TABLE crm_deliveries (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    delivery_id      VARCHAR(36)    NOT NULL UNIQUE,
    connector_id     VARCHAR(36)    NOT NULL,
    organization_id  VARCHAR(64)    NOT NULL,
    response_id      VARCHAR(36)    NOT NULL,
    contact_hash     VARCHAR(100)   NOT NULL,
    status           VARCHAR(16)    NOT NULL,
    attempts         INT            NOT NULL,
    next_attempt_at  BIGINT         NOT NULL,
    claimed_until    BIGINT         NULL,
    last_error       NVARCHAR(1000) NULL,
    created_at       BIGINT         NOT NULL,
    delivered_at     BIGINT         NULL
);
CREATE INDEX ix_crm_deliveries_due ON crm_deliveries (status, next_attempt_at);
CREATE INDEX ix_crm_deliveries_contact ON crm_deliveries (connector_id, contact_hash, id);
CREATE INDEX ix_crm_deliveries_org ON crm_deliveries (organization_id, id);

CREATE TABLE opt_out_challenges (
    challenge_id  VARCHAR(36)  NOT NULL PRIMARY KEY,
    contact_hash  VARCHAR(100) NOT NULL,
    code_hash     VARCHAR(100) NOT NULL,
    attempts      INT          NOT NULL,
    expires_at    BIGINT       NOT NULL,
    used_at       BIGINT       NULL,
    created_at    BIGINT       NOT NULL
);
