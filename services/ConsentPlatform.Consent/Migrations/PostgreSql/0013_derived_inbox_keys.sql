-- Inbox keys are derived from the consumer and message types (Inbox.KeyOf, ADR 0037) instead of written by hand.
-- The key is stored with every handled message id: rewriting the stored keys keeps a message handled before the
-- upgrade from being handled again when the broker or a relay redelivers it after.
UPDATE inbox_messages SET consumer = 'EmailConsentConsumer/EmailConsentRequested' WHERE consumer = 'consent.email-requested';
UPDATE inbox_messages SET consumer = 'EmailConsentConsumer/EmailConsentConfirmed' WHERE consumer = 'consent.email-confirmed';
UPDATE inbox_messages SET consumer = 'ContactErasedConsumer/ContactErased' WHERE consumer = 'consent.contact-erased';
UPDATE inbox_messages SET consumer = 'OptInRequestedConsumer/OptInRequested' WHERE consumer = 'consent.opt-in';
UPDATE inbox_messages SET consumer = 'OptOutRequestedConsumer/OptOutRequested' WHERE consumer = 'consent.opt-out';
