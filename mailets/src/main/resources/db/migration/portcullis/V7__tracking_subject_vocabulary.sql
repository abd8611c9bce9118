-- V7: the subject vocabulary, for subject "contains" terms that start or end inside a word ("nvoic", or
-- "invoice" alone, which may be the end of a longer word). SQL here must run on Derby and PostgreSQL.
--
-- tracking_subject_vocab: one row per distinct subject word ever indexed in tracking_subject_token (V6). The key
-- is the word itself when shorter than 64 characters, else its first 40 characters, '#' and 23 hex digits of
-- its SHA-256 (long words sharing a truncated token stay distinct). A writer adds a word the first time it sees
-- it, in the transaction that indexes the message; the row is the gate: only the transaction that inserts it
-- inserts the word's suffixes. The retention purge does not shrink the vocabulary.
CREATE TABLE tracking_subject_vocab (
    word_key VARCHAR(64) NOT NULL,
    CONSTRAINT tracking_svocab_pk PRIMARY KEY (word_key)
);

-- tracking_subject_suffix: every suffix of every vocabulary word (at most 64 characters of each kept) with the
-- word's index token (NULL when the token is the word key, i.e. for words shorter than 64 characters). A run of
-- letters and digits of a search term is the start of a suffix of a word of every matching subject, so
-- "suffix LIKE 'run%'" (an index range) lists the few tokens whose tracking_subject_token rows can match;
-- the LIKE on the subject still decides (TrackingDao, SubjectVocabulary). No foreign key: rows are written
-- only with their vocabulary row, and never deleted.
-- PostgreSQL: a LIKE prefix uses this index only with the "C" collation (or a text_pattern_ops index).
CREATE TABLE tracking_subject_suffix (
    suffix VARCHAR(64) NOT NULL,
    word_key VARCHAR(64) NOT NULL,
    token VARCHAR(64),
    CONSTRAINT tracking_ssuffix_pk PRIMARY KEY (suffix, word_key)
);
