-- A temporary opt-out ("not now, contact me after a date") ends at until_at; NULL means for good.
ALTER TABLE suppressions ADD COLUMN until_at INTEGER NULL;

-- Lifting a suppression entry (an opt back in) is a row of its own; the entry itself is never
-- changed or deleted. seq lets other processes of this service catch up on lifts.
CREATE TABLE suppression_lifts (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    suppression_id TEXT    NOT NULL,
    contact_hash   TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    request_id     TEXT    NULL,
    lifted_at      INTEGER NOT NULL
);
CREATE INDEX ix_suppression_lifts_suppression ON suppression_lifts (suppression_id);

-- Every opt-in request, lifting or not: an opt-out that arrives after a later opt-in (the bus
-- does not keep order) is lifted at once instead of outliving the person's last word.
CREATE TABLE opt_in_requests (
    id              TEXT    NOT NULL PRIMARY KEY,
    contact_hash    TEXT    NOT NULL,
    organization_id TEXT    NOT NULL,
    channels        TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    requested_at    INTEGER NOT NULL,
    received_at     INTEGER NOT NULL
);
CREATE INDEX ix_opt_in_requests_contact ON opt_in_requests (contact_hash, organization_id);
