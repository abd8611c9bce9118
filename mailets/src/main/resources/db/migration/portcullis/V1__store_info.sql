-- V1: identifies the database as a Portcullis gateway store. Capabilities add their own tables in later
-- versions (V2 tracking, V3 quarantine, V4 reports, ...). SQL here must run on Derby and PostgreSQL.
CREATE TABLE portcullis_store_info (
    info_key VARCHAR(64) NOT NULL PRIMARY KEY,
    info_value VARCHAR(255) NOT NULL
);
INSERT INTO portcullis_store_info (info_key, info_value) VALUES ('product', 'portcullis');
