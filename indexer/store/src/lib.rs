//! Atelier's store: one repository API over SQLite (embedded, the default) and PostgreSQL,
//! with migrations per backend (`migrations/sqlite`, `migrations/postgres`).
//!
//! So far it holds what the worker reads and writes: proposals and registered works as the
//! indexer mirrors them, summaries, curation scores and recorded failures. Every write is
//! idempotent by its natural key, so replaying a block or re-running the worker changes
//! nothing. The store knows SQL, never the chain client or HTTP.
//!
//! The read side the API serves from (filtered, keyset-paginated lists and point reads) is in
//! [`read`]; it never writes.

use sqlx::{PgPool, SqlitePool};

pub mod open;
pub use open::{causes, describe, no_postgres};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL is not `sqlite:...` or `postgres://...`.
    #[error(
        "unsupported database URL `{0}`: use sqlite://PATH, sqlite::memory: or postgres://..."
    )]
    Url(String),
    /// Opening (connecting to and migrating) the database failed; `what` says which
    /// database without credentials ([`describe`]).
    #[error("cannot open {what}")]
    Open {
        /// The database, as [`describe`] names it.
        what: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// The lock that serialises migrations of a SQLite file could not be taken.
    #[error("cannot lock {path}")]
    Lock {
        /// The lock file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A database error.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON column does not parse.
    #[error("stored JSON does not parse: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored amount is not a u128, or a running total would leave the u128 range (the
    /// events disagree with what is stored).
    #[error("stored amount {0}")]
    Amount(String),
    /// A value from an event does not fit its column.
    #[error("{0}")]
    Range(String),
}

/// `stored + delta` for a decimal-string amount.
fn add(stored: &str, delta: u128) -> Result<String> {
    let v: u128 = stored
        .parse()
        .map_err(|_| Error::Amount(format!("`{stored}` is not a u128")))?;
    v.checked_add(delta)
        .map(|s| s.to_string())
        .ok_or_else(|| Error::Amount(format!("{stored} + {delta} overflows")))
}

/// `stored - delta` for a decimal-string amount.
fn sub(stored: &str, delta: u128) -> Result<String> {
    let v: u128 = stored
        .parse()
        .map_err(|_| Error::Amount(format!("`{stored}` is not a u128")))?;
    v.checked_sub(delta)
        .map(|s| s.to_string())
        .ok_or_else(|| Error::Amount(format!("{stored} - {delta} is negative")))
}

/// A fund's stored outflow window (JSON, `None` before its first payout) after a payout of
/// `amount` at `block` under an epoch of `epoch_blocks`, as JSON again.
fn outflow_window(
    stored: Option<&str>,
    epoch_blocks: Option<i64>,
    block: i64,
    amount: u128,
) -> Result<String> {
    let window: atelier_types::OutflowWindow = stored
        .map(serde_json::from_str)
        .transpose()?
        .unwrap_or_default();
    let epoch = epoch_blocks
        .and_then(|e| u32::try_from(e).ok())
        .ok_or_else(|| {
            Error::Range(format!(
                "a payout at block {block} before the fund's limits"
            ))
        })?;
    let block = u32::try_from(block).map_err(|_| Error::Range(format!("block {block}")))?;
    let next = window
        .record(epoch, block, amount)
        .ok_or_else(|| Error::Amount(format!("the outflow window overflows at block {block}")))?;
    Ok(serde_json::to_string(&next)?)
}

/// Result type of the store.
pub type Result<T> = std::result::Result<T, Error>;

/// An id from an event as the signed 64-bit integer its column holds; an id beyond
/// `i64::MAX` is an error, never a clamped value.
fn id64(id: u64) -> Result<i64> {
    i64::try_from(id).map_err(|_| Error::Range(format!("id {id} exceeds a 64-bit signed column")))
}

/// Declares a status stored as lowercase TEXT: its variants with their stored names, parsed
/// and printed through `FromStr`/`Display` and decoded by sqlx as a column type.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident, $expected:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name as stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = atelier_types::BadValue;

            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(atelier_types::BadValue { value: s.to_owned(), expected: $expected }),
                }
            }
        }

        atelier_types::text_column!($name);
    };
}

stored_enum!(
    /// A proposal's stored status, as the governor's events left it (its lifecycle state
    /// at a block also depends on the snapshot, the end of voting and the grace period).
    ProposalStatus, "a proposal status (created, queued, executed, canceled)" {
        /// Created; not queued, executed or canceled.
        Created = "created",
        /// Queued behind the timelock.
        Queued = "queued",
        /// Executed.
        Executed = "executed",
        /// Canceled.
        Canceled = "canceled",
    }
);

stored_enum!(
    /// A contribution's stored status.
    ContributionStatus, "a contribution status (pending, active, revoked, expired)" {
        /// Recorded, waiting for attestations.
        Pending = "pending",
        /// Attested; its weight counts.
        Active = "active",
        /// Revoked by governance.
        Revoked = "revoked",
        /// Past its expiry.
        Expired = "expired",
    }
);

stored_enum!(
    /// A spend's stored status (whether an approved spend is payable, scheduled or
    /// expired at a block depends on its window: [`read::SpendRow::state_at`]).
    SpendStatus, "a spend status (approved, paid, voided)" {
        /// Approved, not paid in full.
        Approved = "approved",
        /// Paid in full.
        Paid = "paid",
        /// Voided by the guardian.
        Voided = "voided",
    }
);

/// A proposal as mirrored from the governor's `ProposalCreated`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Proposal {
    /// Proposal id.
    pub id: i64,
    /// Proposer, H160 hex.
    pub proposer: String,
    /// Full description (markdown).
    pub description: String,
    /// keccak-256 of the description, hex.
    pub description_hash: String,
    /// Block of creation.
    pub block: i64,
    /// Event index in the block.
    pub event_index: i64,
}

/// A registered work, as the royalty router's `WorkRegistered` carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// Work id.
    pub id: i64,
    /// Creator, H160 hex.
    pub creator: String,
    /// Title.
    pub title: String,
    /// Generation prompt.
    pub prompt: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Image content hash, hex.
    pub image_hash: Option<String>,
    /// Block of registration.
    pub block: i64,
    /// Event index in the block.
    pub event_index: i64,
}

/// A proposal summary written by the worker.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Summary {
    /// Proposal id.
    pub proposal_id: i64,
    /// Summary text.
    pub text: String,
    /// blake2b-256 of the text, hex.
    pub hash: String,
    /// Model id (name and weights sha256).
    pub model_id: String,
}

/// Curation scores written by the worker.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CurationScore {
    /// Work id.
    pub work_id: i64,
    /// 1 - max cosine to earlier works.
    pub originality: f64,
    /// Near-duplicate flag.
    pub near_duplicate: bool,
    /// The work it copies.
    pub copy_of: Option<i64>,
    /// Most similar earlier work.
    pub nearest: Option<i64>,
    /// Its cosine.
    pub nearest_cosine: Option<f64>,
    /// Style category.
    pub style: Option<String>,
    /// Spam likelihood.
    pub spam: f64,
    /// Spam flag.
    pub is_spam: bool,
    /// Combined quality.
    pub quality: f64,
    /// Every component and reason, JSON.
    pub components: String,
    /// Model id.
    pub model_id: String,
}

/// One stored contract event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// Index of the event in its block.
    pub event_index: i64,
    /// Emitting contract, H160 hex.
    pub contract: String,
    /// Event label, `None` when its topic is not in the metadata.
    pub name: Option<String>,
    /// Topics, 0x-hex.
    pub topics: Vec<String>,
    /// SCALE data, 0x-hex.
    pub data: String,
    /// The event as a domain event, when it decoded as one: stored as JSON in `decoded` and
    /// applied to the derived tables.
    pub event: Option<atelier_types::Event>,
}

/// A block's contract events, stored together with the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEvents {
    /// Block number.
    pub block: i64,
    /// Block hash, 0x-hex.
    pub hash: String,
    /// Its events of the configured contracts.
    pub events: Vec<RawEvent>,
    /// The block's time, milliseconds since the Unix epoch, when known (stored with its
    /// events; time filters read it).
    pub time: Option<i64>,
}

/// A watched contract and the role its deployment gives it (`compute_fund`, ...).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContractRow {
    /// H160, 0x-hex, lower case.
    pub address: String,
    /// Role in the deployment.
    pub role: String,
    /// Artifact it was built from (`treasury`, ...).
    pub artifact: String,
    /// Block of its instantiation.
    pub block: i64,
}

/// The chain head the indexer follows, with the chain's ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChainHead {
    /// Block number.
    pub block: i64,
    /// Block hash, 0x-hex.
    pub hash: String,
    /// `finalized` or `best`.
    pub finality: String,
    /// Genesis hash, 0x-hex.
    pub genesis: String,
    /// pallet-revive's Ethereum chain id, when the runtime declares one.
    pub evm_chain_id: Option<i64>,
}

/// What the worker has done and has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkerCounts {
    /// Proposals stored.
    pub proposals: i64,
    /// Summaries written.
    pub summaries: i64,
    /// Works stored.
    pub works: i64,
    /// Scores written.
    pub scores: i64,
    /// Items recorded as failed.
    pub failures: i64,
}

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same statement on whichever backend the store has. Statements use `$1..$n`
/// placeholders in order of first use, which both SQLite and PostgreSQL accept.
/// Implements `sqlx::FromRow` for both stores' rows (SQLite and PostgreSQL) with one body
/// that reads columns by name: for rows with JSON columns or nested values, which the derive
/// cannot express. `$row` names the row in `$body`.
macro_rules! from_row {
    ($t:ty, |$row:ident| $body:block) => {
        impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for $t {
            fn from_row($row: &'r sqlx::sqlite::SqliteRow) -> sqlx::Result<Self> {
                #[allow(unused_imports)]
                use sqlx::Row as _;
                $body
            }
        }
        impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for $t {
            fn from_row($row: &'r sqlx::postgres::PgRow) -> sqlx::Result<Self> {
                #[allow(unused_imports)]
                use sqlx::Row as _;
                $body
            }
        }
    };
}

/// Parses the JSON text of column `column`; a value that does not parse is a decode error
/// naming the column.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> sqlx::Result<T> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::ColumnDecode {
        index: format!("{column:?}"),
        source: Box::new(e),
    })
}

macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// Applies one domain event to the derived tables inside transaction `$tx`, except royalties,
/// which go to `$royalties` (a [`batch::Royalties`], written by `write_royalties!` before the
/// transaction commits). Amounts are stored as decimal strings. Only events stored for the first time are applied, so every
/// update here runs exactly once per event.
///
/// On PostgreSQL (`$pg`) the frequent events write their rows in one statement each
/// (data-modifying CTEs, exact `numeric` sums), saving a round trip per extra row; SQLite
/// runs in-process, where a statement costs no round trip and `WITH` cannot insert.
macro_rules! apply_event {
    ($tx:expr, $pg:expr, $royalties:expr, $block:expr, $index:expr, $contract:expr, $event:expr) => {{
        use atelier_types::Event as E;
        let pg: bool = $pg;
        let block: i64 = $block;
        let index: i64 = $index;
        let contract: &str = $contract;
        let member = "INSERT INTO members (address, updated_at) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING";
        // A proposal's lifecycle events also go to its timeline.
        let lifecycle = match $event {
            E::ProposalCreated { id, .. } => Some((*id, "ProposalCreated")),
            E::VotingExtended { id, .. } => Some((*id, "VotingExtended")),
            E::ProposalQueued { id, .. } => Some((*id, "ProposalQueued")),
            E::ProposalExecuted { id } => Some((*id, "ProposalExecuted")),
            E::ProposalCanceled { id, .. } => Some((*id, "ProposalCanceled")),
            E::SummaryAttached { id, .. } => Some((*id, "SummaryAttached")),
            E::OptimisticProposed { id, .. } => Some((*id, "OptimisticProposed")),
            E::ProposalEscalated { id, .. } => Some((*id, "ProposalEscalated")),
            _ => None,
        };
        if let Some((id, kind)) = lifecycle {
            sqlx::query("INSERT INTO proposal_events (proposal_id, block, event_index, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(i64::from(id)).bind(block).bind(index).bind(kind).execute(&mut *$tx).await?;
        }
        match $event {
            E::ContributionRecorded { id, contributor, category, evidence } if pg => {
                sqlx::query("WITH c AS (INSERT INTO contributions (id, contributor, category, evidence, status, recorded_at) \
                             VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (id) DO NOTHING) \
                             INSERT INTO members (address, updated_at) VALUES ($2, $5) ON CONFLICT (address) DO NOTHING")
                    .bind(id64(*id)?).bind(contributor).bind(i64::from(*category)).bind(evidence).bind(block)
                    .execute(&mut *$tx).await?;
            }
            E::ContributionRecorded { id, contributor, category, evidence } => {
                sqlx::query("INSERT INTO contributions (id, contributor, category, evidence, status, recorded_at) VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (id) DO NOTHING")
                    .bind(id64(*id)?).bind(contributor).bind(i64::from(*category)).bind(evidence).bind(block)
                    .execute(&mut *$tx).await?;
                sqlx::query(member).bind(contributor).bind(block).execute(&mut *$tx).await?;
            }
            E::ContributionAttested { id, attestor, attestations, .. } if pg => {
                sqlx::query("WITH a AS (INSERT INTO attestations (contribution_id, attestor, block) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING) \
                             UPDATE contributions SET attestations = $4 WHERE id = $1")
                    .bind(id64(*id)?).bind(attestor).bind(block).bind(i64::from(*attestations))
                    .execute(&mut *$tx).await?;
            }
            E::ContributionAttested { id, attestor, attestations, .. } => {
                let id = id64(*id)?;
                sqlx::query("INSERT INTO attestations (contribution_id, attestor, block) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(id).bind(attestor).bind(block).execute(&mut *$tx).await?;
                sqlx::query("UPDATE contributions SET attestations = $1 WHERE id = $2")
                    .bind(i64::from(*attestations)).bind(id).execute(&mut *$tx).await?;
            }
            E::ContributionActivated { id, contributor, weight, expires_at, member_weight, member_expiring } if pg => {
                sqlx::query("WITH c AS (UPDATE contributions SET status = 'active', weight = $1, expires_at = $2 WHERE id = $3) \
                             UPDATE members SET own_weight = $4, own_expiring = $7, updated_at = $5 WHERE address = $6")
                    .bind(weight.0.to_string()).bind(i64::from(*expires_at)).bind(id64(*id)?)
                    .bind(member_weight.0.to_string()).bind(block).bind(contributor)
                    .bind(serde_json::to_string(member_expiring)?)
                    .execute(&mut *$tx).await?;
            }
            E::ContributionActivated { id, contributor, weight, expires_at, member_weight, member_expiring } => {
                sqlx::query("UPDATE contributions SET status = 'active', weight = $1, expires_at = $2 WHERE id = $3")
                    .bind(weight.0.to_string()).bind(i64::from(*expires_at)).bind(id64(*id)?)
                    .execute(&mut *$tx).await?;
                sqlx::query("UPDATE members SET own_weight = $1, own_expiring = $2, updated_at = $3 WHERE address = $4")
                    .bind(member_weight.0.to_string()).bind(serde_json::to_string(member_expiring)?)
                    .bind(block).bind(contributor).execute(&mut *$tx).await?;
            }
            E::ContributionRevoked { id, contributor, member_weight, member_expiring, .. }
            | E::ContributionExpired { id, contributor, member_weight, member_expiring, .. } => {
                let status = if matches!($event, E::ContributionRevoked { .. }) { $crate::ContributionStatus::Revoked } else { $crate::ContributionStatus::Expired };
                sqlx::query("UPDATE contributions SET status = $1 WHERE id = $2")
                    .bind(status).bind(id64(*id)?).execute(&mut *$tx).await?;
                sqlx::query("UPDATE members SET own_weight = $1, own_expiring = $2, updated_at = $3 WHERE address = $4")
                    .bind(member_weight.0.to_string()).bind(serde_json::to_string(member_expiring)?)
                    .bind(block).bind(contributor).execute(&mut *$tx).await?;
            }
            E::DelegateChanged { delegator, from_delegate, to_delegate, weight } => {
                sqlx::query("INSERT INTO delegations (delegator, block, event_index, from_delegate, to_delegate, weight) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
                    .bind(delegator).bind(block).bind(index).bind(from_delegate).bind(to_delegate).bind(weight.0.to_string())
                    .execute(&mut *$tx).await?;
                let to = if to_delegate == delegator { None } else { Some(to_delegate.clone()) };
                sqlx::query("INSERT INTO members (address, delegate, updated_at) VALUES ($1, $2, $3) \
                             ON CONFLICT (address) DO UPDATE SET delegate = excluded.delegate, updated_at = excluded.updated_at")
                    .bind(delegator).bind(to).bind(block).execute(&mut *$tx).await?;
            }
            E::VotesChanged { account, new, block: at, expiring, .. } if pg => {
                sqlx::query("WITH c AS (INSERT INTO weight_checkpoints (account, block, value, expiring) VALUES ($1, $2, $3, $5) \
                             ON CONFLICT (account, block) DO UPDATE SET value = excluded.value, expiring = excluded.expiring) \
                             INSERT INTO members (address, votes, votes_expiring, updated_at) VALUES ($1, $3, $5, $4) \
                             ON CONFLICT (address) DO UPDATE SET votes = excluded.votes, votes_expiring = excluded.votes_expiring, updated_at = excluded.updated_at")
                    .bind(account).bind(i64::from(*at)).bind(new.0.to_string()).bind(block)
                    .bind(serde_json::to_string(expiring)?).execute(&mut *$tx).await?;
            }
            E::VotesChanged { account, new, block: at, expiring, .. } => {
                let expiring = serde_json::to_string(expiring)?;
                sqlx::query("INSERT INTO weight_checkpoints (account, block, value, expiring) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (account, block) DO UPDATE SET value = excluded.value, expiring = excluded.expiring")
                    .bind(account).bind(i64::from(*at)).bind(new.0.to_string()).bind(&expiring).execute(&mut *$tx).await?;
                sqlx::query("INSERT INTO members (address, votes, votes_expiring, updated_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (address) DO UPDATE SET votes = excluded.votes, votes_expiring = excluded.votes_expiring, updated_at = excluded.updated_at")
                    .bind(account).bind(new.0.to_string()).bind(&expiring).bind(block).execute(&mut *$tx).await?;
            }
            E::TotalWeightChanged { new, block: at, expiring, .. } => {
                sqlx::query("INSERT INTO total_checkpoints (block, value, expiring) VALUES ($1, $2, $3) \
                             ON CONFLICT (block) DO UPDATE SET value = excluded.value, expiring = excluded.expiring")
                    .bind(i64::from(*at)).bind(new.0.to_string()).bind(serde_json::to_string(expiring)?).execute(&mut *$tx).await?;
            }
            E::ProposalCreated { id, proposer, actions, description, description_hash, snapshot, vote_end, quorum_bps, grace_period } => {
                let id = i64::from(*id);
                sqlx::query(&format!("INSERT INTO proposals ({PROPOSAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"))
                    .bind(id).bind(proposer).bind(description).bind(description_hash).bind(block).bind(index)
                    .execute(&mut *$tx).await?;
                sqlx::query("INSERT INTO proposal_states (proposal_id, snapshot, vote_end, quorum_bps, actions, status, grace_period) VALUES ($1, $2, $3, $4, $5, 'created', $6) ON CONFLICT (proposal_id) DO NOTHING")
                    .bind(id).bind(i64::from(*snapshot)).bind(i64::from(*vote_end)).bind(i64::from(*quorum_bps))
                    .bind(serde_json::to_string(actions)?).bind(i64::from(*grace_period)).execute(&mut *$tx).await?;
            }
            E::VoteCast { id, voter, support, weight, reason, relayer, tallies } if pg => {
                sqlx::query("WITH v AS (INSERT INTO votes (proposal_id, voter, support, weight, reason, relayer, block, event_index) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING) \
                             UPDATE proposal_states SET for_votes = $9, against_votes = $10, abstain_votes = $11 WHERE proposal_id = $1")
                    .bind(i64::from(*id)).bind(voter).bind(*support).bind(weight.0.to_string()).bind(reason).bind(relayer).bind(block).bind(index)
                    .bind(tallies.0 .0.to_string()).bind(tallies.1 .0.to_string()).bind(tallies.2 .0.to_string())
                    .execute(&mut *$tx).await?;
            }
            E::VoteCast { id, voter, support, weight, reason, relayer, tallies } => {
                let id = i64::from(*id);
                sqlx::query("INSERT INTO votes (proposal_id, voter, support, weight, reason, relayer, block, event_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")
                    .bind(id).bind(voter).bind(*support).bind(weight.0.to_string()).bind(reason).bind(relayer).bind(block).bind(index)
                    .execute(&mut *$tx).await?;
                sqlx::query("UPDATE proposal_states SET for_votes = $1, against_votes = $2, abstain_votes = $3 WHERE proposal_id = $4")
                    .bind(tallies.0 .0.to_string()).bind(tallies.1 .0.to_string()).bind(tallies.2 .0.to_string()).bind(id)
                    .execute(&mut *$tx).await?;
            }
            E::VotingExtended { id, vote_end } => {
                sqlx::query("UPDATE proposal_states SET vote_end = $1 WHERE proposal_id = $2")
                    .bind(i64::from(*vote_end)).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::ProposalQueued { id, eta } => {
                sqlx::query("UPDATE proposal_states SET status = 'queued', eta = $1 WHERE proposal_id = $2")
                    .bind(i64::from(*eta)).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::ProposalExecuted { id } | E::ProposalCanceled { id, .. } => {
                let status = if matches!($event, E::ProposalExecuted { .. }) { $crate::ProposalStatus::Executed } else { $crate::ProposalStatus::Canceled };
                sqlx::query("UPDATE proposal_states SET status = $1 WHERE proposal_id = $2")
                    .bind(status).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::SummaryAttached { id, summary_hash, model_id, .. } => {
                sqlx::query("UPDATE proposal_states SET summary_hash = $1, summary_model = $2 WHERE proposal_id = $3")
                    .bind(summary_hash).bind(model_id).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::OptimisticProposed { id, .. } => {
                sqlx::query("UPDATE proposal_states SET track = 'optimistic' WHERE proposal_id = $1")
                    .bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::ProposalEscalated { id, vote_end, .. } => {
                sqlx::query("UPDATE proposal_states SET escalated = TRUE, vote_end = $1 WHERE proposal_id = $2")
                    .bind(i64::from(*vote_end)).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::SplitChanged { split, .. } | E::SplitFrozen { split } => {
                let frozen = matches!($event, E::SplitFrozen { .. });
                sqlx::query("INSERT INTO router_split (router, compute_bps, reserve_bps, frozen, updated_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (router) DO UPDATE SET compute_bps = excluded.compute_bps, reserve_bps = excluded.reserve_bps, \
                             frozen = (router_split.frozen OR excluded.frozen), updated_at = excluded.updated_at")
                    .bind(contract).bind(i64::from(split.compute_bps)).bind(i64::from(split.reserve_bps)).bind(frozen).bind(block)
                    .execute(&mut *$tx).await?;
            }
            E::WorkRegistered { id, creator, content_hash, creator_bps, metadata, metadata_hash } => {
                sqlx::query("INSERT INTO works (id, creator, title, prompt, description, tags, image_hash, block, event_index, content_hash, creator_bps, metadata_hash) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING")
                    .bind(id64(*id)?).bind(creator).bind(&metadata.title).bind(&metadata.prompt)
                    .bind(&metadata.description).bind(serde_json::to_string(&metadata.tags)?).bind(&metadata.image_hash)
                    .bind(block).bind(index).bind(content_hash).bind(i64::from(*creator_bps)).bind(metadata_hash)
                    .execute(&mut *$tx).await?;
            }
            E::RoyaltyRouted { work, creator, payer, amount, to_creator, to_compute, to_reserve } => {
                // Kept for the end of the transaction: one multi-row insert and one running
                // total per key, however many royalties the batch holds.
                $royalties.push(block, index, contract, *work, creator, payer, [amount.0, to_creator.0, to_compute.0, to_reserve.0])?;
            }
            E::Donated { from, amount } | E::Received { from, amount } => {
                let kind = if matches!($event, E::Donated { .. }) { "donated" } else { "received" };
                sqlx::query("INSERT INTO fund_flows (block, event_index, contract, kind, direction, counterparty, amount) VALUES ($1, $2, $3, $4, 'in', $5, $6) ON CONFLICT DO NOTHING")
                    .bind(block).bind(index).bind(contract).bind(kind).bind(from).bind(amount.0.to_string())
                    .execute(&mut *$tx).await?;
                if kind == "received" {
                    sqlx::query("INSERT INTO funds (address, updated_at) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING")
                        .bind(contract).bind(block).execute(&mut *$tx).await?;
                    let (received, balance): (String, String) = sqlx::query_as("SELECT received, balance FROM funds WHERE address = $1")
                        .bind(contract).fetch_one(&mut *$tx).await?;
                    sqlx::query("UPDATE funds SET received = $1, balance = $2, updated_at = $3 WHERE address = $4")
                        .bind(add(&received, amount.0)?).bind(add(&balance, amount.0)?).bind(block).bind(contract)
                        .execute(&mut *$tx).await?;
                }
            }
            E::Forwarded { fund, amount } => {
                sqlx::query("INSERT INTO fund_flows (block, event_index, contract, kind, direction, counterparty, amount) VALUES ($1, $2, $3, 'forwarded', 'out', $4, $5) ON CONFLICT DO NOTHING")
                    .bind(block).bind(index).bind(contract).bind(fund).bind(amount.0.to_string())
                    .execute(&mut *$tx).await?;
            }
            E::Withdrawn { creator, amount } => {
                sqlx::query("INSERT INTO fund_flows (block, event_index, contract, kind, direction, counterparty, amount) VALUES ($1, $2, $3, 'withdrawn', 'out', $4, $5) ON CONFLICT DO NOTHING")
                    .bind(block).bind(index).bind(contract).bind(creator).bind(amount.0.to_string())
                    .execute(&mut *$tx).await?;
                let withdrawn: Option<(String,)> = sqlx::query_as("SELECT withdrawn FROM royalty_totals WHERE scope = 'creator' AND key = $1")
                    .bind(creator).fetch_optional(&mut *$tx).await?;
                let withdrawn = add(withdrawn.as_ref().map_or("0", |w| w.0.as_str()), amount.0)?;
                sqlx::query("INSERT INTO royalty_totals (scope, key, withdrawn) VALUES ('creator', $1, $2) \
                             ON CONFLICT (scope, key) DO UPDATE SET withdrawn = excluded.withdrawn")
                    .bind(creator).bind(withdrawn).execute(&mut *$tx).await?;
            }
            E::SpendApproved { id, beneficiary, request } => {
                sqlx::query("INSERT INTO spends (fund, id, beneficiary, amount, valid_from, expires_at, purpose_hash, tranches, tranche_interval, datasets, status, block, event_index) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'approved', $11, $12) ON CONFLICT (fund, id) DO NOTHING")
                    .bind(contract).bind(i64::from(*id)).bind(beneficiary).bind(request.amount.0.to_string())
                    .bind(i64::from(request.valid_from)).bind(i64::from(request.expires_at)).bind(&request.purpose_hash)
                    .bind(i64::from(request.tranches)).bind(i64::from(request.tranche_interval))
                    .bind(serde_json::to_string(&request.datasets)?).bind(block).bind(index)
                    .execute(&mut *$tx).await?;
            }
            E::PayoutMade { id, beneficiary, steward, tranche, amount, paid, epoch_outflow } => {
                let spend_id = i64::from(*id);
                sqlx::query("INSERT INTO payouts (block, event_index, fund, spend_id, tranche, beneficiary, steward, amount, paid_total, epoch_outflow) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING")
                    .bind(block).bind(index).bind(contract).bind(spend_id).bind(i64::from(*tranche)).bind(beneficiary).bind(steward)
                    .bind(amount.0.to_string()).bind(paid.0.to_string()).bind(epoch_outflow.0.to_string())
                    .execute(&mut *$tx).await?;
                sqlx::query("INSERT INTO fund_flows (block, event_index, contract, kind, direction, counterparty, amount, spend_id) VALUES ($1, $2, $3, 'payout', 'out', $4, $5, $6) ON CONFLICT DO NOTHING")
                    .bind(block).bind(index).bind(contract).bind(beneficiary).bind(amount.0.to_string()).bind(spend_id)
                    .execute(&mut *$tx).await?;
                // The last tranche pays the spend in full.
                sqlx::query("UPDATE spends SET paid = $1, tranches_paid = $2, status = CASE WHEN $2 >= tranches THEN 'paid' ELSE status END WHERE fund = $3 AND id = $4")
                    .bind(paid.0.to_string()).bind(i64::from(*tranche) + 1).bind(contract).bind(spend_id)
                    .execute(&mut *$tx).await?;
                sqlx::query("INSERT INTO funds (address, updated_at) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING")
                    .bind(contract).bind(block).execute(&mut *$tx).await?;
                let (paid_out, balance, epoch_blocks, window): (String, String, Option<i64>, Option<String>) = sqlx::query_as(
                    "SELECT paid_out, balance, epoch_blocks, outflow_window FROM funds WHERE address = $1")
                    .bind(contract).fetch_one(&mut *$tx).await?;
                // The treasury's rolling window, advanced by its own rule (atelier_types::window).
                let window = $crate::outflow_window(window.as_deref(), epoch_blocks, block, amount.0)?;
                sqlx::query("UPDATE funds SET paid_out = $1, balance = $2, outflow_window = $3, epoch_outflow = $4, updated_at = $5 WHERE address = $6")
                    .bind(add(&paid_out, amount.0)?).bind(sub(&balance, amount.0)?).bind(window).bind(epoch_outflow.0.to_string())
                    .bind(block).bind(contract).execute(&mut *$tx).await?;
            }
            E::SpendVoided { id, by, .. } => {
                sqlx::query("UPDATE spends SET status = 'voided', voided_by = $1 WHERE fund = $2 AND id = $3")
                    .bind(by).bind(contract).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::LimitsChanged { limits } => {
                sqlx::query("INSERT INTO funds (address, outflow_cap, epoch_blocks, updated_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (address) DO UPDATE SET outflow_cap = excluded.outflow_cap, epoch_blocks = excluded.epoch_blocks, updated_at = excluded.updated_at")
                    .bind(contract).bind(limits.outflow_cap.0.to_string()).bind(i64::from(limits.epoch_blocks)).bind(block)
                    .execute(&mut *$tx).await?;
            }
            E::FundGuardianChanged { guardian } => {
                sqlx::query("INSERT INTO funds (address, guardian, updated_at) VALUES ($1, $2, $3) \
                             ON CONFLICT (address) DO UPDATE SET guardian = excluded.guardian, updated_at = excluded.updated_at")
                    .bind(contract).bind(guardian).bind(block).execute(&mut *$tx).await?;
            }
            E::ProvenanceChanged { provenance } => {
                sqlx::query("INSERT INTO funds (address, provenance, updated_at) VALUES ($1, $2, $3) \
                             ON CONFLICT (address) DO UPDATE SET provenance = excluded.provenance, updated_at = excluded.updated_at")
                    .bind(contract).bind(provenance).bind(block).execute(&mut *$tx).await?;
            }
            E::StewardChanged { account, steward } => {
                let sql = if *steward {
                    "INSERT INTO fund_stewards (fund, account, block) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
                } else {
                    "DELETE FROM fund_stewards WHERE fund = $1 AND account = $2 AND $3 >= 0"
                };
                sqlx::query(sql).bind(contract).bind(account).bind(block).execute(&mut *$tx).await?;
            }
            E::AssetRegistered { id, content_hash, asset } => {
                sqlx::query("INSERT INTO assets (id, kind, content_hash, license, registrant, holders, consenting, block, event_index) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING")
                    .bind(i64::from(*id)).bind(format!("{:?}", asset.kind)).bind(content_hash).bind(i64::from(asset.license))
                    .bind(&asset.registrant).bind(serde_json::to_string(&asset.holders)?).bind(i64::from(asset.consenting))
                    .bind(block).bind(index).execute(&mut *$tx).await?;
            }
            E::AssetDisputed { id, claimant, evidence } => {
                sqlx::query("UPDATE assets SET disputed_by = $1, dispute_evidence = $2 WHERE id = $3")
                    .bind(claimant).bind(evidence).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::DisputeResolved { id, holders, .. } => {
                let id = i64::from(*id);
                sqlx::query("UPDATE assets SET disputed_by = NULL, dispute_evidence = NULL WHERE id = $1")
                    .bind(id).execute(&mut *$tx).await?;
                if let Some(holders) = holders {
                    // The asset is the new holders', whose consent starts anew.
                    sqlx::query("UPDATE assets SET holders = $1, consenting = 0 WHERE id = $2")
                        .bind(serde_json::to_string(holders)?).bind(id).execute(&mut *$tx).await?;
                    sqlx::query("DELETE FROM consents WHERE asset_id = $1")
                        .bind(id).execute(&mut *$tx).await?;
                }
            }
            E::WorkReassigned { id, to, .. } => {
                sqlx::query("UPDATE works SET creator = $1 WHERE id = $2")
                    .bind(to).bind(id64(*id)?).execute(&mut *$tx).await?;
            }
            E::ConsentChanged { id, holder, granted, consenting, .. } => {
                sqlx::query("INSERT INTO consents (asset_id, holder, granted, block) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (asset_id, holder) DO UPDATE SET granted = excluded.granted, block = excluded.block")
                    .bind(i64::from(*id)).bind(holder).bind(*granted).bind(block).execute(&mut *$tx).await?;
                sqlx::query("UPDATE assets SET consenting = $1 WHERE id = $2")
                    .bind(i64::from(*consenting)).bind(i64::from(*id)).execute(&mut *$tx).await?;
            }
            E::GovernorSettingsChanged { .. } => {
                sqlx::query("INSERT INTO governor_settings (id, settings, block, event_index) VALUES (1, $1, $2, $3) \
                             ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, block = excluded.block, event_index = excluded.event_index")
                    .bind(serde_json::to_string($event)?).bind(block).bind(index).execute(&mut *$tx).await?;
            }
            // Other configuration events are kept in raw_events; no derived table.
            E::GovernanceSet { .. }
            | E::AttestorAdded { .. }
            | E::AttestorRemoved { .. }
            | E::MembershipSettingsChanged { .. }
            | E::CategorySet { .. }
            | E::AllowlistChanged { .. }
            | E::GuardianChanged { .. }
            | E::SummariserChanged { .. }
            | E::OptimisticSettingsChanged { .. } => {}
        }
    }};
}

/// The store.
pub struct Store {
    pool: Pool,
}

/// Tables derived from events, rebuilt from `raw_events` on a reorg. (`proposals` and
/// `works` are cut back by block instead, with the worker's results for them.)
const DERIVED_TABLES: [&str; 20] = [
    "members",
    "contributions",
    "attestations",
    "delegations",
    "weight_checkpoints",
    "total_checkpoints",
    "proposal_states",
    "proposal_events",
    "votes",
    "funds",
    "fund_stewards",
    "fund_flows",
    "spends",
    "payouts",
    "royalties",
    "royalty_totals",
    "router_split",
    "assets",
    "consents",
    "governor_settings",
];

const PROPOSAL_COLUMNS: &str = "id, proposer, description, description_hash, block, event_index";
const WORK_COLUMNS: &str =
    "id, creator, title, prompt, description, tags, image_hash, block, event_index";

from_row!(Work, |r| {
    let tags: String = r.try_get("tags")?;
    Ok(Work {
        id: r.try_get("id")?,
        creator: r.try_get("creator")?,
        title: r.try_get("title")?,
        prompt: r.try_get("prompt")?,
        description: r.try_get("description")?,
        tags: json_column("tags", &tags)?,
        image_hash: r.try_get("image_hash")?,
        block: r.try_get("block")?,
        event_index: r.try_get("event_index")?,
    })
});

from_row!(RawEvent, |r| {
    let topics: String = r.try_get("topics")?;
    let decoded: Option<String> = r.try_get("decoded")?;
    Ok(RawEvent {
        event_index: r.try_get("event_index")?,
        contract: r.try_get("contract")?,
        name: r.try_get("name")?,
        topics: json_column("topics", &topics)?,
        data: r.try_get("data")?,
        event: decoded.map(|d| json_column("decoded", &d)).transpose()?,
    })
});

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`. Any
    /// number of processes may open the same store at once; one migrates, the others wait
    /// for it (see [`open`]). A failure names the database and says whether waiting may help
    /// ([`Error::is_transient`]).
    ///
    /// # Errors
    /// [`Error::Url`] for an unsupported URL, otherwise [`Error::Open`] with the cause.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = if url.starts_with("sqlite:") {
            open::sqlite(url).await.map(Pool::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            open::postgres(url).await.map(Pool::Postgres)
        } else {
            return Err(Error::Url(url.to_owned()));
        };
        pool.map(|pool| Self { pool })
            .map_err(|source| Error::Open {
                what: describe(url),
                source: Box::new(source),
            })
    }

    /// Closes the store's connections, waiting for those in use to be returned.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Which backend this store uses (`"sqlite"` or `"postgres"`).
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Stores a proposal; a proposal already stored is left as it is.
    pub async fn put_proposal(&self, p: &Proposal) -> Result<bool> {
        let sql = format!(
            "INSERT INTO proposals ({PROPOSAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"
        );
        let done = on_pool!(self, pool => sqlx::query(&sql)
            .bind(p.id).bind(&p.proposer).bind(&p.description).bind(&p.description_hash)
            .bind(p.block).bind(p.event_index)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// Stores a work; a work already stored is left as it is.
    pub async fn put_work(&self, w: &Work) -> Result<bool> {
        let sql = format!(
            "INSERT INTO works ({WORK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING"
        );
        let tags = serde_json::to_string(&w.tags)?;
        let done = on_pool!(self, pool => sqlx::query(&sql)
            .bind(w.id).bind(&w.creator).bind(&w.title).bind(&w.prompt).bind(&w.description)
            .bind(&tags).bind(&w.image_hash).bind(w.block).bind(w.event_index)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// Up to `limit` proposals with neither a summary nor a recorded failure, oldest first.
    pub async fn proposals_without_summary(&self, limit: i64) -> Result<Vec<Proposal>> {
        let sql = format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE NOT EXISTS (SELECT 1 FROM summaries s WHERE s.proposal_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM worker_failures f WHERE f.kind = 'proposal' AND f.item_id = p.id) ORDER BY id LIMIT $1"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?))
    }

    /// Up to `limit` works with neither a score nor a recorded failure, by id.
    pub async fn works_without_score(&self, limit: i64) -> Result<Vec<Work>> {
        let sql = format!(
            "SELECT {WORK_COLUMNS} FROM works w WHERE NOT EXISTS (SELECT 1 FROM curation_scores s WHERE s.work_id = w.id) \
             AND NOT EXISTS (SELECT 1 FROM worker_failures f WHERE f.kind = 'work' AND f.item_id = w.id) ORDER BY id LIMIT $1"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?))
    }

    /// All works that have a score, by id: the history new works are compared with.
    pub async fn scored_works(&self) -> Result<Vec<Work>> {
        let sql = format!(
            "SELECT {WORK_COLUMNS} FROM works w WHERE EXISTS (SELECT 1 FROM curation_scores s WHERE s.work_id = w.id) ORDER BY id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Writes a summary unless one exists; returns whether it was written.
    pub async fn put_summary(&self, s: &Summary) -> Result<bool> {
        let sql = "INSERT INTO summaries (proposal_id, text, hash, model_id) VALUES ($1, $2, $3, $4) ON CONFLICT (proposal_id) DO NOTHING";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(s.proposal_id).bind(&s.text).bind(&s.hash).bind(&s.model_id)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// The summary of a proposal.
    pub async fn summary(&self, proposal_id: i64) -> Result<Option<Summary>> {
        let sql = "SELECT proposal_id, text, hash, model_id FROM summaries WHERE proposal_id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_as(sql).bind(proposal_id).fetch_optional(pool).await?),
        )
    }

    /// Writes curation scores unless they exist; returns whether they were written.
    pub async fn put_score(&self, s: &CurationScore) -> Result<bool> {
        let sql = "INSERT INTO curation_scores (work_id, originality, near_duplicate, copy_of, nearest, nearest_cosine, style, spam, is_spam, quality, components, model_id) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (work_id) DO NOTHING";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(s.work_id).bind(s.originality).bind(s.near_duplicate).bind(s.copy_of).bind(s.nearest)
            .bind(s.nearest_cosine).bind(&s.style).bind(s.spam).bind(s.is_spam).bind(s.quality)
            .bind(&s.components).bind(&s.model_id)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// The curation scores of a work.
    pub async fn score(&self, work_id: i64) -> Result<Option<CurationScore>> {
        let sql = "SELECT work_id, originality, near_duplicate, copy_of, nearest, nearest_cosine, style, spam, is_spam, quality, components, model_id \
                   FROM curation_scores WHERE work_id = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(work_id).fetch_optional(pool).await?))
    }

    /// Records that the worker could not process an item, and why (kept, not retried).
    pub async fn put_failure(&self, kind: &str, item_id: i64, reason: &str) -> Result<bool> {
        let sql = "INSERT INTO worker_failures (kind, item_id, reason) VALUES ($1, $2, $3) ON CONFLICT (kind, item_id) DO NOTHING";
        let done = on_pool!(self, pool => sqlx::query(sql).bind(kind).bind(item_id).bind(reason)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// The recorded failure of an item.
    pub async fn failure(&self, kind: &str, item_id: i64) -> Result<Option<String>> {
        let sql = "SELECT reason FROM worker_failures WHERE kind = $1 AND item_id = $2";
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as(sql).bind(kind).bind(item_id).fetch_optional(pool).await?);
        Ok(row.map(|r| r.0))
    }

    /// Counts of what the worker has done and has left.
    pub async fn worker_counts(&self) -> Result<WorkerCounts> {
        let sql = "SELECT (SELECT COUNT(*) FROM proposals) AS proposals, (SELECT COUNT(*) FROM summaries) AS summaries, \
                   (SELECT COUNT(*) FROM works) AS works, (SELECT COUNT(*) FROM curation_scores) AS scores, \
                   (SELECT COUNT(*) FROM worker_failures) AS failures";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_one(pool).await?))
    }

    /// Stores a block's events and moves the cursor to it, in one transaction: either both
    /// happen or neither. Events already stored (the same block delivered twice) are left as
    /// they are. Returns how many events were new.
    pub async fn apply_block(&self, b: &BlockEvents) -> Result<u64> {
        self.apply_blocks(std::slice::from_ref(b)).await
    }

    /// Records the watched contracts by role (kept up to date: a role moved to another
    /// address is replaced).
    pub async fn put_contracts(&self, contracts: &[ContractRow]) -> Result<()> {
        let sql = "INSERT INTO contracts (address, role, artifact, block) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (address) DO UPDATE SET role = excluded.role, artifact = excluded.artifact, block = excluded.block";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for c in contracts {
                sqlx::query("DELETE FROM contracts WHERE role = $1 AND address <> $2")
                    .bind(&c.role).bind(&c.address).execute(&mut *tx).await?;
                sqlx::query(sql).bind(&c.address).bind(&c.role).bind(&c.artifact).bind(c.block)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records the Substrate account ids behind H160 addresses, `(address, account id,
    /// block)`, 0x-hex; an address already recorded keeps its row.
    ///
    /// # Errors
    /// Database failures.
    pub async fn put_accounts(&self, accounts: &[(String, String, i64)]) -> Result<()> {
        if accounts.is_empty() {
            return Ok(());
        }
        on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO accounts (address, account_id, block) ");
            q.push_values(accounts, |mut v, (address, id, block)| {
                v.push_bind(address).push_bind(id).push_bind(block);
            });
            q.push(" ON CONFLICT (address) DO NOTHING");
            q.build().execute(pool).await?;
        });
        Ok(())
    }

    /// Members whose Substrate account the store does not hold yet.
    ///
    /// # Errors
    /// Database failures.
    pub async fn members_without_account(&self) -> Result<Vec<String>> {
        let sql = "SELECT address FROM members m WHERE NOT EXISTS \
                   (SELECT 1 FROM accounts a WHERE a.address = m.address) ORDER BY address";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).fetch_all(pool).await?))
    }

    /// Records the chain head the indexer last saw.
    pub async fn put_chain_head(&self, head: &ChainHead) -> Result<()> {
        let sql = "INSERT INTO chain_head (id, block, hash, finality, genesis, evm_chain_id) VALUES (1, $1, $2, $3, $4, $5) \
                   ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash, finality = excluded.finality, \
                   genesis = excluded.genesis, evm_chain_id = excluded.evm_chain_id";
        on_pool!(self, pool => {
            sqlx::query(sql).bind(head.block).bind(&head.hash).bind(&head.finality).bind(&head.genesis)
                .bind(head.evm_chain_id).execute(pool).await?;
        });
        Ok(())
    }

    /// The chain head the indexer last saw.
    pub async fn chain_head(&self) -> Result<Option<ChainHead>> {
        let sql =
            "SELECT block, hash, finality, genesis, evm_chain_id FROM chain_head WHERE id = 1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await?))
    }

    /// The cursor: the last fully stored block and its hash.
    pub async fn cursor(&self) -> Result<Option<(i64, String)>> {
        let sql = "SELECT block, hash FROM cursor WHERE id = 1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await?))
    }

    /// Removes everything stored after block `block` (orphaned by a reorg), rebuilds the
    /// derived tables from the events that remain, and sets the cursor to `(block, hash)`,
    /// all in one transaction. Returns how many events were removed.
    pub async fn rollback_to(&self, block: i64, hash: &str) -> Result<u64> {
        let pg = matches!(self.pool, Pool::Postgres(_));
        let removed = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let removed = sqlx::query("DELETE FROM raw_events WHERE block > $1").bind(block).execute(&mut *tx).await?.rows_affected();
            for sql in [
                "DELETE FROM summaries WHERE proposal_id IN (SELECT id FROM proposals WHERE block > $1)",
                "DELETE FROM curation_scores WHERE work_id IN (SELECT id FROM works WHERE block > $1)",
                "DELETE FROM proposals WHERE block > $1",
                "DELETE FROM works WHERE block > $1",
            ] {
                sqlx::query(sql).bind(block).execute(&mut *tx).await?;
            }
            for table in DERIVED_TABLES {
                sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
            }
            let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
                "SELECT block, event_index, contract, decoded FROM raw_events WHERE decoded IS NOT NULL ORDER BY block, event_index",
            )
            .fetch_all(&mut *tx)
            .await?;
            let mut royalties = batch::Royalties::default();
            for (b, i, contract, json) in rows {
                let event: atelier_types::Event = serde_json::from_str(&json)?;
                apply_event!(tx, pg, royalties, b, i, &contract, &event);
            }
            batch::write_royalties!(tx, pg, royalties);
            sqlx::query("UPDATE cursor SET block = $1, hash = $2 WHERE id = 1").bind(block).bind(hash).execute(&mut *tx).await?;
            tx.commit().await?;
            removed
        });
        Ok(removed)
    }

    /// Stored events in chain order (block, event index), from `from_block` on.
    pub async fn events_from(&self, from_block: i64, limit: i64) -> Result<Vec<(i64, RawEvent)>> {
        let sql =
            "SELECT block, block_hash, event_index, contract, name, topics, data, decoded FROM raw_events \
                   WHERE block >= $1 ORDER BY block, event_index LIMIT $2";
        let rows: Vec<read::StoredEvent> = on_pool!(self, pool => sqlx::query_as(sql).bind(from_block).bind(limit).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|e| (e.block, e.event)).collect())
    }

    /// Counts of members, contributions, proposals and votes in the derived tables.
    pub async fn governance_counts(&self) -> Result<(i64, i64, i64, i64)> {
        let sql = "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM contributions), \
                   (SELECT COUNT(*) FROM proposal_states), (SELECT COUNT(*) FROM votes)";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_one(pool).await?))
    }

    /// A member's current voting weight, as a decimal string.
    pub async fn member_votes(&self, address: &str) -> Result<Option<String>> {
        let sql = "SELECT votes FROM members WHERE address = $1";
        let row: Option<(String,)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(address).fetch_optional(pool).await?);
        Ok(row.map(|r| r.0))
    }

    /// A proposal's For / Against / Abstain tallies, as decimal strings.
    pub async fn proposal_tallies(&self, id: i64) -> Result<Option<(String, String, String)>> {
        let sql = "SELECT for_votes, against_votes, abstain_votes FROM proposal_states WHERE proposal_id = $1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
    }

    /// Works by curation quality, best first (for "top works").
    pub async fn top_works(&self, limit: i64) -> Result<Vec<(i64, f64)>> {
        let sql =
            "SELECT work_id, quality FROM curation_scores ORDER BY quality DESC, work_id LIMIT $1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).bind(limit).fetch_all(pool).await?))
    }
}

mod batch;
pub mod read;
