-- The DAO's state derived from the contracts' events. Amounts are decimal strings (u128).
CREATE TABLE members (
    address     TEXT PRIMARY KEY,
    own_weight  TEXT NOT NULL DEFAULT '0',
    votes       TEXT NOT NULL DEFAULT '0',
    delegate    TEXT,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE contributions (
    id           INTEGER PRIMARY KEY,
    contributor  TEXT    NOT NULL,
    category     INTEGER NOT NULL,
    evidence     TEXT    NOT NULL,
    status       TEXT    NOT NULL, -- pending, active, revoked, expired
    weight       TEXT    NOT NULL DEFAULT '0',
    attestations INTEGER NOT NULL DEFAULT 0,
    expires_at   INTEGER,
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX contributions_contributor ON contributions (contributor);

CREATE TABLE attestations (
    contribution_id INTEGER NOT NULL,
    attestor        TEXT    NOT NULL,
    block           INTEGER NOT NULL,
    PRIMARY KEY (contribution_id, attestor)
);

CREATE TABLE delegations (
    delegator     TEXT    NOT NULL,
    block         INTEGER NOT NULL,
    event_index   INTEGER NOT NULL,
    from_delegate TEXT    NOT NULL,
    to_delegate   TEXT    NOT NULL,
    weight        TEXT    NOT NULL,
    PRIMARY KEY (delegator, block, event_index)
);

CREATE TABLE weight_checkpoints (
    account TEXT    NOT NULL,
    block   INTEGER NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (account, block)
);

CREATE TABLE total_checkpoints (
    block INTEGER PRIMARY KEY,
    value TEXT    NOT NULL
);

CREATE TABLE proposal_states (
    proposal_id   INTEGER PRIMARY KEY,
    snapshot      INTEGER NOT NULL,
    vote_end      INTEGER NOT NULL,
    quorum_bps    INTEGER NOT NULL,
    actions       TEXT    NOT NULL, -- JSON
    for_votes     TEXT    NOT NULL DEFAULT '0',
    against_votes TEXT    NOT NULL DEFAULT '0',
    abstain_votes TEXT    NOT NULL DEFAULT '0',
    status        TEXT    NOT NULL, -- created, queued, executed, canceled
    eta           INTEGER,
    summary_hash  TEXT,
    summary_model TEXT
);

CREATE TABLE votes (
    proposal_id INTEGER NOT NULL,
    voter       TEXT    NOT NULL,
    support     TEXT    NOT NULL,
    weight      TEXT    NOT NULL,
    reason      TEXT,
    relayer     TEXT,
    block       INTEGER NOT NULL,
    event_index INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, voter)
);
CREATE INDEX votes_voter ON votes (voter);
CREATE INDEX votes_order ON votes (block, event_index);
