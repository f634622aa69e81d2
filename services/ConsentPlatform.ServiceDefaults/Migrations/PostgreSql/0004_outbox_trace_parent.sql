-- The W3C trace context of the request that wrote the message, so the relay publishes it as part of
-- that trace and one trace follows an opt-out from the person's click into every consuming service.
ALTER TABLE outbox_messages ADD COLUMN trace_parent VARCHAR(64) NULL;
