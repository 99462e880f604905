-- A dead letter is either a flow's ('flow': an inbox message that failed, replayable through its flow) or an
-- acknowledged event the inbox table refused when the journal moved it in ('ingest': kept with its raw payload and
-- the database's error, so that one such event never holds up the ones behind it).
ALTER TABLE dead_letter ADD COLUMN kind VARCHAR(16) DEFAULT 'flow' NOT NULL;
