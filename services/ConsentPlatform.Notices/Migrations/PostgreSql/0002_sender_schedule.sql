-- Per-sender pacing shared by every instance, in microseconds: slots are (1000 + jitter allowance) / rate
-- ms apart, which whole milliseconds cannot hold without losing up to 10% of the rate to rounding.
-- next_us is the earliest start (unix microseconds) of the next send. Replaces sender_pacing.
CREATE TABLE sender_schedule (
    sender  VARCHAR(200) NOT NULL PRIMARY KEY,
    next_us BIGINT NOT NULL
);
DROP TABLE sender_pacing;
