-- Each organization's deadline for data-subject requests (issue 16): a number of days (APPI's "without
-- delay", as the organization reads it) or one calendar month (GDPR art. 12(3)). An organization without a
-- row uses Consent:RequestDeadlineDays. The console counts its requests' time left from this.
CREATE TABLE organization_request_deadlines (
    organization_id TEXT    NOT NULL PRIMARY KEY,
    rule            TEXT    NOT NULL,
    days            INTEGER NULL,
    updated_at      INTEGER NOT NULL
);
