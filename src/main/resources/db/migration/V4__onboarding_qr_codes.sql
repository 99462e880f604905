-- Onboarding QR codes HR Bridge created in Feishu (managed) and the rotation chain between them: a code that
-- went inactive (or grew older than qr.max-age) is replaced by a new one with the same dimension values.
-- replaced_by is set once, guarded by "replaced_by IS NULL", so a code is never replaced twice.
CREATE TABLE onboarding_qr_code (
    id                   VARCHAR(64)   NOT NULL PRIMARY KEY,   -- Feishu's qr_code.id
    url                  VARCHAR(2000) NOT NULL,
    png                  VARCHAR(2000) NOT NULL,
    dimension_value_list VARCHAR       NOT NULL,               -- the request's list as JSON, resent on rotation
    status               VARCHAR(16)   NOT NULL,               -- active | inactive | replaced
    replaced_by          VARCHAR(64),
    replaces             VARCHAR(64),
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_onboarding_qr_code_status ON onboarding_qr_code (status, created_at);

-- Codes Feishu reported inactive that HR Bridge did not create: recorded and notified, never recreated.
CREATE TABLE onboarding_qr_code_unmanaged (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY,
    url           VARCHAR(2000),
    png           VARCHAR(2000),
    event_id      VARCHAR(128)  NOT NULL,
    seen_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
