-- Each opt-out this service applied and how long it took from being made (issue 16): the samples the
-- propagation histogram (consentplatform.opt_out.propagation) records, kept so the console can show p50/p99
-- per service for a chosen period. Ids and durations only, nothing of the person; pruned after a retention.
CREATE TABLE opt_out_propagation (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT    NULL,
    source          TEXT    NOT NULL,
    applied_at      INTEGER NOT NULL,
    latency_us      INTEGER NOT NULL
);
CREATE INDEX ix_opt_out_propagation ON opt_out_propagation (organization_id, applied_at);
