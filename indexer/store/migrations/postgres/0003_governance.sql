-- The DAO's state derived from the contracts' events. Amounts are decimal strings (u128).
CREATE TABLE members (
    address     TEXT PRIMARY KEY,
    own_weight  TEXT NOT NULL DEFAULT '0',
    votes       TEXT NOT NULL DEFAULT '0',
    delegate    TEXT,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE contributions (
    id           BIGINT PRIMARY KEY,
    contributor  TEXT    NOT NULL,
    category     BIGINT NOT NULL,
    evidence     TEXT    NOT NULL,
    status       TEXT    NOT NULL, -- pending, active, revoked, expired
    weight       TEXT    NOT NULL DEFAULT '0',
    attestations BIGINT NOT NULL DEFAULT 0,
    expires_at   BIGINT,
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX contributions_contributor ON contributions (contributor);

CREATE TABLE attestations (
    contribution_id BIGINT NOT NULL,
    attestor        TEXT    NOT NULL,
    block           BIGINT NOT NULL,
    PRIMARY KEY (contribution_id, attestor)
);

CREATE TABLE delegations (
    delegator     TEXT    NOT NULL,
    block         BIGINT NOT NULL,
    event_index   BIGINT NOT NULL,
    from_delegate TEXT    NOT NULL,
    to_delegate   TEXT    NOT NULL,
    weight        TEXT    NOT NULL,
    PRIMARY KEY (delegator, block, event_index)
);

CREATE TABLE weight_checkpoints (
    account TEXT    NOT NULL,
    block   BIGINT NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (account, block)
);

CREATE TABLE total_checkpoints (
    block BIGINT PRIMARY KEY,
    value TEXT    NOT NULL
);

CREATE TABLE proposal_states (
    proposal_id   BIGINT PRIMARY KEY,
    snapshot      BIGINT NOT NULL,
    vote_end      BIGINT NOT NULL,
    quorum_bps    BIGINT NOT NULL,
    actions       TEXT    NOT NULL, -- JSON
    for_votes     TEXT    NOT NULL DEFAULT '0',
    against_votes TEXT    NOT NULL DEFAULT '0',
    abstain_votes TEXT    NOT NULL DEFAULT '0',
    status        TEXT    NOT NULL, -- created, queued, executed, canceled
    eta           BIGINT,
    summary_hash  TEXT,
    summary_model TEXT
);

CREATE TABLE votes (
    proposal_id BIGINT NOT NULL,
    voter       TEXT    NOT NULL,
    support     TEXT    NOT NULL,
    weight      TEXT    NOT NULL,
    reason      TEXT,
    relayer     TEXT,
    block       BIGINT NOT NULL,
    event_index BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, voter)
);
CREATE INDEX votes_voter ON votes (voter);
CREATE INDEX votes_order ON votes (block, event_index);
