-- The operators' lists read newest first by (created_at, primary key), each page starting right after the last row
-- of the page before. These indexes hold that order, so a page is read from where it starts instead of by sorting
-- the table. The inbox needs none: ix_inbox_created (V2) already serves it on H2 and PostgreSQL, and a new index on
-- the busiest table would slow every write and lock it while being built.
CREATE INDEX ix_dead_letter_created ON dead_letter (created_at, id);
CREATE INDEX ix_onboarding_qr_code_created ON onboarding_qr_code (created_at, id);
CREATE INDEX ix_eco_account_created ON eco_account (created_at, account_id);
