-- V10: message counters per UTC day, next to the 15-minute counters of V8.
-- SQL here must run on Derby and PostgreSQL.
--
-- tracking_count_day: the same counts per UTC day (day = first_seen floored to 24 hours), kept with tracking_count in
-- the same transactions. The whole days inside a wide period are summed from these rows (a 30-day period reads ≈ 30
-- day rows and at most 2 × 96 bucket rows per node and action, instead of 2,880 bucket rows), the rest of the
-- period from tracking_count.
CREATE TABLE tracking_count_day (
    day BIGINT NOT NULL,
    node VARCHAR(128) NOT NULL,
    action VARCHAR(16) NOT NULL,
    messages BIGINT NOT NULL,
    CONSTRAINT tracking_count_day_pk PRIMARY KEY (day, node, action)
);

INSERT INTO tracking_count_day (day, node, action, messages)
    SELECT b.day, b.node, b.action, COUNT(*)
    FROM (SELECT (first_seen / 86400000) * 86400000 AS day, node, action FROM tracking_message) b
    GROUP BY b.day, b.node, b.action;
