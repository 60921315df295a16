-- Proposals and works as the indexer mirrors them, and what the worker derives from them.
CREATE TABLE proposals (
    id               BIGINT PRIMARY KEY,
    proposer         TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    description_hash TEXT    NOT NULL,
    block            BIGINT  NOT NULL,
    event_index      BIGINT  NOT NULL
);

CREATE TABLE works (
    id          BIGINT PRIMARY KEY,
    creator     TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    prompt      TEXT    NOT NULL,
    description TEXT    NOT NULL,
    tags        TEXT    NOT NULL, -- JSON array of strings
    image_hash  TEXT,
    block       BIGINT  NOT NULL,
    event_index BIGINT  NOT NULL
);

CREATE TABLE summaries (
    proposal_id BIGINT PRIMARY KEY REFERENCES proposals (id),
    text        TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    model_id    TEXT    NOT NULL
);

CREATE TABLE curation_scores (
    work_id        BIGINT PRIMARY KEY REFERENCES works (id),
    originality    DOUBLE PRECISION NOT NULL,
    near_duplicate BOOLEAN NOT NULL,
    copy_of        BIGINT,
    nearest        BIGINT,
    nearest_cosine DOUBLE PRECISION,
    style          TEXT,
    spam           DOUBLE PRECISION NOT NULL,
    is_spam        BOOLEAN NOT NULL,
    quality        DOUBLE PRECISION NOT NULL,
    components     TEXT    NOT NULL, -- JSON of every component and reason
    model_id       TEXT    NOT NULL
);
CREATE INDEX curation_scores_quality ON curation_scores (quality DESC);

-- Items the worker could not process, with the reason; they are not retried.
CREATE TABLE worker_failures (
    kind    TEXT    NOT NULL, -- 'proposal' or 'work'
    item_id BIGINT  NOT NULL,
    reason  TEXT    NOT NULL,
    PRIMARY KEY (kind, item_id)
);
