-- V4: delivery attempts (the Delivery log). One row per attempt to hand a message to a receiving
-- server: deferred (4xx / unreachable, another attempt follows), delivered, or failed (final). SQL for Derby and
-- PostgreSQL.
CREATE TABLE portcullis_delivery_attempt (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempted_at TIMESTAMP NOT NULL,
    tracking_id VARCHAR(128),
    mail_name VARCHAR(512) NOT NULL,
    sender VARCHAR(512) NOT NULL,
    recipients VARCHAR(4000) NOT NULL,
    attempt_number INT NOT NULL,
    host VARCHAR(255),
    ip VARCHAR(64),
    tls VARCHAR(16) NOT NULL,
    reply_code INT,
    enhanced_code VARCHAR(16),
    reply_text VARCHAR(2000),
    outcome VARCHAR(16) NOT NULL
);
CREATE INDEX portcullis_delivery_attempt_time ON portcullis_delivery_attempt (attempted_at);
CREATE INDEX portcullis_delivery_attempt_tracking ON portcullis_delivery_attempt (tracking_id);
