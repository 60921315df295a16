-- The benchmark store of scripts/api-bench.sh, generated with generate_series into a store
-- the API has just migrated (every table exists and is empty).
--   psql -v proposals=100000 -v votes=1000000 -v members=5000 -v raw_events=1 -f generate.sql
-- proposals must be a multiple of 10, votes at least 6 * proposals.
--
-- Shape (deterministic, no random()):
-- * proposal p is created at block 10p (event 0), snapshot 10p+5, voting ends at 10p+505;
--   the head is 10*proposals+510, so the last proposals are still pending or active;
--   every 10th is executed, every 10th (another) queued, every 20th canceled; half have a
--   worker summary, a quarter an anchored one.
-- * every 10th proposal (ids 1, 11, 21, ...) is "popular": 60 votes each (6 * proposals votes
--   in all); the other votes are spread evenly over the remaining 90%. The list benchmark
--   reads the popular ones, so each page has 50 votes and a next page.
-- * the k-th vote on proposal p is at block 10p+6+8k, event index p % 1000 + 1 (unique per
--   block), by member (7p + k) % members.
-- * raw_events (raw_events=1): what the indexer stores next to the derived tables, one row per
--   event: the governor's settings at block 1, one ProposalCreated per proposal and one
--   VoteCast per vote (the API reads the governor's settings from this table).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

BEGIN;

CREATE TEMP TABLE bench_members AS
SELECT i AS idx,
       '0x' || substr(md5('member' || i) || md5('address' || i), 1, 40) AS address,
       (((i % 97) + 1)::numeric * 1000000000000000000)::text AS weight
FROM generate_series(0, :members - 1) AS i;
CREATE UNIQUE INDEX ON bench_members (idx);

INSERT INTO members (address, own_weight, votes, delegate, updated_at)
SELECT address, weight, weight, NULL, 1 FROM bench_members;

INSERT INTO weight_checkpoints (account, block, value)
SELECT address, 1, weight FROM bench_members;

-- The total weight: all of it at block 1, then a checkpoint every 100,000 blocks as weight
-- grows by 1 token.
INSERT INTO total_checkpoints (block, value)
SELECT b, ((SELECT sum(weight::numeric) FROM bench_members)
           + (b / 100000)::numeric * 1000000000000000000)::text
FROM (SELECT 1 AS b UNION ALL SELECT generate_series(100000, 10 * :proposals, 100000)) AS t;

INSERT INTO proposals (id, proposer, description, description_hash, block, event_index)
SELECT p,
       (SELECT address FROM bench_members WHERE idx = p % :members),
       '# Proposal ' || p || ': fund the GPU cluster for season ' || (p % 40) || E'\n\n'
         || repeat('Spend from the Compute Fund on rendering time for the community gallery; '
                   'the grant is paid in three tranches against published work. ', 4),
       '0x' || md5('description' || p) || md5('hash' || p),
       10 * p, 0
FROM generate_series(1, :proposals) AS p;

INSERT INTO proposal_states (proposal_id, snapshot, vote_end, quorum_bps, actions, status, eta,
                             summary_hash, summary_model)
SELECT p, 10 * p + 5, 10 * p + 505, 400,
       '[{"action":{"target":"0x' || substr(md5('target' || (p % 3)), 1, 32) || '00000000'
         || '","selector":"0x4c6f6e67","input":"0x' || md5('input' || p)
         || '","value":"0"},"code_hash":"0x' || md5('code' || (p % 3)) || md5('c' || (p % 3)) || '"}]',
       CASE WHEN p % 10 = 3 THEN 'executed' WHEN p % 10 = 7 THEN 'queued'
            WHEN p % 20 = 9 THEN 'canceled' ELSE 'created' END,
       CASE WHEN p % 10 IN (3, 7) THEN 10 * p + 605 END,
       CASE WHEN p % 4 = 0 THEN '0x' || md5('summary' || p) || md5('s' || p) END,
       CASE WHEN p % 4 = 0 THEN '0x' || md5('model') || md5('m') END
FROM generate_series(1, :proposals) AS p;

INSERT INTO summaries (proposal_id, text, hash, model_id)
SELECT p,
       'Proposal ' || p || ' asks the Compute Fund for rendering time for the gallery, paid in '
         || 'three tranches against published work; it names the artists and the budget.',
       '0x' || md5('summary' || p) || md5('s' || p),
       '0x' || md5('model') || md5('m')
FROM generate_series(2, :proposals, 2) AS p;

-- Lifecycle events: created for all, queued/executed/canceled by status, summary attached.
INSERT INTO proposal_events (proposal_id, block, event_index, kind)
SELECT p, 10 * p, 0, 'ProposalCreated' FROM generate_series(1, :proposals) AS p
UNION ALL
SELECT p, 10 * p + 506, 0, 'ProposalQueued' FROM generate_series(1, :proposals) AS p WHERE p % 10 IN (3, 7)
UNION ALL
SELECT p, 10 * p + 606, 0, 'ProposalExecuted' FROM generate_series(1, :proposals) AS p WHERE p % 10 = 3
UNION ALL
SELECT p, 10 * p + 3, 0, 'ProposalCanceled' FROM generate_series(1, :proposals) AS p WHERE p % 20 = 9 AND p % 10 NOT IN (3, 7)
UNION ALL
SELECT p, 10 * p + 4, 0, 'SummaryAttached' FROM generate_series(1, :proposals) AS p WHERE p % 4 = 0;

-- Votes: n = 1..votes, mapped to (proposal, k-th vote on it).
CREATE TEMP TABLE bench_votes AS
WITH v AS (
    SELECT n,
           CASE WHEN n <= 6 * :proposals THEN ((n - 1) / 60) * 10 + 1
                ELSE (((n - 6 * :proposals - 1) % (:proposals * 9 / 10)) / 9) * 10
                     + ((n - 6 * :proposals - 1) % (:proposals * 9 / 10)) % 9 + 2 END AS p,
           CASE WHEN n <= 6 * :proposals THEN (n - 1) % 60
                ELSE (n - 6 * :proposals - 1) / (:proposals * 9 / 10) END AS k
    FROM generate_series(1::bigint, :votes) AS n
)
SELECT v.n, v.p AS proposal_id, m.address AS voter,
       CASE WHEN (v.n * 7 + v.k) % 10 < 6 THEN 'For'
            WHEN (v.n * 7 + v.k) % 10 < 9 THEN 'Against' ELSE 'Abstain' END AS support,
       m.weight,
       CASE WHEN v.n % 5 = 0 THEN 'Voting ' || v.n || ': the budget is reasonable and the artists delivered last season.' END AS reason,
       CASE WHEN v.n % 10 = 0 THEN '0x' || substr(md5('relayer' || (v.n % 3)), 1, 32) || '00000000' END AS relayer,
       10 * v.p + 6 + 8 * v.k AS block,
       v.p % 1000 + 1 AS event_index
FROM v JOIN bench_members m ON m.idx = (7 * v.p + v.k) % :members;

INSERT INTO votes (proposal_id, voter, support, weight, reason, relayer, block, event_index)
SELECT proposal_id, voter, support, weight, reason, relayer, block, event_index
FROM bench_votes ORDER BY block, event_index;

-- Tallies as the indexer keeps them.
UPDATE proposal_states s
SET for_votes = t.f, against_votes = t.a, abstain_votes = t.ab
FROM (SELECT proposal_id,
             coalesce(sum(weight::numeric) FILTER (WHERE support = 'For'), 0)::text AS f,
             coalesce(sum(weight::numeric) FILTER (WHERE support = 'Against'), 0)::text AS a,
             coalesce(sum(weight::numeric) FILTER (WHERE support = 'Abstain'), 0)::text AS ab
      FROM bench_votes GROUP BY proposal_id) AS t
WHERE s.proposal_id = t.proposal_id;

-- The governor's settings, as the indexer derives them from its SettingsChanged event.
INSERT INTO governor_settings (id, settings, block, event_index) VALUES (1,
       '{"kind":"GovernorSettingsChanged","settings":{"voting_delay":5,"voting_period":500,'
       '"timelock_delay":100,"grace_period":1000,"quorum_bps":400,"proposal_threshold":"0",'
       '"late_quorum_extension":0}}', 1, 0);

\if :raw_events
INSERT INTO raw_events (block_hash, event_index, block, contract, name, topics, data, decoded)
SELECT '0x' || md5('block' || 1) || md5('hash' || 1), 0, 1, '0x' || md5('governor') || '00000000',
       'SettingsChanged', '[]', '0x00',
       '{"kind":"GovernorSettingsChanged","settings":{"voting_delay":5,"voting_period":500,'
       '"timelock_delay":100,"grace_period":1000,"quorum_bps":400,"proposal_threshold":"0",'
       '"late_quorum_extension":0}}'
UNION ALL
SELECT '0x' || md5('block' || p.block) || md5('hash' || p.block), 0, p.block,
       '0x' || md5('governor') || '00000000', 'ProposalCreated',
       '["0x' || md5('topic') || md5('t') || '"]', '0x' || md5('data' || p.id),
       json_build_object('kind', 'ProposalCreated', 'id', p.id, 'proposer', p.proposer,
                         'actions', s.actions::json, 'description', p.description,
                         'description_hash', p.description_hash, 'snapshot', s.snapshot,
                         'vote_end', s.vote_end, 'quorum_bps', s.quorum_bps)::text
FROM proposals p JOIN proposal_states s ON s.proposal_id = p.id
UNION ALL
SELECT '0x' || md5('block' || v.block) || md5('hash' || v.block), v.event_index, v.block,
       '0x' || md5('governor') || '00000000', 'VoteCast',
       '["0x' || md5('topic') || md5('v') || '"]', '0x' || md5('data' || v.n),
       json_build_object('kind', 'VoteCast', 'id', v.proposal_id, 'voter', v.voter,
                         'support', v.support, 'weight', v.weight, 'reason', v.reason,
                         'relayer', v.relayer, 'tallies', json_build_array('0', '0', '0'))::text
FROM bench_votes v;
\endif

INSERT INTO cursor (id, block, hash)
VALUES (1, 10 * :proposals + 510, '0x' || md5('head') || md5('h'));

COMMIT;

ANALYZE;
