-- Hire eco account bindings (hire.eco_account.created_v1): one row per Feishu account_id, written once. The row
-- says which of our customers the account belongs to and whether that customer's catalogue (background-check
-- packages or exam papers) reached Feishu, so a redelivered or replayed event never pushes it twice.
CREATE TABLE eco_account (
    account_id        VARCHAR(128)  NOT NULL PRIMARY KEY,
    scope             INTEGER       NOT NULL,              -- 1 background check, 2 exam
    account_name      VARCHAR(1000),
    usage_list        VARCHAR(200)  NOT NULL,              -- JSON array, 1 social recruiting, 2 campus
    custom_field_list VARCHAR       NOT NULL,              -- JSON array of {key, value} as Feishu sent it
    customer_id       VARCHAR(255),                        -- null when no customer could be resolved
    status            VARCHAR(16)   NOT NULL,              -- bound | unmatched
    unmatched_reason  VARCHAR(64),                         -- no_customer_field | unknown_customer | no_catalogue_for_scope
    event_id          VARCHAR(128)  NOT NULL,              -- the event that created the row
    pushed_at         TIMESTAMP WITH TIME ZONE,            -- set once Feishu accepted the catalogue
    push_outcome      VARCHAR(32),                         -- pushed | retrying | failed
    push_error        VARCHAR(2000),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_eco_account_status ON eco_account (status, created_at);
