-- See the SQLite script: the opt-outs this service applied and how long each took.
CREATE TABLE opt_out_propagation (
    seq             BIGINT IDENTITY(1,1) PRIMARY KEY,
    organization_id VARCHAR(40) NULL,
    source          VARCHAR(40) NOT NULL,
    applied_at      BIGINT      NOT NULL,
    latency_us      BIGINT      NOT NULL
);
CREATE INDEX ix_opt_out_propagation ON opt_out_propagation (organization_id, applied_at);
