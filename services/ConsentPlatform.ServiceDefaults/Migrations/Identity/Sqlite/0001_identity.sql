CREATE TABLE organizations (
    id         TEXT    NOT NULL PRIMARY KEY,
    legal_name TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
-- Only a SHA-256 of the key's secret is kept; the key itself is shown once, at creation.
CREATE TABLE api_keys (
    id              TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id),
    name            TEXT    NOT NULL,
    secret_hash     TEXT    NOT NULL,
    scopes          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER NULL
);
CREATE INDEX ix_api_keys_organization ON api_keys (organization_id);
