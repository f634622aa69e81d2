CREATE TABLE scrub_jobs (
    id              VARCHAR(40) NOT NULL PRIMARY KEY,
    organization_id VARCHAR(40) NOT NULL,
    channel         VARCHAR(10) NOT NULL,
    purpose         VARCHAR(64) NOT NULL,
    at              BIGINT      NULL,
    status          VARCHAR(10) NOT NULL,
    rows_checked    BIGINT      NOT NULL,
    allowed         BIGINT      NOT NULL,
    denied          BIGINT      NOT NULL,
    result_sha256   VARCHAR(80) NULL,
    started_at      BIGINT      NOT NULL,
    finished_at     BIGINT      NULL
);
CREATE INDEX ix_scrub_jobs_organization ON scrub_jobs (organization_id, started_at);
