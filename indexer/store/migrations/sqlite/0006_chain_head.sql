-- The chain head the indexer last saw (finalized, or best with `atelier index --best`), so
-- the API can report how far behind the store is, and the chain's ids: its genesis hash
-- (CAIP-2 `polkadot:` reference) and pallet-revive's Ethereum chain id (CAIP-2 `eip155:`
-- reference of its H160 accounts).
CREATE TABLE chain_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    block    BIGINT  NOT NULL,
    hash     TEXT    NOT NULL,
    finality TEXT    NOT NULL CHECK (finality IN ('finalized', 'best')),
    genesis  TEXT    NOT NULL,
    evm_chain_id BIGINT
);
