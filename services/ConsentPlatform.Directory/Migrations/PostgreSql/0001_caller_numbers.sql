-- Trade names live next to the profile Directory owns (the other services' replicas do not need a column).
ALTER TABLE organization_profiles ADD COLUMN trade_names TEXT NULL;

-- An organization's caller numbers. status: pending (added, not verified) | verified (proved,
-- waiting for valid_from) | published | withdrawn | expired. Only 'published' rows are public.
CREATE TABLE caller_numbers (
    id               VARCHAR(36)   NOT NULL PRIMARY KEY,
    organization_id  VARCHAR(64)   NOT NULL,
    e164             VARCHAR(16)   NOT NULL,
    number_type      VARCHAR(20)   NOT NULL,
    department       VARCHAR(100) NULL,
    purposes         TEXT NOT NULL,
    hours_start      VARCHAR(5)    NOT NULL,
    hours_end        VARCHAR(5)    NOT NULL,
    valid_from       BIGINT        NULL,
    valid_until      BIGINT        NULL,
    status           VARCHAR(12)   NOT NULL,
    verified_at      BIGINT        NULL,
    published_at     BIGINT        NULL,
    withdrawn_at     BIGINT        NULL,
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL
);
CREATE INDEX ix_caller_numbers_organization ON caller_numbers (organization_id, created_at);
CREATE INDEX ix_caller_numbers_e164 ON caller_numbers (e164);
CREATE UNIQUE INDEX ux_caller_numbers_live ON caller_numbers (organization_id, e164) WHERE status IN ('pending', 'verified', 'published');
CREATE UNIQUE INDEX ux_caller_numbers_published ON caller_numbers (e164) WHERE status = 'published';

CREATE TABLE code_challenges (
    id               VARCHAR(36)   NOT NULL PRIMARY KEY,
    purpose          VARCHAR(40)   NOT NULL,
    subject          VARCHAR(200)  NOT NULL,
    organization_id  VARCHAR(64)   NOT NULL,
    method           VARCHAR(8)    NOT NULL,
    code_hash        VARCHAR(100)  NOT NULL,
    created_at       BIGINT        NOT NULL,
    expires_at       BIGINT        NOT NULL,
    completed_at     BIGINT        NULL
);
CREATE INDEX ix_code_challenges_subject ON code_challenges (purpose, subject, created_at);

CREATE TABLE code_failures (
    target           VARCHAR(200)  NOT NULL PRIMARY KEY,
    failures         BIGINT           NOT NULL,
    locked_until     BIGINT        NULL,
    updated_at       BIGINT        NOT NULL
);
