CREATE TABLE organizations (
    id         VARCHAR(40)   NOT NULL PRIMARY KEY,
    legal_name VARCHAR(200) NOT NULL,
    created_at BIGINT        NOT NULL
);
CREATE TABLE api_keys (
    id              VARCHAR(40)   NOT NULL PRIMARY KEY,
    organization_id VARCHAR(40)   NOT NULL REFERENCES organizations (id),
    name            VARCHAR(200) NOT NULL,
    secret_hash     VARCHAR(64)   NOT NULL,
    scopes          VARCHAR(400)  NOT NULL,
    created_at      BIGINT        NOT NULL,
    revoked_at      BIGINT        NULL
);
CREATE INDEX ix_api_keys_organization ON api_keys (organization_id);
