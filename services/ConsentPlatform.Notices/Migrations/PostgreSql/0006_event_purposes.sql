-- The organization's purposes as Consent's events declare them (EventPurposeSaved): what a rep picks
-- when planning a call. One row per event, its latest purpose; an older message never overwrites a newer.
CREATE TABLE event_purposes (
    event_id        VARCHAR(200) NOT NULL PRIMARY KEY,
    organization_id VARCHAR(200) NOT NULL,
    purpose         VARCHAR(200) NOT NULL,
    saved_at        BIGINT NOT NULL
);
CREATE INDEX ix_event_purposes_organization ON event_purposes (organization_id);
