-- The funds side of the DAO: the royalty router, the treasury funds (Compute Fund,
-- Community Reserve) and the provenance registry, derived from their events. Amounts are
-- decimal strings (u128); running totals are added exactly by the indexer, in the same
-- transaction as the event.

-- The contracts the indexer watches, by the role the deployment gives them.
CREATE TABLE contracts (
    address  TEXT   PRIMARY KEY,
    role     TEXT   NOT NULL,
    artifact TEXT   NOT NULL,
    block    BIGINT NOT NULL
);

CREATE TABLE funds (
    address        TEXT   PRIMARY KEY,
    received       TEXT   NOT NULL DEFAULT '0',
    paid_out       TEXT   NOT NULL DEFAULT '0',
    balance        TEXT   NOT NULL DEFAULT '0',
    outflow_cap    TEXT,
    epoch_blocks   BIGINT,
    outflow_epoch  BIGINT, -- epoch of the last payout
    epoch_outflow  TEXT   NOT NULL DEFAULT '0', -- paid in that epoch
    guardian       TEXT,
    provenance     TEXT,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE fund_stewards (
    fund    TEXT   NOT NULL,
    account TEXT   NOT NULL,
    block   BIGINT NOT NULL,
    PRIMARY KEY (fund, account)
);

-- Every movement of value into or out of a fund or the router, in chain order.
CREATE TABLE fund_flows (
    block        BIGINT NOT NULL,
    event_index  BIGINT NOT NULL,
    contract     TEXT   NOT NULL,
    kind         TEXT   NOT NULL, -- received, payout, donated, forwarded, withdrawn
    direction    TEXT   NOT NULL CHECK (direction IN ('in', 'out')),
    counterparty TEXT   NOT NULL,
    amount       TEXT   NOT NULL,
    spend_id     BIGINT,
    PRIMARY KEY (block, event_index)
);
CREATE INDEX fund_flows_contract ON fund_flows (contract, block, event_index);

CREATE TABLE spends (
    fund             TEXT    NOT NULL,
    id               BIGINT  NOT NULL,
    beneficiary      TEXT    NOT NULL,
    amount           TEXT    NOT NULL,
    valid_from       BIGINT  NOT NULL,
    expires_at       BIGINT  NOT NULL,
    purpose_hash     TEXT    NOT NULL,
    tranches         BIGINT  NOT NULL,
    tranche_interval BIGINT  NOT NULL,
    datasets         TEXT    NOT NULL, -- JSON array of provenance ids
    paid             TEXT    NOT NULL DEFAULT '0',
    tranches_paid    BIGINT  NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL, -- approved, paid, voided (expiry is read against the head)
    voided_by        TEXT,
    block            BIGINT  NOT NULL,
    event_index      BIGINT  NOT NULL,
    PRIMARY KEY (fund, id)
);
CREATE INDEX spends_order ON spends (block, event_index);
CREATE INDEX spends_beneficiary ON spends (beneficiary, block, event_index);

CREATE TABLE payouts (
    block         BIGINT NOT NULL,
    event_index   BIGINT NOT NULL,
    fund          TEXT   NOT NULL,
    spend_id      BIGINT NOT NULL,
    tranche       BIGINT NOT NULL,
    beneficiary   TEXT   NOT NULL,
    steward       TEXT   NOT NULL,
    amount        TEXT   NOT NULL,
    paid_total    TEXT   NOT NULL,
    epoch_outflow TEXT   NOT NULL,
    PRIMARY KEY (block, event_index)
);
CREATE INDEX payouts_spend ON payouts (fund, spend_id, block, event_index);

CREATE TABLE royalties (
    block       BIGINT NOT NULL,
    event_index BIGINT NOT NULL,
    router      TEXT   NOT NULL,
    work_id     BIGINT NOT NULL,
    creator     TEXT   NOT NULL,
    payer       TEXT   NOT NULL,
    amount      TEXT   NOT NULL,
    to_creator  TEXT   NOT NULL,
    to_compute  TEXT   NOT NULL,
    to_reserve  TEXT   NOT NULL,
    PRIMARY KEY (block, event_index)
);
CREATE INDEX royalties_work ON royalties (work_id, block, event_index);
CREATE INDEX royalties_creator ON royalties (creator, block, event_index);

-- Running royalty totals per work, per creator and for the whole router.
CREATE TABLE royalty_totals (
    scope      TEXT   NOT NULL CHECK (scope IN ('work', 'creator', 'router')),
    key        TEXT   NOT NULL,
    payments   BIGINT NOT NULL DEFAULT 0,
    amount     TEXT   NOT NULL DEFAULT '0',
    to_creator TEXT   NOT NULL DEFAULT '0',
    to_compute TEXT   NOT NULL DEFAULT '0',
    to_reserve TEXT   NOT NULL DEFAULT '0',
    withdrawn  TEXT   NOT NULL DEFAULT '0',
    PRIMARY KEY (scope, key)
);

CREATE TABLE router_split (
    router      TEXT    PRIMARY KEY,
    compute_bps BIGINT  NOT NULL,
    reserve_bps BIGINT  NOT NULL,
    frozen      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  BIGINT  NOT NULL
);

ALTER TABLE works ADD COLUMN content_hash TEXT;
ALTER TABLE works ADD COLUMN creator_bps BIGINT;
ALTER TABLE works ADD COLUMN metadata_hash TEXT;

CREATE TABLE assets (
    id           BIGINT PRIMARY KEY,
    kind         TEXT   NOT NULL, -- Dataset, Model
    content_hash TEXT   NOT NULL,
    license      BIGINT NOT NULL,
    registrant   TEXT   NOT NULL,
    holders      TEXT   NOT NULL, -- JSON array
    consenting   BIGINT NOT NULL,
    block        BIGINT NOT NULL,
    event_index  BIGINT NOT NULL
);

CREATE TABLE consents (
    asset_id BIGINT  NOT NULL,
    holder   TEXT    NOT NULL,
    granted  BOOLEAN NOT NULL,
    block    BIGINT  NOT NULL,
    PRIMARY KEY (asset_id, holder)
);

-- The optimistic grant track: which proposals are grants, and whether objections escalated
-- them to a full vote.
ALTER TABLE proposal_states ADD COLUMN track TEXT NOT NULL DEFAULT 'full';
ALTER TABLE proposal_states ADD COLUMN escalated BOOLEAN NOT NULL DEFAULT FALSE;
