-- V6: index-driven, newest-first tracking searches (see the search benchmark).
-- SQL here must run on Derby and PostgreSQL.
--
-- Recipient "@domain": one row per (message, recipient domain) carrying the message's first_seen, so that
-- the index (domain, first_seen DESC, tracking_id DESC) gives the matches already newest first: the first
-- page reads 20 index entries instead of sorting every match. Kept up to date by TrackingDao.
CREATE TABLE tracking_recipient_domain (
    tracking_id VARCHAR(64) NOT NULL,
    domain VARCHAR(255) NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (tracking_id, domain),
    CONSTRAINT tracking_rdomain_message FOREIGN KEY (tracking_id) REFERENCES tracking_message (tracking_id) ON DELETE CASCADE
);
INSERT INTO tracking_recipient_domain (tracking_id, domain, first_seen)
    SELECT DISTINCT r.tracking_id, r.recipient_domain, m.first_seen
    FROM tracking_recipient r JOIN tracking_message m ON m.tracking_id = r.tracking_id;
CREATE INDEX tracking_rdomain_seen ON tracking_recipient_domain (domain, first_seen DESC, tracking_id DESC);

-- Subject "contains": the words of the lower-cased subject (maximal runs of letters and digits, at most 64
-- characters kept), one row per (message, word), with the message's first_seen. A search term that contains a
-- whole word (or a word start) uses this index as a pre-filter; the LIKE on subject_lc still decides. Terms
-- without one fall back to the newest-first scan. Kept up to date by TrackingDao (SubjectTokens).
CREATE TABLE tracking_subject_token (
    tracking_id VARCHAR(64) NOT NULL,
    token VARCHAR(64) NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (tracking_id, token),
    CONSTRAINT tracking_stoken_message FOREIGN KEY (tracking_id) REFERENCES tracking_message (tracking_id) ON DELETE CASCADE
);
CREATE INDEX tracking_stoken_seen ON tracking_subject_token (token, first_seen DESC, tracking_id DESC);
