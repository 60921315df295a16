-- Contribution expiry without a keeper (audit L-1 of issue #16): the membership token's
-- weights now carry their expiry schedules (the parts that expire later, by expiry block),
-- and a weight at a later block is its value less what the schedule says expired by then
-- (atelier_types::weight_at, the token's own rule). Each column holds the schedule JSON of
-- the value beside it, as the token's event reported it; rows from before have none.
ALTER TABLE weight_checkpoints ADD COLUMN expiring TEXT NOT NULL DEFAULT '[]';
ALTER TABLE total_checkpoints ADD COLUMN expiring TEXT NOT NULL DEFAULT '[]';
ALTER TABLE members ADD COLUMN own_expiring TEXT NOT NULL DEFAULT '[]';
ALTER TABLE members ADD COLUMN votes_expiring TEXT NOT NULL DEFAULT '[]';
