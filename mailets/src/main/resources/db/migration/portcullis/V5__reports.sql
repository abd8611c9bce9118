-- V5: quarantine reports. Times are epoch milliseconds (BIGINT). SQL here must run on Derby and PostgreSQL.
-- Action-link tokens already used (single use): the token id is the SHA-256 of the signed token, hex.
CREATE TABLE report_used_token (
    token_id VARCHAR(64) NOT NULL PRIMARY KEY,
    entry_id VARCHAR(64) NOT NULL,
    action VARCHAR(16) NOT NULL,
    used_at BIGINT NOT NULL
);
-- When each recipient was last sent a report (scheduled runs report what was held since then).
CREATE TABLE report_recipient (
    recipient VARCHAR(320) NOT NULL PRIMARY KEY,
    last_report BIGINT NOT NULL
);
-- "Always allow this sender" chosen from a report link, per recipient.
CREATE TABLE report_allowed_sender (
    recipient VARCHAR(320) NOT NULL,
    sender VARCHAR(320) NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (recipient, sender)
);
-- Last scheduled run (a run missed while the server was down runs once at start).
CREATE TABLE report_schedule_state (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    last_run BIGINT NOT NULL
);
