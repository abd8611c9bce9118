-- V12: tracking events still owed (the tracking outbox). A capability that must not wait for the tracking writer's
-- group commit (RemoteDelivery between the receiving server's 250 and its queue acknowledgement, Quarantine before the
-- spool acknowledges) writes its own rows and the rows of its events here in one small transaction of its own; the
-- tracking writer stores each event and deletes its row in one transaction. Rows left by a crash are stored at
-- start-up, each exactly once. Times are epoch milliseconds. Derby and PostgreSQL.
CREATE TABLE tracking_outbox (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    owed_at BIGINT NOT NULL,
    tracking_id VARCHAR(64) NOT NULL,
    event_time BIGINT NOT NULL,
    event_type VARCHAR(40) NOT NULL,
    info VARCHAR(8000)
);
CREATE INDEX tracking_outbox_owed ON tracking_outbox (owed_at);
