-- V12: delivered attempts whose tracking event is still owed (the tracking outbox of the Delivery log). A delivery
-- RemoteDelivery completed is written as its attempt row plus a row here, in one small commit, before RemoteDelivery
-- acknowledges its queue item; the DELIVERED tracking event is then written by the tracking writer, which deletes the
-- row here in the same transaction. Rows left by a crash are replayed at start-up (each exactly once). Derby and
-- PostgreSQL.
CREATE TABLE portcullis_delivery_untracked (
    attempt_id BIGINT NOT NULL PRIMARY KEY
);
