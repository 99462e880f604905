-- Every running HR Bridge instance registers itself and keeps a heartbeat, so that work claimed by an
-- instance that stopped beating can be taken over by another one.
CREATE TABLE hrb_node (
    node_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    host_name    VARCHAR(255) NOT NULL,
    version      VARCHAR(64)  NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
