-- Each stored event's block time (`Timestamp::Now`, milliseconds since the Unix epoch), so
-- that lists can be filtered by time as well as by block. Block time grows with the block
-- number, so a time bound is turned into a block bound once and the lists' block indexes
-- do the rest. Events stored before this migration have none.
ALTER TABLE raw_events ADD COLUMN time BIGINT;
-- BRIN: block time follows insertion order, so a block-range index is tiny, costs the
-- backfill next to nothing, and still narrows a time bound to the pages that can hold it.
CREATE INDEX raw_events_time ON raw_events USING brin (time);
