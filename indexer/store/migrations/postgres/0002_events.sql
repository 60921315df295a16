-- Every event of the configured contracts, decoded or not, keyed by where it happened.
CREATE TABLE raw_events (
    block_hash  TEXT    NOT NULL,
    event_index BIGINT  NOT NULL,
    block       BIGINT  NOT NULL,
    contract    TEXT    NOT NULL,
    name        TEXT,            -- event label; NULL when the topic is unknown
    topics      TEXT    NOT NULL, -- JSON array of 0x-hex topics
    data        TEXT    NOT NULL CHECK (data LIKE '0x%'), -- 0x-hex SCALE data
    decoded     TEXT,            -- JSON fields when decoded
    PRIMARY KEY (block_hash, event_index)
);
CREATE INDEX raw_events_order ON raw_events (block, event_index);

-- The indexing cursor: the last block whose events are all stored, written in the same
-- transaction as them.
CREATE TABLE cursor (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    block BIGINT  NOT NULL,
    hash  TEXT    NOT NULL
);
