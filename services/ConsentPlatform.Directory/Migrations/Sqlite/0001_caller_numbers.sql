-- Trade names live next to the profile Directory owns (the other services' replicas do not need a column).
ALTER TABLE organization_profiles ADD trade_names TEXT NULL;

-- An organization's caller numbers. status: pending (added, not verified) | verified (proved,
-- waiting for valid_from) | published | withdrawn | expired. Only 'published' rows are public.
CREATE TABLE caller_numbers (
    id               TEXT    NOT NULL PRIMARY KEY,
    organization_id  TEXT    NOT NULL,
    e164             TEXT    NOT NULL,
    number_type      TEXT    NOT NULL,
    department       TEXT    NULL,
    purposes         TEXT    NOT NULL,
    hours_start      TEXT    NOT NULL,
    hours_end        TEXT    NOT NULL,
    valid_from       INTEGER NULL,
    valid_until      INTEGER NULL,
    status           TEXT    NOT NULL,
    verified_at      INTEGER NULL,
    published_at     INTEGER NULL,
    withdrawn_at     INTEGER NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX ix_caller_numbers_organization ON caller_numbers (organization_id, created_at);
CREATE INDEX ix_caller_numbers_e164 ON caller_numbers (e164);
-- One organization per live number (a number it already holds cannot be added twice), and one
-- publisher per number across organizations.
CREATE UNIQUE INDEX ux_caller_numbers_live ON caller_numbers (organization_id, e164) WHERE status IN ('pending', 'verified', 'published');
CREATE UNIQUE INDEX ux_caller_numbers_published ON caller_numbers (e164) WHERE status = 'published';

-- One-time codes: number verification (subject = caller number id) and opt-out from an entry
-- (subject = the person's contact hash). Only a hash of the code is kept.
CREATE TABLE code_challenges (
    id               TEXT    NOT NULL PRIMARY KEY,
    purpose          TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    organization_id  TEXT    NOT NULL,
    method           TEXT    NOT NULL,
    code_hash        TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    completed_at     INTEGER NULL
);
CREATE INDEX ix_code_challenges_subject ON code_challenges (purpose, subject, created_at);

-- Wrong codes per target number (keyed hash, so the person's number is not stored): five lock it.
CREATE TABLE code_failures (
    target           TEXT    NOT NULL PRIMARY KEY,
    failures         INTEGER NOT NULL,
    locked_until     INTEGER NULL,
    updated_at       INTEGER NOT NULL
);
