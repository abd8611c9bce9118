-- V9: two indexes every tracking write paid for and no query reads (found by the gateway load benchmark).
-- SQL here must run on Derby and PostgreSQL.
--
-- tracking_message (last_update): changed by every event of every message. The retention purge, its only reader,
-- now selects by first_seen (index tracking_message_seen) and last_update together: last_update is never before
-- first_seen, so "last_update < cut-off" and "first_seen < cut-off AND last_update < cut-off" are the same messages.
DROP INDEX tracking_message_update;
-- tracking_recipient (recipient_domain, tracking_id): recipient "@domain" searches read tracking_recipient_domain (V6).
DROP INDEX tracking_recipient_domain;
