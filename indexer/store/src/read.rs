//! The read side of the store: what the API serves. Every list is a keyset page (`after` the
//! last key of the previous page, `limit` rows) in a stable order, so a page costs the same
//! however deep it is. Nothing here writes.

use atelier_types::{Amount, GovernorSettings, Schedule, StoredAction, Support};

use crate::{
    json_column, ContributionStatus, CurationScore, Pool, ProposalStatus, RawEvent, Result,
    SpendStatus, Store, Summary, Work,
};

/// The value at the end of `block` of a stored weight (`value`, with the expiry schedule JSON
/// `expiring` beside it), by the membership token's own rule (audit L-1 of #16: a
/// contribution stops counting at its expiry block). `column` names the schedule's column in
/// an error.
pub(crate) fn weight_at_block(
    column: &str,
    value: Amount,
    expiring: &str,
    block: i64,
) -> sqlx::Result<Amount> {
    let schedule: Schedule = json_column(column, expiring)?;
    u32::try_from(block)
        .ok()
        .and_then(|b| atelier_types::weight_at(value, &schedule, b))
        .ok_or_else(|| sqlx::Error::ColumnDecode {
            index: format!("{column:?}"),
            source: format!("schedule {expiring} exceeds the weight {value} by block {block}")
                .into(),
        })
}

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
    /// Only this stored status.
    pub status: Option<ProposalStatus>,
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
    /// Quorum in basis points of the total weight at the snapshot (at most 10,000).
    pub quorum_bps: u16,
    /// The actions with their pinned code hashes.
    pub actions: Vec<StoredAction>,
    /// For tally.
    pub for_votes: Amount,
    /// Against tally.
    pub against_votes: Amount,
    /// Abstain tally.
    pub abstain_votes: Amount,
    /// Stored status.
    pub status: ProposalStatus,
    /// Block from which a queued proposal may execute.
    pub eta: Option<i64>,
    /// The summary hash anchored on chain (`SummaryAttached`).
    pub anchored_hash: Option<String>,
    /// The model id anchored with it.
    pub anchored_model: Option<String>,
    /// The worker's summary, if written.
    pub summary: Option<Summary>,
    /// The total weight at the snapshot block (its last checkpoint at or before it);
    /// `None` before the first checkpoint.
    pub total_at_snapshot: Option<Amount>,
    /// The grace period fixed when it was proposed; `None` for rows indexed before the
    /// governor emitted it.
    pub grace_period: Option<i64>,
    /// Whether it is an optimistic grant (`OptimisticProposed`).
    pub optimistic: bool,
    /// Whether objections escalated the optimistic grant to a full vote.
    pub escalated: bool,
}

const PROPOSAL_SELECT: &str = "SELECT p.id, p.proposer, p.description, p.description_hash, p.block, p.event_index, \
     s.snapshot, s.vote_end, s.quorum_bps, s.actions, s.for_votes, s.against_votes, s.abstain_votes, s.status, s.eta, \
     s.grace_period, s.track, s.escalated, \
     s.summary_hash AS anchored_hash, s.summary_model AS anchored_model, \
     m.text AS summary_text, m.hash AS summary_blake2, m.model_id AS summary_model_id, \
     (SELECT t.value FROM total_checkpoints t WHERE t.block <= s.snapshot ORDER BY t.block DESC LIMIT 1) AS total_at_snapshot, \
     (SELECT t.expiring FROM total_checkpoints t WHERE t.block <= s.snapshot ORDER BY t.block DESC LIMIT 1) AS total_expiring \
     FROM proposals p JOIN proposal_states s ON s.proposal_id = p.id LEFT JOIN summaries m ON m.proposal_id = p.id";

from_row!(ProposalRow, |r| {
    let id: i64 = r.try_get("id")?;
    let actions: String = r.try_get("actions")?;
    let summary: (Option<String>, Option<String>, Option<String>) = (
        r.try_get("summary_text")?,
        r.try_get("summary_blake2")?,
        r.try_get("summary_model_id")?,
    );
    Ok(ProposalRow {
        id,
        proposer: r.try_get("proposer")?,
        description: r.try_get("description")?,
        description_hash: r.try_get("description_hash")?,
        block: r.try_get("block")?,
        event_index: r.try_get("event_index")?,
        snapshot: r.try_get("snapshot")?,
        vote_end: r.try_get("vote_end")?,
        quorum_bps: {
            let bps: i64 = r.try_get("quorum_bps")?;
            u16::try_from(bps)
                .ok()
                .filter(|b| *b <= 10_000)
                .ok_or_else(|| sqlx::Error::ColumnDecode {
                    index: "\"quorum_bps\"".into(),
                    source: format!("{bps} is not a quorum in basis points (0..=10000)").into(),
                })?
        },
        actions: json_column("actions", &actions)?,
        for_votes: r.try_get("for_votes")?,
        against_votes: r.try_get("against_votes")?,
        abstain_votes: r.try_get("abstain_votes")?,
        status: r.try_get("status")?,
        eta: r.try_get("eta")?,
        anchored_hash: r.try_get("anchored_hash")?,
        anchored_model: r.try_get("anchored_model")?,
        total_at_snapshot: {
            let value: Option<Amount> = r.try_get("total_at_snapshot")?;
            let expiring: Option<String> = r.try_get("total_expiring")?;
            let snapshot: i64 = r.try_get("snapshot")?;
            match (value, expiring) {
                (Some(v), Some(e)) => Some(weight_at_block("total_expiring", v, &e, snapshot)?),
                (v, _) => v,
            }
        },
        grace_period: r.try_get("grace_period")?,
        optimistic: {
            let track: String = r.try_get("track")?;
            track == "optimistic"
        },
        escalated: r.try_get("escalated")?,
        summary: match summary {
            (Some(text), Some(hash), Some(model_id)) => Some(Summary {
                proposal_id: id,
                text,
                hash,
                model_id,
            }),
            _ => None,
        },
    })
});

/// One step of a proposal's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VoteRow {
    /// Proposal id.
    pub proposal_id: i64,
    /// Voter, H160 hex.
    pub voter: String,
    /// How the vote went.
    pub support: Support,
    /// Weight counted.
    pub weight: Amount,
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    /// Address, H160 hex.
    pub address: String,
    /// Weight from the member's own active contributions at block `updated_at`.
    pub own_weight: Amount,
    /// Voting weight at its last change (own unless delegated, plus what is delegated to
    /// it).
    pub votes: Amount,
    /// The parts of `own_weight` that expire later (JSON of [`Schedule`]).
    pub own_expiring: String,
    /// The parts of `votes` that expire later (JSON of [`Schedule`]).
    pub votes_expiring: String,
    /// Delegate, when delegated to another account.
    pub delegate: Option<String>,
    /// Block of the last change.
    pub updated_at: i64,
    /// The Substrate account id behind the address (0x-hex), when the indexer recorded it.
    pub account_id: Option<String>,
}

impl MemberRow {
    /// The member's own weight and votes at the end of block `block`: what the token's
    /// `weight_of` and `votes` answer then, expired contributions out whether or not anyone
    /// called `expire_contribution`. A block before the row's last change reads as that
    /// change's block (the row holds nothing older).
    ///
    /// # Errors
    /// A stored schedule that is not JSON or exceeds its weight.
    pub fn at(&self, block: i64) -> Result<(Amount, Amount)> {
        let block = block.max(self.updated_at);
        Ok((
            weight_at_block(
                "members.own_expiring",
                self.own_weight,
                &self.own_expiring,
                block,
            )?,
            weight_at_block(
                "members.votes_expiring",
                self.votes,
                &self.votes_expiring,
                block,
            )?,
        ))
    }
}

/// Which contributions to list.
#[derive(Debug, Clone, Default)]
pub struct ContributionQuery {
    /// Only this contributor's.
    pub contributor: Option<String>,
    /// Only this category.
    pub category: Option<i64>,
    /// Only this status.
    pub status: Option<ContributionStatus>,
    /// After this id.
    pub after: Option<i64>,
    /// Most rows.
    pub limit: i64,
}

/// A contribution with its attestations.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContributionRow {
    /// Id (in recording order).
    pub id: i64,
    /// Contributor, H160 hex.
    pub contributor: String,
    /// Category id.
    pub category: i64,
    /// Evidence hash.
    pub evidence: String,
    /// Stored status.
    pub status: ContributionStatus,
    /// Weight granted at activation.
    pub weight: Amount,
    /// Attestation count.
    pub attestations: i64,
    /// Expiry block once active.
    pub expires_at: Option<i64>,
    /// Block recorded.
    pub recorded_at: i64,
    /// (attestor, block), in attestation order.
    #[sqlx(skip)]
    pub attestors: Vec<(String, i64)>,
}

/// A delegation change.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DelegationRow {
    /// Delegator.
    pub delegator: String,
    /// Previous delegate.
    pub from_delegate: String,
    /// New delegate (the delegator itself when undelegating).
    pub to_delegate: String,
    /// Weight moved.
    pub weight: Amount,
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
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?))
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
        w.eq_text("s.status", q.status.map(ProposalStatus::as_str));
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }

    /// One proposal.
    pub async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>> {
        let sql = format!("{PROPOSAL_SELECT} WHERE p.id = $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// A proposal's lifecycle events in chain order.
    pub async fn proposal_timeline(&self, id: i64) -> Result<Vec<TimelineEntry>> {
        let sql = "SELECT block, event_index, kind FROM proposal_events WHERE proposal_id = $1 ORDER BY block, event_index";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// An account's voting weight at the end of block `block`: its last checkpoint at or
    /// before it, less what that checkpoint's schedule says expired by `block` (the token's
    /// `weight_at`); `None` when it has no checkpoint by then.
    pub async fn weight_at(&self, account: &str, block: i64) -> Result<Option<Amount>> {
        let sql = "SELECT value, expiring FROM weight_checkpoints WHERE account = $1 AND block <= $2 ORDER BY block DESC LIMIT 1";
        let row: Option<(Amount, String)> = on_pool!(self, pool =>
            sqlx::query_as(sql).bind(account).bind(block).fetch_optional(pool).await?);
        Ok(row
            .map(|(v, e)| weight_at_block("weight_checkpoints.expiring", v, &e, block))
            .transpose()?)
    }

    /// The total weight at the end of block `block` (the token's `total_weight_at`);
    /// `None` before the first checkpoint.
    pub async fn total_weight_at(&self, block: i64) -> Result<Option<Amount>> {
        let sql = "SELECT value, expiring FROM total_checkpoints WHERE block <= $1 ORDER BY block DESC LIMIT 1";
        let row: Option<(Amount, String)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(block).fetch_optional(pool).await?);
        Ok(row
            .map(|(v, e)| weight_at_block("total_checkpoints.expiring", v, &e, block))
            .transpose()?)
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
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
            "SELECT m.address, own_weight, votes, own_expiring, votes_expiring, delegate, updated_at, a.account_id FROM members m \
             LEFT JOIN accounts a ON a.address = m.address {} ORDER BY m.address LIMIT {limit}",
            w.sql()
        );
        Ok(on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }

    /// One member.
    pub async fn member(&self, address: &str) -> Result<Option<MemberRow>> {
        let sql = "SELECT m.address, own_weight, votes, own_expiring, votes_expiring, delegate, updated_at, a.account_id FROM members m \
                   LEFT JOIN accounts a ON a.address = m.address WHERE m.address = $1";
        Ok(on_pool!(self, pool =>
            sqlx::query_as(sql).bind(address).fetch_optional(pool).await?))
    }

    /// A page of contributions by id, each with its attestations.
    pub async fn contributions(&self, q: &ContributionQuery) -> Result<Vec<ContributionRow>> {
        let mut w = Where::default();
        w.eq_text("contributor", q.contributor.as_deref());
        w.eq_int("category", q.category);
        w.eq_text("status", q.status.map(ContributionStatus::as_str));
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
        let mut out: Vec<ContributionRow> = on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
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
        Ok(on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
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
             s.work_id, s.originality, s.near_duplicate, s.copy_of, s.nearest, s.nearest_cosine, s.style, s.spam, s.is_spam, \
             s.quality, s.components, s.model_id \
             FROM curation_scores s JOIN works w ON w.id = s.work_id {} ORDER BY s.quality DESC, s.work_id LIMIT {limit}",
            w.sql()
        );
        /// A work with its scores: one row of the join.
        #[derive(sqlx::FromRow)]
        struct Ranked {
            #[sqlx(flatten)]
            work: Work,
            #[sqlx(flatten)]
            score: CurationScore,
        }
        let rows: Vec<Ranked> = on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|r| (r.work, r.score)).collect())
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }
}

from_row!(StoredEvent, |r| {
    Ok(StoredEvent {
        block: r.try_get("block")?,
        block_hash: r.try_get("block_hash")?,
        event: sqlx::FromRow::from_row(r)?,
    })
});

// After the helpers and macros above, which it uses.
mod assets;
mod funds;
pub use assets::*;
pub use funds::*;
