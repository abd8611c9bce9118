-- V3: quarantine (held message areas). One row per held message with its raw bytes, one entry per recipient:
-- a message to three recipients is listed, released, deleted and expires three times, independently.
-- Times are epoch milliseconds (BIGINT). ${binaryType} is BLOB on Derby and BYTEA on PostgreSQL (GatewayStore).
-- SQL here must run on Derby and PostgreSQL.
CREATE TABLE quarantine_message (
    message_id VARCHAR(64) NOT NULL PRIMARY KEY,
    -- James mail name at holding time, and the tracking id (attribute portcullis.trackingId)
    mail_name VARCHAR(255) NOT NULL,
    tracking_id VARCHAR(64) NOT NULL,
    -- '' for the null sender (<>), otherwise the lower-cased address
    sender VARCHAR(320) NOT NULL,
    subject VARCHAR(998),
    area VARCHAR(64) NOT NULL,
    score INT,
    -- one reason per line
    reasons VARCHAR(8000),
    triggered_rules VARCHAR(2000),
    -- inbound / outbound
    direction VARCHAR(16),
    -- pgp, smime, password, none (stalled mail)
    message_security VARCHAR(16),
    unscannable_reason VARCHAR(2000),
    arrival BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL
);
CREATE INDEX quarantine_message_arrival ON quarantine_message (arrival);
CREATE INDEX quarantine_message_sender ON quarantine_message (sender, arrival);
CREATE INDEX quarantine_message_area ON quarantine_message (area, arrival);

-- The raw bytes apart from the metadata (listing never reads them). Deleted once no entry of the message is
-- held any more (released, deleted, discarded everywhere).
CREATE TABLE quarantine_raw (
    message_id VARCHAR(64) NOT NULL PRIMARY KEY,
    raw_message ${binaryType} NOT NULL,
    CONSTRAINT quarantine_raw_message FOREIGN KEY (message_id) REFERENCES quarantine_message (message_id) ON DELETE CASCADE
);

CREATE TABLE quarantine_entry (
    entry_id VARCHAR(64) NOT NULL PRIMARY KEY,
    message_id VARCHAR(64) NOT NULL,
    recipient VARCHAR(320) NOT NULL,
    -- HELD, DISPATCHING (release / retry / force committed, re-injection in progress), RELEASED, RETRIED,
    -- FORCED, DELETED, DISCARDED
    state VARCHAR(16) NOT NULL,
    -- arrival of the message (copied here so that listings sort on this table's indexes)
    arrival BIGINT NOT NULL,
    -- NULL = never expires
    expiry BIGINT,
    state_changed BIGINT NOT NULL,
    -- release / retry / force while DISPATCHING and after
    dispatch_action VARCHAR(16),
    dispatch_processor VARCHAR(128),
    -- name of the re-injected copy that went through (ReleaseGate / QuarantineService)
    dispatched_copy VARCHAR(128),
    actioned_by VARCHAR(320),
    -- 1 while the administrator has not yet been told about this stalled entry (digest notification)
    notify_pending SMALLINT NOT NULL,
    CONSTRAINT quarantine_entry_message FOREIGN KEY (message_id) REFERENCES quarantine_message (message_id) ON DELETE CASCADE
);
CREATE INDEX quarantine_entry_recipient ON quarantine_entry (recipient, state, arrival);
CREATE INDEX quarantine_entry_state_arrival ON quarantine_entry (state, arrival);
CREATE INDEX quarantine_entry_state_expiry ON quarantine_entry (state, expiry);
CREATE INDEX quarantine_entry_message ON quarantine_entry (message_id);
CREATE INDEX quarantine_entry_notify ON quarantine_entry (notify_pending, state);
