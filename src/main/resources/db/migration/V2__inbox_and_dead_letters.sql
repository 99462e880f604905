-- The durable inbox: every acknowledged webhook event, accepted API request and internal task, with its
-- processing state. A row is committed before the caller gets its answer; the dedup key makes a redelivery
-- a no-op. Workers claim rows with a lease; a lease that runs out (or whose owner stopped its heartbeat)
-- lets another worker take the row over.
CREATE TABLE inbox (
    id              VARCHAR(36)   NOT NULL PRIMARY KEY,
    kind            VARCHAR(16)   NOT NULL,              -- event | request | task
    dedup_key       VARCHAR(512)  NOT NULL,
    flow            VARCHAR(64)   NOT NULL,              -- the direct: route that processes it
    event_type      VARCHAR(128),
    trace_id        VARCHAR(128)  NOT NULL,              -- event id / request id, as logs show it
    payload         VARCHAR       NOT NULL,
    state           VARCHAR(16)   NOT NULL,              -- PENDING PROCESSING SUCCEEDED UNHANDLED FAILED DEAD
    attempts        INTEGER       NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner     VARCHAR(128),
    lease_until     TIMESTAMP WITH TIME ZONE,
    outcome         VARCHAR(64),
    http_status     INTEGER,
    platform_code   INTEGER,
    platform_msg    VARCHAR(1000),
    last_error      VARCHAR(2000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_inbox_dedup_key UNIQUE (dedup_key)
);
CREATE INDEX ix_inbox_state_due ON inbox (state, next_attempt_at);
CREATE INDEX ix_inbox_created ON inbox (created_at);

-- What exhausted its retries or failed permanently with no caller waiting: the original message, the flow,
-- the last error. Replay puts the inbox row back to PENDING once; the dead letter becomes 'replayed'.
CREATE TABLE dead_letter (
    id            VARCHAR(36)   NOT NULL PRIMARY KEY,
    message_id    VARCHAR(36)   NOT NULL,
    flow          VARCHAR(64)   NOT NULL,
    trace_id      VARCHAR(128)  NOT NULL,
    state         VARCHAR(16)   NOT NULL,                -- dead | replayed
    error         VARCHAR(2000) NOT NULL,
    http_status   INTEGER,
    platform_code INTEGER,
    platform_msg  VARCHAR(1000),
    attempts      INTEGER       NOT NULL,
    payload       VARCHAR       NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    replayed_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ix_dead_letter_state ON dead_letter (state, created_at);
