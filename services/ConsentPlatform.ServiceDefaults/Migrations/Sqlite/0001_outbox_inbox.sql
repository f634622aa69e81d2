-- Transactional outbox: written in the same transaction as the business rows.
CREATE TABLE outbox_messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id    TEXT    NOT NULL UNIQUE,
    message_type  TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    claimed_by    TEXT    NULL,
    claimed_until INTEGER NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_at       INTEGER NULL,
    last_error    TEXT    NULL
);
CREATE INDEX ix_outbox_messages_unsent ON outbox_messages (id) WHERE sent_at IS NULL;
CREATE INDEX ix_outbox_messages_sent_at ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL;

-- Inbox: a consumer records the message id in the same transaction as its effect.
CREATE TABLE inbox_messages (
    message_id  TEXT    NOT NULL,
    consumer    TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, consumer)
);
