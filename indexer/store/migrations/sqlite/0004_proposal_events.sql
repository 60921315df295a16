-- The lifecycle of each proposal as it happened (created, extended, queued, executed,
-- canceled, summary attached), for timelines. Backfilled from the stored events.
CREATE TABLE proposal_events (
    proposal_id INTEGER NOT NULL,
    block       INTEGER NOT NULL,
    event_index INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    PRIMARY KEY (proposal_id, block, event_index)
);

INSERT INTO proposal_events (proposal_id, block, event_index, kind)
SELECT json_extract(decoded, '$.id'), block, event_index, json_extract(decoded, '$.kind')
FROM raw_events
WHERE decoded IS NOT NULL
  AND json_extract(decoded, '$.kind') IN ('ProposalCreated', 'VotingExtended', 'ProposalQueued',
                                          'ProposalExecuted', 'ProposalCanceled', 'SummaryAttached')
ON CONFLICT DO NOTHING;

CREATE INDEX raw_events_name ON raw_events (name, block, event_index);

-- Keyset pagination of the API's lists: every list is read in (block, event index) order
-- under its filter.
CREATE INDEX proposals_order ON proposals (block, event_index);
CREATE INDEX proposals_proposer ON proposals (proposer, block, event_index);
CREATE INDEX votes_proposal_order ON votes (proposal_id, block, event_index);
CREATE INDEX votes_voter_order ON votes (voter, block, event_index);
CREATE INDEX delegations_to ON delegations (to_delegate, block, event_index);
CREATE INDEX contributions_category ON contributions (category, id);
