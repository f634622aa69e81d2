CREATE TABLE organization_profiles (
    organization_id    VARCHAR(40)    NOT NULL PRIMARY KEY,
    revision           BIGINT         NOT NULL,
    legal_name         VARCHAR(200)  NOT NULL,
    address            VARCHAR(400)  NULL,
    contact_phone      VARCHAR(32)    NULL,
    contact_email      VARCHAR(254)  NULL,
    website_url        VARCHAR(400)  NULL,
    privacy_policy_url VARCHAR(400)  NULL,
    changed_at         BIGINT         NOT NULL
);
CREATE TABLE organization_profile_revisions (
    organization_id VARCHAR(40)   NOT NULL,
    revision        BIGINT        NOT NULL,
    legal_name      VARCHAR(200) NOT NULL,
    changed_at      BIGINT        NOT NULL,
    received_at     BIGINT        NOT NULL
);
CREATE INDEX ix_organization_profile_revisions ON organization_profile_revisions (organization_id, revision);
