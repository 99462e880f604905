-- The story of a message (GET /api/v1/events/{id}, GET /api/v1/requests/{id}): how it came in, each attempt, its
-- dead letters and replays. And the flows as operators steer them: paused or running, failing or not.

-- How an event came in: webhook or long_connection (a request came through the API, a task from a flow).
ALTER TABLE inbox ADD COLUMN received_via VARCHAR(16);
-- Attempts ever started on the message. inbox.attempts starts again at 0 on a replay; this does not, so each attempt of
-- the history has a number of its own.
ALTER TABLE inbox ADD COLUMN attempt_seq INTEGER DEFAULT 0 NOT NULL;

-- One row per finished attempt, written in the transaction that records its result. Bounded per message: the first 5
-- and the last 20 are kept (a message retried for ever keeps its beginning and its end); deleted with the message.
CREATE TABLE inbox_attempt (
    message_id      VARCHAR(36)   NOT NULL,
    seq             INTEGER       NOT NULL,               -- inbox.attempt_seq when it started
    attempt         INTEGER       NOT NULL,               -- its number within its run (a replay starts again at 1)
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms     BIGINT        NOT NULL,
    node_id         VARCHAR(128)  NOT NULL,               -- the instance that ran it
    flow            VARCHAR(64)   NOT NULL,
    route           VARCHAR(128),                         -- the route that failed, else the one the message was sent to
    result          VARCHAR(16)   NOT NULL,               -- SUCCEEDED UNHANDLED RETRY FAILED DEAD
    outcome         VARCHAR(64),
    http_status     INTEGER,
    platform_code   INTEGER,
    platform_msg    VARCHAR(1000),
    error           VARCHAR(2000),
    next_attempt_at TIMESTAMP WITH TIME ZONE,             -- when a RETRY is due
    CONSTRAINT pk_inbox_attempt PRIMARY KEY (message_id, seq),
    CONSTRAINT fk_inbox_attempt_message FOREIGN KEY (message_id) REFERENCES inbox (id) ON DELETE CASCADE
);

-- Who replayed a dead letter: api, api-bulk, jmx, jmx-bulk, or sweep (the QR-code sweep reopening a rotation).
ALTER TABLE dead_letter ADD COLUMN replayed_by VARCHAR(32);

-- Each flow operators have steered or that has run: paused (its messages wait PENDING on every instance), and its
-- health as all instances together saw it, which the flow-failing alert is decided on.
CREATE TABLE hrb_flow (
    flow               VARCHAR(64)   NOT NULL PRIMARY KEY,
    paused             BOOLEAN       DEFAULT FALSE NOT NULL,
    paused_at          TIMESTAMP WITH TIME ZONE,
    paused_by          VARCHAR(32),                       -- api | jmx
    resumed_at         TIMESTAMP WITH TIME ZONE,
    last_success_at    TIMESTAMP WITH TIME ZONE,
    last_failure_at    TIMESTAMP WITH TIME ZONE,
    failing_since      TIMESTAMP WITH TIME ZONE,          -- the first failed attempt after the last successful one
    failing_alerted_at TIMESTAMP WITH TIME ZONE,          -- set while a flow-failing alert's episode lasts
    last_error         VARCHAR(2000),
    last_platform_code INTEGER,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Which flow the event router sent each event type to, as last seen: events wait in the inbox under the router's
-- name, and this is how a paused flow's events are known before they run.
CREATE TABLE hrb_event_flow (
    event_type VARCHAR(128) NOT NULL PRIMARY KEY,
    flow       VARCHAR(64)  NOT NULL,
    seen_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A message's story lists its dead letters.
CREATE INDEX ix_dead_letter_message ON dead_letter (message_id);
