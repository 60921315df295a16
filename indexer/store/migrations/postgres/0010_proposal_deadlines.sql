-- Each proposal's grace period, fixed by the governor when it was proposed (audit M-1 and
-- L-3 of issue #16): a succeeded proposal may be queued until vote_end + grace_period and a
-- queued one executed until eta + grace_period, whatever the governor's settings say later.
-- Proposals indexed before this column existed keep NULL: their deadline is unknown here,
-- and the API then reports them as the events left them (succeeded or queued).
ALTER TABLE proposal_states ADD COLUMN grace_period BIGINT;
