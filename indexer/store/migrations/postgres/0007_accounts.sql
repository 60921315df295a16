-- The Substrate account behind an H160, as pallet-revive recorded it (`Revive.OriginalAccount`)
-- when the indexer first saw the address in an event, so that the API can show members as the
-- SS58 their wallets show. Not derived from events and not rolled back on a reorg: the
-- indexer stores a pair only after checking that the account id maps to the address
-- (keccak-256), so a row is true whatever the chain's history.
CREATE TABLE accounts (
    address    TEXT   PRIMARY KEY,
    account_id TEXT   NOT NULL,
    block      BIGINT NOT NULL
);
