CREATE TABLE outbox_messages (
    id            BIGINT IDENTITY(1,1) PRIMARY KEY,
    message_id    VARCHAR(36)   NOT NULL UNIQUE,
    message_type  VARCHAR(200)  NOT NULL,
    body          NVARCHAR(MAX) NOT NULL,
    created_at    BIGINT        NOT NULL,
    claimed_by    VARCHAR(64)   NULL,
    claimed_until BIGINT        NULL,
    attempts      INT           NOT NULL DEFAULT 0,
    sent_at       BIGINT        NULL,
    last_error    NVARCHAR(1000) NULL
);
CREATE INDEX ix_outbox_messages_unsent ON outbox_messages (id) WHERE sent_at IS NULL;
CREATE INDEX ix_outbox_messages_sent_at ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE inbox_messages (
    message_id  VARCHAR(36)  NOT NULL,
    consumer    VARCHAR(200) NOT NULL,
    received_at BIGINT       NOT NULL,
    PRIMARY KEY (message_id, consumer)
);
