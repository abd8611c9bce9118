-- V11: the single-criterion indexes of V2 in the order of the search results (see the search benchmark).
-- SQL here must run on Derby and PostgreSQL.
--
-- Searches list messages newest first, ties broken by tracking id (ORDER BY first_seen DESC, tracking_id DESC). The
-- V2 indexes (criterion, first_seen DESC) lacked the tie-breaker, so the database read every match's row and sorted
-- them all before returning the first page (the 10,000 null-sender messages of 1,000,000: p95 over 100 ms). With the
-- tracking id in the key, an equality on the criterion reads the index already in result order: the first page stops
-- after a page of entries, and the total counts index entries only.
DROP INDEX tracking_message_sender;
CREATE INDEX tracking_message_sender ON tracking_message (sender, first_seen DESC, tracking_id DESC);
DROP INDEX tracking_message_sdomain;
CREATE INDEX tracking_message_sdomain ON tracking_message (sender_domain, first_seen DESC, tracking_id DESC);
DROP INDEX tracking_message_host;
CREATE INDEX tracking_message_host ON tracking_message (sending_host, first_seen DESC, tracking_id DESC);
DROP INDEX tracking_message_ip;
CREATE INDEX tracking_message_ip ON tracking_message (sending_ip, first_seen DESC, tracking_id DESC);
DROP INDEX tracking_message_reason;
CREATE INDEX tracking_message_reason ON tracking_message (reject_reason, first_seen DESC, tracking_id DESC);
DROP INDEX tracking_message_node;
CREATE INDEX tracking_message_node ON tracking_message (node, first_seen DESC, tracking_id DESC);
DROP INDEX tracking_message_action;
CREATE INDEX tracking_message_action ON tracking_message (action, first_seen DESC, tracking_id DESC);
