-- Replica of Directory's organization profiles (latest revision wins) and every revision
-- received, so evidence can show the sender name as it stood when a message was sent.
CREATE TABLE organization_profiles (
    organization_id    TEXT    NOT NULL PRIMARY KEY,
    revision           INTEGER NOT NULL,
    legal_name         TEXT    NOT NULL,
    address            TEXT    NULL,
    contact_phone      TEXT    NULL,
    contact_email      TEXT    NULL,
    website_url        TEXT    NULL,
    privacy_policy_url TEXT    NULL,
    changed_at         INTEGER NOT NULL
);
CREATE TABLE organization_profile_revisions (
    organization_id TEXT    NOT NULL,
    revision        INTEGER NOT NULL,
    legal_name      TEXT    NOT NULL,
    changed_at      INTEGER NOT NULL,
    received_at     INTEGER NOT NULL
);
CREATE INDEX ix_organization_profile_revisions ON organization_profile_revisions (organization_id, revision);
