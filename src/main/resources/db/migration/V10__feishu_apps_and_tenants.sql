-- Several Feishu apps, and tenants within a store app (商店应用). Each event keeps the configured app it came in
-- through (default, or a feishu.apps.<name>) and its tenant_key, so the flow it runs calls Feishu with that
-- (app, tenant)'s token; a Hire eco account keeps the tenant it was bound in, so its catalogue is pushed there.
ALTER TABLE inbox ADD COLUMN feishu_app VARCHAR(64);
ALTER TABLE inbox ADD COLUMN tenant_key VARCHAR(128);
ALTER TABLE eco_account ADD COLUMN feishu_app VARCHAR(64);
ALTER TABLE eco_account ADD COLUMN tenant_key VARCHAR(128);
CREATE INDEX ix_eco_account_tenant ON eco_account (tenant_key, created_at);

-- The newest app_ticket of each store app, one row per Feishu app id: Feishu pushes one about every hour (app_ticket
-- event) and on request (app_ticket/resend); an app_access_token is fetched with it. In the database, so that a
-- ticket received by any instance serves every instance sharing it, and a restart needs no resend.
CREATE TABLE feishu_app_ticket (
    app_id      VARCHAR(128)  NOT NULL PRIMARY KEY,
    ticket      VARCHAR(1024) NOT NULL,
    sent_at     TIMESTAMP WITH TIME ZONE NOT NULL,    -- the event's ts: an older ticket delivered late never wins
    received_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Every (app, tenant) an event has come from, with when it was first seen: a new customer shows up in the log once.
CREATE TABLE feishu_tenant (
    feishu_app    VARCHAR(64)  NOT NULL,
    tenant_key    VARCHAR(128) NOT NULL,
    first_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_feishu_tenant PRIMARY KEY (feishu_app, tenant_key)
);
