-- Issue 13: the pull feed lists preference changes after a cursor, as it lists responses, so a change
-- needs a sequence that only grows.
ALTER TABLE preference_changes ADD id BIGINT IDENTITY(1,1) NOT NULL;
CREATE INDEX ix_preference_changes_org ON preference_changes (organization_id, id);
