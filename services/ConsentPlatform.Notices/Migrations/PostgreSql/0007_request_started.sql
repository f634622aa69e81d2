-- When a send worker let the request go (issue 18): a claimed message without it certainly never reached the provider,
-- so a worker killed before it is re-queued rather than looked up and failed. Rows already mid-send may have reached it.
ALTER TABLE outgoing_messages ADD COLUMN request_started_at BIGINT NULL;
UPDATE outgoing_messages SET request_started_at = updated_at WHERE status = 'sending';
