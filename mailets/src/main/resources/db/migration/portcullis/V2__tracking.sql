-- V2: message tracking. One row per message, its recipients and attachment names in child tables
-- (so that recipient and attachment searches use an index), and its events in time order.
-- Times are epoch milliseconds (BIGINT): no time-zone conversion differences between Derby and PostgreSQL.
-- SQL here must run on Derby and PostgreSQL.
CREATE TABLE tracking_message (
    tracking_id VARCHAR(64) NOT NULL PRIMARY KEY,
    first_seen BIGINT NOT NULL,
    last_update BIGINT NOT NULL,
    node VARCHAR(128) NOT NULL,
    -- '' for the null sender (<>), otherwise the lower-cased address; sender_domain '' for the null sender
    sender VARCHAR(320) NOT NULL,
    sender_domain VARCHAR(255) NOT NULL,
    -- recipients for display and CSV (comma separated, truncated); searches use tracking_recipient
    recipients VARCHAR(4000),
    subject VARCHAR(998),
    -- lower-cased subject for case-insensitive "contains" searches (LIKE '%...%')
    subject_lc VARCHAR(998),
    message_id VARCHAR(998),
    sending_host VARCHAR(255),
    sending_ip VARCHAR(64),
    helo VARCHAR(255),
    size_bytes BIGINT,
    attachments VARCHAR(4000),
    -- pgp, smime, password or none
    message_security VARCHAR(16) NOT NULL,
    -- 1 when the message came over TLS, 0 otherwise
    tls SMALLINT NOT NULL,
    auth_user VARCHAR(320),
    -- MessageStatus name (DELIVERED, REJECTED, PROCESSING, ...)
    status VARCHAR(16) NOT NULL,
    -- accepted or rejected (the "Message Action" criterion)
    action VARCHAR(16) NOT NULL,
    -- readable outcome: label of the last event that set the status
    outcome VARCHAR(255),
    -- system name of the reject reason (spam:relayingdenied, smtp:oversized, ...)
    reject_reason VARCHAR(64),
    -- EventType name of the most recent event
    last_event VARCHAR(40)
);
CREATE INDEX tracking_message_seen ON tracking_message (first_seen DESC, tracking_id DESC);
CREATE INDEX tracking_message_sender ON tracking_message (sender, first_seen DESC);
CREATE INDEX tracking_message_sdomain ON tracking_message (sender_domain, first_seen DESC);
CREATE INDEX tracking_message_host ON tracking_message (sending_host, first_seen DESC);
CREATE INDEX tracking_message_ip ON tracking_message (sending_ip, first_seen DESC);
CREATE INDEX tracking_message_reason ON tracking_message (reject_reason, first_seen DESC);
CREATE INDEX tracking_message_node ON tracking_message (node, first_seen DESC);
CREATE INDEX tracking_message_action ON tracking_message (action, first_seen DESC);
CREATE INDEX tracking_message_msgid ON tracking_message (message_id);
CREATE INDEX tracking_message_update ON tracking_message (last_update);

CREATE TABLE tracking_recipient (
    tracking_id VARCHAR(64) NOT NULL,
    recipient VARCHAR(320) NOT NULL,
    recipient_domain VARCHAR(255) NOT NULL,
    PRIMARY KEY (tracking_id, recipient),
    CONSTRAINT tracking_recipient_message FOREIGN KEY (tracking_id) REFERENCES tracking_message (tracking_id) ON DELETE CASCADE
);
CREATE INDEX tracking_recipient_address ON tracking_recipient (recipient, tracking_id);
CREATE INDEX tracking_recipient_domain ON tracking_recipient (recipient_domain, tracking_id);

CREATE TABLE tracking_attachment (
    tracking_id VARCHAR(64) NOT NULL,
    position INT NOT NULL,
    -- lower-cased file name
    name_lc VARCHAR(255) NOT NULL,
    PRIMARY KEY (tracking_id, position),
    CONSTRAINT tracking_attachment_message FOREIGN KEY (tracking_id) REFERENCES tracking_message (tracking_id) ON DELETE CASCADE
);
CREATE INDEX tracking_attachment_name ON tracking_attachment (name_lc, tracking_id);

CREATE TABLE tracking_event (
    event_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_id VARCHAR(64) NOT NULL,
    event_time BIGINT NOT NULL,
    event_type VARCHAR(40) NOT NULL,
    -- additional information: JSON object {"Held area": "spam", ...}
    info VARCHAR(8000),
    CONSTRAINT tracking_event_message FOREIGN KEY (tracking_id) REFERENCES tracking_message (tracking_id) ON DELETE CASCADE
);
CREATE INDEX tracking_event_message ON tracking_event (tracking_id, event_time);
