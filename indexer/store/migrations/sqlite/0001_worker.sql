-- Proposals and works as the indexer mirrors them, and what the worker derives from them.
CREATE TABLE proposals (
    id               INTEGER PRIMARY KEY,
    proposer         TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    description_hash TEXT    NOT NULL,
    block            INTEGER NOT NULL,
    event_index      INTEGER NOT NULL
);

CREATE TABLE works (
    id          INTEGER PRIMARY KEY,
    creator     TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    prompt      TEXT    NOT NULL,
    description TEXT    NOT NULL,
    tags        TEXT    NOT NULL, -- JSON array of strings
    image_hash  TEXT,
    block       INTEGER NOT NULL,
    event_index INTEGER NOT NULL
);

CREATE TABLE summaries (
    proposal_id INTEGER PRIMARY KEY REFERENCES proposals (id),
    text        TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    model_id    TEXT    NOT NULL
);

CREATE TABLE curation_scores (
    work_id        INTEGER PRIMARY KEY REFERENCES works (id),
    originality    REAL    NOT NULL,
    near_duplicate BOOLEAN NOT NULL,
    copy_of        INTEGER,
    nearest        INTEGER,
    nearest_cosine REAL,
    style          TEXT,
    spam           REAL    NOT NULL,
    is_spam        BOOLEAN NOT NULL,
    quality        REAL    NOT NULL,
    components     TEXT    NOT NULL, -- JSON of every component and reason
    model_id       TEXT    NOT NULL
);
CREATE INDEX curation_scores_quality ON curation_scores (quality DESC);

-- Items the worker could not process, with the reason; they are not retried.
CREATE TABLE worker_failures (
    kind    TEXT    NOT NULL, -- 'proposal' or 'work'
    item_id INTEGER NOT NULL,
    reason  TEXT    NOT NULL,
    PRIMARY KEY (kind, item_id)
);
