-- Inbox keys are derived from the consumer and message types (Inbox.KeyOf, ADR 0037) instead of written by hand.
-- The key is stored with every handled message id: rewriting the stored keys keeps a message handled before the
-- upgrade from being handled again when the broker or a relay redelivers it after.
UPDATE inbox_messages SET consumer = 'SendVerificationCodeConsumer/SendVerificationCode' WHERE consumer = 'notices.send-verification-code';
UPDATE inbox_messages SET consumer = 'SendEmailConfirmationConsumer/SendEmailConfirmation' WHERE consumer = 'notices.send-email-confirmation';
UPDATE inbox_messages SET consumer = 'PlaceVerificationCallConsumer/PlaceVerificationCall' WHERE consumer = 'notices.place-verification-call';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/EventPurposeSaved' WHERE consumer = 'notices.event-purpose-saved';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/ContactSuppressed' WHERE consumer = 'notices.contact-suppressed';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/ContactUnsuppressed' WHERE consumer = 'notices.contact-unsuppressed';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/OptOutRequested' WHERE consumer = 'notices.opt-out-requested';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/ConsentRecorded' WHERE consumer = 'notices.consent-recorded';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/ConsentWithdrawn' WHERE consumer = 'notices.consent-withdrawn';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/ErasureRequested' WHERE consumer = 'notices.erasure-requested';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/CallerNumberPublished' WHERE consumer = 'notices.caller-number-published';
UPDATE inbox_messages SET consumer = 'ReplicaConsumer/CallerNumberWithdrawn' WHERE consumer = 'notices.caller-number-withdrawn';
