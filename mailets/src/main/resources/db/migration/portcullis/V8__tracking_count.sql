-- V8: message counters, for exact totals of wide period searches (see the search benchmark).
-- SQL here must run on Derby and PostgreSQL.
--
-- tracking_count: how many tracking_message rows were first seen in each 15-minute bucket, per node and action
-- (accepted / rejected). bucket = first_seen floored to 15 minutes (epoch milliseconds): local midnight falls on a
-- bucket edge in every time zone (offsets are whole quarter hours, +05:30 and +05:45 included). A search whose only
-- criteria are the period, the node and the action sums the whole buckets inside the period and counts the
-- messages of the partial buckets at its edges (TrackingCounts), instead of counting every index entry of the
-- period. Kept equal to tracking_message by TrackingDao in the transactions that insert a message, change its
-- action and purge it (messages = messages + delta; a row inserted when none was updated).
CREATE TABLE tracking_count (
    bucket BIGINT NOT NULL,
    node VARCHAR(128) NOT NULL,
    action VARCHAR(16) NOT NULL,
    messages BIGINT NOT NULL,
    CONSTRAINT tracking_count_pk PRIMARY KEY (bucket, node, action)
);

-- Back-fill from the messages already stored (first_seen is after 1970: integer division floors).
INSERT INTO tracking_count (bucket, node, action, messages)
    SELECT b.bucket, b.node, b.action, COUNT(*)
    FROM (SELECT (first_seen / 900000) * 900000 AS bucket, node, action FROM tracking_message) b
    GROUP BY b.bucket, b.node, b.action;
