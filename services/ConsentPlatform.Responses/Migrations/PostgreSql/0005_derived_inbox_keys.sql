-- Inbox keys are derived from the consumer and message types (Inbox.KeyOf, ADR 0037) instead of written by hand.
-- The key is stored with every handled message id: rewriting the stored keys keeps a message handled before the
-- upgrade from being handled again when the broker or a relay redelivers it after.
UPDATE inbox_messages SET consumer = 'ResponseLinkIssuedConsumer/ResponseLinkIssued' WHERE consumer = 'responses.response-link';
UPDATE inbox_messages SET consumer = 'ConsentRecordedConsumer/ConsentRecorded' WHERE consumer = 'responses.consent-provenance';
UPDATE inbox_messages SET consumer = 'CallNoticeSentConsumer/CallNoticeSent' WHERE consumer = 'responses.call-notice';
UPDATE inbox_messages SET consumer = 'PreferenceChangeConsumer/ContactSuppressed' WHERE consumer = 'responses.preference-suppressed';
UPDATE inbox_messages SET consumer = 'PreferenceChangeConsumer/ContactUnsuppressed' WHERE consumer = 'responses.preference-unsuppressed';
UPDATE inbox_messages SET consumer = 'PreferenceChangeConsumer/ConsentRecorded' WHERE consumer = 'responses.preference-consent';
UPDATE inbox_messages SET consumer = 'PreferenceChangeConsumer/ConsentWithdrawn' WHERE consumer = 'responses.preference-withdrawn';
UPDATE inbox_messages SET consumer = 'PreferenceChangeConsumer/ConsentExpired' WHERE consumer = 'responses.preference-expired';
UPDATE inbox_messages SET consumer = 'ErasureRequestedConsumer/ErasureRequested' WHERE consumer = 'responses.erasure-requested';
