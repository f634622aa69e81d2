-- Issue 13: the pull feed lists preference changes after a cursor, as it lists responses, so a change
-- needs a sequence that only grows. SQLite cannot add an AUTOINCREMENT column: the table is rebuilt.
CREATE TABLE preference_changes_sequenced (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id       TEXT    NOT NULL UNIQUE,
    organization_id TEXT    NOT NULL,
    contact_hash    TEXT    NOT NULL,
    evidence_id     TEXT    NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
INSERT INTO preference_changes_sequenced (change_id, organization_id, contact_hash, evidence_id, payload, created_at)
SELECT change_id, organization_id, contact_hash, evidence_id, payload, created_at FROM preference_changes ORDER BY created_at, change_id;
DROP TABLE preference_changes;
ALTER TABLE preference_changes_sequenced RENAME TO preference_changes;
CREATE INDEX ix_preference_changes_contact ON preference_changes (contact_hash, organization_id);
CREATE INDEX ix_preference_changes_evidence ON preference_changes (evidence_id);
CREATE INDEX ix_preference_changes_org ON preference_changes (organization_id, id);
