-- When the event's purpose was last announced to Notices (EventPurposeSaved). Events saved before
-- Notices learned purposes have NULL here; Consent announces those once at start.
ALTER TABLE consent_events ADD purpose_announced_at BIGINT NULL;
