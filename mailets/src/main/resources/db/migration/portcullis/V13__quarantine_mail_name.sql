-- V13: held messages by James mail name, so that a mail the spool processes again after a crash (held, not yet
-- acknowledged) is found held and not held twice (QuarantineStore.heldAs). Derby and PostgreSQL.
CREATE INDEX quarantine_message_mail ON quarantine_message (mail_name, tracking_id);
