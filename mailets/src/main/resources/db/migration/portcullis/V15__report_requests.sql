-- V15: on-demand quarantine report requests answered in the last hour, for the rate limits (per address and for the
-- whole gateway). Kept in the store so that the limits hold across restarts and are shared by every node; rows older
-- than the hour are deleted as new requests come. Times are epoch milliseconds. SQL here must run on Derby and PostgreSQL.
CREATE TABLE report_request (
    request_id VARCHAR(36) NOT NULL PRIMARY KEY,
    address VARCHAR(320) NOT NULL,
    requested_at BIGINT NOT NULL
);
CREATE INDEX report_request_address ON report_request (address, requested_at);
CREATE INDEX report_request_time ON report_request (requested_at);
