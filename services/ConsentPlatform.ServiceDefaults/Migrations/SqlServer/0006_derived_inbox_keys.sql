-- Inbox keys are derived from the consumer and message types (Inbox.KeyOf, ADR 0037) instead of written by hand.
-- The key is stored with every handled message id: rewriting the stored keys keeps a message handled before the
-- upgrade from being handled again when the broker or a relay redelivers it after.
-- Every service database keeps the organization-profile replica; its key named the database ('notices.organization-profile').
UPDATE inbox_messages SET consumer = 'OrganizationProfileChangedConsumer/OrganizationProfileChanged' WHERE consumer LIKE '%.organization-profile';
