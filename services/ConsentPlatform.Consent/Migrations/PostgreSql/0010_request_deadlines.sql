-- See the SQLite script: each organization's deadline for data-subject requests.
CREATE TABLE organization_request_deadlines (
    organization_id VARCHAR(40) NOT NULL PRIMARY KEY,
    rule            VARCHAR(20) NOT NULL,
    days            INTEGER     NULL,
    updated_at      BIGINT      NOT NULL
);
