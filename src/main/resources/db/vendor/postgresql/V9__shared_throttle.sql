-- The throttle every instance of a deployment shares (ApiThrottle, SharedPermitLog): one row per app and API (later
-- per tenant too) with the grant times of its calls within the longest limited window, newest last, at most as many
-- as the highest limit. Each permit rewrites the row under its lock; up to about 1000 grant times (8 KB) the row
-- stays in its page instead of being compressed out of line on every permit (toast_tuple_target).
CREATE TABLE hrb_throttle (
    throttle_key VARCHAR(500) PRIMARY KEY,
    permits TIMESTAMP WITH TIME ZONE[] NOT NULL
) WITH (toast_tuple_target = 8160);
