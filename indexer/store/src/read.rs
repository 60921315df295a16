//! The read side of the store: what the API serves. Every list is a keyset page (`after` the
//! last key of the previous page, `limit` rows) in a stable order, so a page costs the same
//! however deep it is. Nothing here writes.

use atelier_types::{GovernorSettings, StoredAction};

use crate::{CurationScore, Pool, RawEvent, Result, Store, Summary, Work};

/// A value bound to a dynamically built statement.
enum Bind {
    Int(i64),
    Text(String),
    Real(f64),
}

/// A `WHERE` clause built condition by condition, numbering placeholders in order of first
/// use (which both SQLite and PostgreSQL accept).
#[derive(Default)]
struct Where {
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

impl Where {
    /// The next placeholder, `$n`.
    fn next(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    fn eq_text(&mut self, column: &str, v: Option<&str>) {
        if let Some(v) = v {
            let p = self.next(Bind::Text(v.to_owned()));
            self.conditions.push(format!("{column} = {p}"));
        }
    }

    fn eq_int(&mut self, column: &str, v: Option<i64>) {
        if let Some(v) = v {
            let p = self.next(Bind::Int(v));
            self.conditions.push(format!("{column} = {p}"));
        }
    }

    /// `(a, b) > (x, y)` written out, since SQLite's row values are not used elsewhere.
    fn after_pair(&mut self, a: &str, b: &str, after: Option<(i64, i64)>) {
        if let Some((x, y)) = after {
            let px = self.next(Bind::Int(x));
            let py = self.next(Bind::Int(y));
            self.conditions
                .push(format!("({a} > {px} OR ({a} = {px} AND {b} > {py}))"));
        }
    }

    /// `column` within `from..=to`, each bound optional.
    fn range(&mut self, column: &str, from: Option<i64>, to: Option<i64>) {
        if let Some(f) = from {
            let p = self.next(Bind::Int(f));
            self.conditions.push(format!("{column} >= {p}"));
        }
        if let Some(t) = to {
            let p = self.next(Bind::Int(t));
            self.conditions.push(format!("{column} <= {p}"));
        }
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// Binds `$binds` to query `$q` in order.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.as_str()),
                Bind::Real(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Where a proposal stands relative to a block, from its snapshot and voting end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The block is at or before the snapshot.
    BeforeSnapshot,
    /// After the snapshot, at or before the end of voting.
    Voting,
    /// After the end of voting.
    Ended,
}

/// Which proposals to list.
#[derive(Debug, Clone, Default)]
pub struct ProposalQuery {
    /// Only this proposer's.
    pub proposer: Option<String>,
    /// Only this stored status (`created`, `queued`, `executed`, `canceled`).
    pub status: Option<String>,
    /// Only proposals in this phase at block `.1`.
    pub phase: Option<(Phase, i64)>,
    /// Only proposals created at or after this block.
    pub from_block: Option<i64>,
    /// Only proposals created at or before this block.
    pub to_block: Option<i64>,
    /// After this (block, event index) of creation.
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A proposal with its derived state, as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRow {
    /// Proposal id.
    pub id: i64,
    /// Proposer, H160 hex.
    pub proposer: String,
    /// Full description.
    pub description: String,
    /// keccak-256 of the description.
    pub description_hash: String,
    /// Block of creation.
    pub block: i64,
    /// Event index of creation.
    pub event_index: i64,
    /// Snapshot block (weights are read there).
    pub snapshot: i64,
    /// Last block of voting.
    pub vote_end: i64,
    /// Quorum in basis points of the total weight at the snapshot.
    pub quorum_bps: i64,
    /// The actions with their pinned code hashes.
    pub actions: Vec<StoredAction>,
    /// For tally, decimal.
    pub for_votes: String,
    /// Against tally, decimal.
    pub against_votes: String,
    /// Abstain tally, decimal.
    pub abstain_votes: String,
    /// Stored status: `created`, `queued`, `executed` or `canceled`.
    pub status: String,
    /// Block from which a queued proposal may execute.
    pub eta: Option<i64>,
    /// The summary hash anchored on chain (`SummaryAttached`).
    pub anchored_hash: Option<String>,
    /// The model id anchored with it.
    pub anchored_model: Option<String>,
    /// The worker's summary, if written.
    pub summary: Option<Summary>,
    /// The total weight at the snapshot block (its last checkpoint at or before it),
    /// decimal; `None` before the first checkpoint.
    pub total_at_snapshot: Option<String>,
}

const PROPOSAL_SELECT: &str = "SELECT p.id, p.proposer, p.description, p.description_hash, p.block, p.event_index, \
     s.snapshot, s.vote_end, s.quorum_bps, s.actions, s.for_votes, s.against_votes, s.abstain_votes, s.status, s.eta, \
     s.summary_hash, s.summary_model, m.text, m.hash, m.model_id, \
     (SELECT t.value FROM total_checkpoints t WHERE t.block <= s.snapshot ORDER BY t.block DESC LIMIT 1) \
     FROM proposals p JOIN proposal_states s ON s.proposal_id = p.id LEFT JOIN summaries m ON m.proposal_id = p.id";

type ProposalTuple = (
    (i64, String, String, String, i64, i64),
    (i64, i64, i64, String, String, String, String, String),
    (Option<i64>, Option<String>, Option<String>),
    (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
);

fn proposal_from(t: ProposalTuple) -> Result<ProposalRow> {
    let ((id, proposer, description, description_hash, block, event_index), s, a, m) = t;
    Ok(ProposalRow {
        id,
        proposer,
        description,
        description_hash,
        block,
        event_index,
        snapshot: s.0,
        vote_end: s.1,
        quorum_bps: s.2,
        actions: serde_json::from_str(&s.3)?,
        for_votes: s.4,
        against_votes: s.5,
        abstain_votes: s.6,
        status: s.7,
        eta: a.0,
        anchored_hash: a.1,
        anchored_model: a.2,
        total_at_snapshot: m.3,
        summary: match (m.0, m.1, m.2) {
            (Some(text), Some(hash), Some(model_id)) => Some(Summary {
                proposal_id: id,
                text,
                hash,
                model_id,
            }),
            _ => None,
        },
    })
}

/// One step of a proposal's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// Block.
    pub block: i64,
    /// Event index in the block.
    pub event_index: i64,
    /// Event kind (`ProposalCreated`, `ProposalQueued`, ...).
    pub kind: String,
}

/// Which votes to list.
#[derive(Debug, Clone, Default)]
pub struct VoteQuery {
    /// Only on this proposal.
    pub proposal_id: Option<i64>,
    /// Only this voter's.
    pub voter: Option<String>,
    /// Only votes cast at or after this block.
    pub from_block: Option<i64>,
    /// Only votes cast at or before this block.
    pub to_block: Option<i64>,
    /// After this (block, event index).
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRow {
    /// Proposal id.
    pub proposal_id: i64,
    /// Voter, H160 hex.
    pub voter: String,
    /// `For`, `Against` or `Abstain`.
    pub support: String,
    /// Weight counted, decimal.
    pub weight: String,
    /// The voter's reason.
    pub reason: Option<String>,
    /// Who relayed a signed ballot.
    pub relayer: Option<String>,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// A member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// Address, H160 hex.
    pub address: String,
    /// Weight from the member's own active contributions, decimal.
    pub own_weight: String,
    /// Current voting weight (own unless delegated, plus what is delegated to it), decimal.
    pub votes: String,
    /// Delegate, when delegated to another account.
    pub delegate: Option<String>,
    /// Block of the last change.
    pub updated_at: i64,
    /// The Substrate account id behind the address (0x-hex), when the indexer recorded it.
    pub account_id: Option<String>,
}

/// Which contributions to list.
#[derive(Debug, Clone, Default)]
pub struct ContributionQuery {
    /// Only this contributor's.
    pub contributor: Option<String>,
    /// Only this category.
    pub category: Option<i64>,
    /// Only this status (`pending`, `active`, `revoked`, `expired`).
    pub status: Option<String>,
    /// After this id.
    pub after: Option<i64>,
    /// Most rows.
    pub limit: i64,
}

/// A contribution with its attestations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRow {
    /// Id (in recording order).
    pub id: i64,
    /// Contributor, H160 hex.
    pub contributor: String,
    /// Category id.
    pub category: i64,
    /// Evidence hash.
    pub evidence: String,
    /// `pending`, `active`, `revoked` or `expired`.
    pub status: String,
    /// Weight granted at activation, decimal.
    pub weight: String,
    /// Attestation count.
    pub attestations: i64,
    /// Expiry block once active.
    pub expires_at: Option<i64>,
    /// Block recorded.
    pub recorded_at: i64,
    /// (attestor, block), in attestation order.
    pub attestors: Vec<(String, i64)>,
}

/// A delegation change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRow {
    /// Delegator.
    pub delegator: String,
    /// Previous delegate.
    pub from_delegate: String,
    /// New delegate (the delegator itself when undelegating).
    pub to_delegate: String,
    /// Weight moved, decimal.
    pub weight: String,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Only this event label.
    pub name: Option<String>,
    /// Only this contract's.
    pub contract: Option<String>,
    /// Only events at or after this block.
    pub from_block: Option<i64>,
    /// Only events at or before this block.
    pub to_block: Option<i64>,
    /// After this (block, event index).
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A stored event with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Block number.
    pub block: i64,
    /// Block hash.
    pub block_hash: String,
    /// The event.
    pub event: RawEvent,
}

/// Connection pool figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Open connections.
    pub size: u32,
    /// Idle connections.
    pub idle: usize,
    /// Most connections.
    pub max: u32,
}

impl Store {
    /// Succeeds when the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// The connection pool's figures.
    pub fn pool_stats(&self) -> PoolStats {
        on_pool!(self, pool => PoolStats {
            size: pool.size(),
            idle: pool.num_idle(),
            max: pool.options().get_max_connections(),
        })
    }

    /// The deployment's contracts the indexer watches, by role.
    pub async fn contracts(&self) -> Result<Vec<crate::ContractRow>> {
        let sql = "SELECT address, role, artifact, block FROM contracts ORDER BY role";
        let rows: Vec<(String, String, String, i64)> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(address, role, artifact, block)| crate::ContractRow {
                address,
                role,
                artifact,
                block,
            })
            .collect())
    }

    /// The first block whose events were stored with a time at or after `ms` (milliseconds
    /// since the Unix epoch), `None` when no stored event is that late.
    pub async fn first_block_from(&self, ms: i64) -> Result<Option<i64>> {
        let sql = "SELECT min(block) FROM raw_events WHERE time >= $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).bind(ms).fetch_one(pool).await?))
    }

    /// The last block whose events were stored with a time at or before `ms`, `None` when
    /// no stored event is that early.
    pub async fn last_block_until(&self, ms: i64) -> Result<Option<i64>> {
        let sql = "SELECT max(block) FROM raw_events WHERE time <= $1";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).bind(ms).fetch_one(pool).await?))
    }

    /// A page of proposals in creation order (block, event index).
    pub async fn proposals(&self, q: &ProposalQuery) -> Result<Vec<ProposalRow>> {
        let mut w = Where::default();
        w.eq_text("p.proposer", q.proposer.as_deref());
        w.eq_text("s.status", q.status.as_deref());
        if let Some((phase, at)) = q.phase {
            let p = w.next(Bind::Int(at));
            w.conditions.push(match phase {
                Phase::BeforeSnapshot => format!("{p} <= s.snapshot"),
                Phase::Voting => format!("{p} > s.snapshot AND {p} <= s.vote_end"),
                Phase::Ended => format!("{p} > s.vote_end"),
            });
        }
        w.range("p.block", q.from_block, q.to_block);
        w.after_pair("p.block", "p.event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "{PROPOSAL_SELECT} {} ORDER BY p.block, p.event_index LIMIT {limit}",
            w.sql()
        );
        let rows: Vec<ProposalTuple> = on_pool!(self, pool => {
            let rows = bind_all!(sqlx::query(&sql), &w.binds).fetch_all(pool).await?;
            rows.iter().map(proposal_tuple).collect::<std::result::Result<_, sqlx::Error>>()?
        });
        rows.into_iter().map(proposal_from).collect()
    }

    /// One proposal.
    pub async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>> {
        let sql = format!("{PROPOSAL_SELECT} WHERE p.id = $1");
        let row: Option<ProposalTuple> = on_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(proposal_tuple).transpose()?
        });
        row.map(proposal_from).transpose()
    }

    /// A proposal's lifecycle events in chain order.
    pub async fn proposal_timeline(&self, id: i64) -> Result<Vec<TimelineEntry>> {
        let sql = "SELECT block, event_index, kind FROM proposal_events WHERE proposal_id = $1 ORDER BY block, event_index";
        let rows: Vec<(i64, i64, String)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(block, event_index, kind)| TimelineEntry {
                block,
                event_index,
                kind,
            })
            .collect())
    }

    /// An account's voting weight at block `block` (its last checkpoint at or before it),
    /// decimal; `None` when it has no checkpoint by then.
    pub async fn weight_at(&self, account: &str, block: i64) -> Result<Option<String>> {
        let sql = "SELECT value FROM weight_checkpoints WHERE account = $1 AND block <= $2 ORDER BY block DESC LIMIT 1";
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as(sql).bind(account).bind(block).fetch_optional(pool).await?);
        Ok(row.map(|r| r.0))
    }

    /// The total weight at block `block`, decimal; `None` before the first checkpoint.
    pub async fn total_weight_at(&self, block: i64) -> Result<Option<String>> {
        let sql =
            "SELECT value FROM total_checkpoints WHERE block <= $1 ORDER BY block DESC LIMIT 1";
        let row: Option<(String,)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(block).fetch_optional(pool).await?);
        Ok(row.map(|r| r.0))
    }

    /// The governor's settings as last changed by an event, if any was indexed.
    pub async fn governor_settings(&self) -> Result<Option<GovernorSettings>> {
        let sql = "SELECT settings FROM governor_settings WHERE id = 1";
        let row: Option<(String,)> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await?);
        match row {
            Some((json,)) => match serde_json::from_str(&json)? {
                atelier_types::Event::GovernorSettingsChanged { settings } => Ok(Some(settings)),
                _ => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// A page of votes in chain order.
    pub async fn votes(&self, q: &VoteQuery) -> Result<Vec<VoteRow>> {
        let mut w = Where::default();
        w.eq_int("proposal_id", q.proposal_id);
        w.eq_text("voter", q.voter.as_deref());
        w.range("block", q.from_block, q.to_block);
        w.after_pair("block", "event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT proposal_id, voter, support, weight, reason, relayer, block, event_index FROM votes {} \
             ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| VoteRow {
                proposal_id: r.0,
                voter: r.1,
                support: r.2,
                weight: r.3,
                reason: r.4,
                relayer: r.5,
                block: r.6,
                event_index: r.7,
            })
            .collect())
    }

    /// A page of members by address.
    pub async fn members(&self, after: Option<&str>, limit: i64) -> Result<Vec<MemberRow>> {
        let mut w = Where::default();
        if let Some(a) = after {
            let p = w.next(Bind::Text(a.to_owned()));
            w.conditions.push(format!("m.address > {p}"));
        }
        let limit = w.next(Bind::Int(limit));
        let sql = format!(
            "SELECT m.address, own_weight, votes, delegate, updated_at, a.account_id FROM members m \
             LEFT JOIN accounts a ON a.address = m.address {} ORDER BY m.address LIMIT {limit}",
            w.sql()
        );
        let rows: Vec<MemberTuple> = on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows.into_iter().map(member_from).collect())
    }

    /// One member.
    pub async fn member(&self, address: &str) -> Result<Option<MemberRow>> {
        let sql = "SELECT m.address, own_weight, votes, delegate, updated_at, a.account_id FROM members m \
                   LEFT JOIN accounts a ON a.address = m.address WHERE m.address = $1";
        let row: Option<MemberTuple> = on_pool!(self, pool =>
            sqlx::query_as(sql).bind(address).fetch_optional(pool).await?);
        Ok(row.map(member_from))
    }

    /// A page of contributions by id, each with its attestations.
    pub async fn contributions(&self, q: &ContributionQuery) -> Result<Vec<ContributionRow>> {
        let mut w = Where::default();
        w.eq_text("contributor", q.contributor.as_deref());
        w.eq_int("category", q.category);
        w.eq_text("status", q.status.as_deref());
        if let Some(a) = q.after {
            let p = w.next(Bind::Int(a));
            w.conditions.push(format!("id > {p}"));
        }
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT id, contributor, category, evidence, status, weight, attestations, expires_at, recorded_at \
             FROM contributions {} ORDER BY id LIMIT {limit}",
            w.sql()
        );
        type Row = (
            i64,
            String,
            i64,
            String,
            String,
            String,
            i64,
            Option<i64>,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        let mut out: Vec<ContributionRow> = rows
            .into_iter()
            .map(|r| ContributionRow {
                id: r.0,
                contributor: r.1,
                category: r.2,
                evidence: r.3,
                status: r.4,
                weight: r.5,
                attestations: r.6,
                expires_at: r.7,
                recorded_at: r.8,
                attestors: Vec::new(),
            })
            .collect();
        if let (Some(first), Some(last)) = (out.first(), out.last()) {
            // The page's ids are a sorted range; one range read fetches their attestations.
            let sql = "SELECT contribution_id, attestor, block FROM attestations \
                       WHERE contribution_id >= $1 AND contribution_id <= $2 ORDER BY contribution_id, block, attestor";
            let (lo, hi) = (first.id, last.id);
            let att: Vec<(i64, String, i64)> = on_pool!(self, pool =>
                sqlx::query_as(sql).bind(lo).bind(hi).fetch_all(pool).await?);
            for (id, attestor, block) in att {
                if let Ok(i) = out.binary_search_by_key(&id, |c| c.id) {
                    out[i].attestors.push((attestor, block));
                }
            }
        }
        Ok(out)
    }

    /// A page of the attestations an account made, by (block, contribution id):
    /// `(contribution id, block)`.
    pub async fn attestations_by(
        &self,
        attestor: &str,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<(i64, i64)>> {
        let mut w = Where::default();
        w.eq_text("attestor", Some(attestor));
        w.after_pair("block", "contribution_id", after);
        let limit = w.next(Bind::Int(limit));
        let sql = format!(
            "SELECT contribution_id, block FROM attestations {} ORDER BY block, contribution_id LIMIT {limit}",
            w.sql()
        );
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }

    /// A page of the delegation changes an account made or received, in chain order.
    pub async fn delegations(
        &self,
        account: &str,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<DelegationRow>> {
        let mut w = Where::default();
        let p = w.next(Bind::Text(account.to_owned()));
        w.conditions.push(format!(
            "(delegator = {p} OR to_delegate = {p} OR from_delegate = {p})"
        ));
        w.after_pair("block", "event_index", after);
        let limit = w.next(Bind::Int(limit));
        let sql = format!(
            "SELECT delegator, from_delegate, to_delegate, weight, block, event_index FROM delegations {} \
             ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        let rows: Vec<(String, String, String, String, i64, i64)> = on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| DelegationRow {
                delegator: r.0,
                from_delegate: r.1,
                to_delegate: r.2,
                weight: r.3,
                block: r.4,
                event_index: r.5,
            })
            .collect())
    }

    /// A page of scored works, best quality first (ties by id), after `(quality, id)`.
    /// Works flagged as spam are left out unless `include_spam`.
    pub async fn ranked_works(
        &self,
        after: Option<(f64, i64)>,
        include_spam: bool,
        limit: i64,
    ) -> Result<Vec<(Work, CurationScore)>> {
        let mut w = Where::default();
        if !include_spam {
            w.conditions.push("s.is_spam = FALSE".into());
        }
        if let Some((q, id)) = after {
            let pq = w.next(Bind::Real(q));
            let pi = w.next(Bind::Int(id));
            w.conditions.push(format!(
                "(s.quality < {pq} OR (s.quality = {pq} AND s.work_id > {pi}))"
            ));
        }
        let limit = w.next(Bind::Int(limit));
        let sql = format!(
            "SELECT w.id, w.creator, w.title, w.prompt, w.description, w.tags, w.image_hash, w.block, w.event_index, \
             s.originality, s.near_duplicate, s.copy_of, s.nearest, s.nearest_cosine, s.style, s.spam, s.is_spam, \
             s.quality, s.components, s.model_id \
             FROM curation_scores s JOIN works w ON w.id = s.work_id {} ORDER BY s.quality DESC, s.work_id LIMIT {limit}",
            w.sql()
        );
        type Row = (
            crate::WorkTuple,
            (
                f64,
                bool,
                Option<i64>,
                Option<i64>,
                Option<f64>,
                Option<String>,
            ),
            (f64, bool, f64, String, String),
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            let rows = bind_all!(sqlx::query(&sql), &w.binds).fetch_all(pool).await?;
            rows.iter().map(|r| {
                use sqlx::Row as _;
                Ok::<_, sqlx::Error>((
                    (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?, r.try_get(7)?, r.try_get(8)?),
                    (r.try_get(9)?, r.try_get(10)?, r.try_get(11)?, r.try_get(12)?, r.try_get(13)?, r.try_get(14)?),
                    (r.try_get(15)?, r.try_get(16)?, r.try_get(17)?, r.try_get(18)?, r.try_get(19)?),
                ))
            }).collect::<std::result::Result<_, _>>()?
        });
        rows.into_iter()
            .map(|(wt, a, b)| {
                let work = crate::work_from(wt)?;
                let score = CurationScore {
                    work_id: work.id,
                    originality: a.0,
                    near_duplicate: a.1,
                    copy_of: a.2,
                    nearest: a.3,
                    nearest_cosine: a.4,
                    style: a.5,
                    spam: b.0,
                    is_spam: b.1,
                    quality: b.2,
                    components: b.3,
                    model_id: b.4,
                };
                Ok((work, score))
            })
            .collect()
    }

    /// A page of stored events in chain order, with their block hashes.
    pub async fn events(&self, q: &EventQuery) -> Result<Vec<StoredEvent>> {
        let mut w = Where::default();
        w.eq_text("name", q.name.as_deref());
        w.eq_text("contract", q.contract.as_deref());
        w.range("block", q.from_block, q.to_block);
        w.after_pair("block", "event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT block, block_hash, event_index, contract, name, topics, data, decoded FROM raw_events {} \
             ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        type Row = (
            i64,
            String,
            i64,
            String,
            Option<String>,
            String,
            String,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(StoredEvent {
                    block: r.0,
                    block_hash: r.1,
                    event: RawEvent {
                        event_index: r.2,
                        contract: r.3,
                        name: r.4,
                        topics: serde_json::from_str(&r.5)?,
                        data: r.6,
                        event: r.7.map(|j| serde_json::from_str(&j)).transpose()?,
                    },
                })
            })
            .collect()
    }
}

type MemberTuple = (String, String, String, Option<String>, i64, Option<String>);

fn member_from(r: MemberTuple) -> MemberRow {
    MemberRow {
        address: r.0,
        own_weight: r.1,
        votes: r.2,
        delegate: r.3,
        updated_at: r.4,
        account_id: r.5,
    }
}

/// Reads a proposal row by position (the tuple is wider than `FromRow` tuples go).
fn proposal_tuple<R>(r: &R) -> std::result::Result<ProposalTuple, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
        ),
        (
            r.try_get(6)?,
            r.try_get(7)?,
            r.try_get(8)?,
            r.try_get(9)?,
            r.try_get(10)?,
            r.try_get(11)?,
            r.try_get(12)?,
            r.try_get(13)?,
        ),
        (r.try_get(14)?, r.try_get(15)?, r.try_get(16)?),
        (
            r.try_get(17)?,
            r.try_get(18)?,
            r.try_get(19)?,
            r.try_get(20)?,
        ),
    ))
}

// After the helpers and macros above, which it uses.
mod funds;
pub use funds::*;
