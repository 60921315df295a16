-- The chain head the indexer last saw (finalized, or best with `atelier index --best`), so
-- the API can report how far behind the store is.
CREATE TABLE chain_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    block    BIGINT  NOT NULL,
    hash     TEXT    NOT NULL,
    finality TEXT    NOT NULL CHECK (finality IN ('finalized', 'best'))
);
