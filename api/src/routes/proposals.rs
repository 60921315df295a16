//! `/proposals`: proposals with their state, tallies, quorum, timeline and summary.

use atelier_store::{
    read::{Phase, ProposalQuery, ProposalRow},
    ProposalStatus,
};
use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{head_block, Position};
use crate::{
    error::{ApiError, ApiResult},
    extract::{address, ApiPath, ApiQuery},
    page, AppState,
};

/// The proposal routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals", get(list))
        .route("/proposals/{id}", get(one))
}

/// A proposal's lifecycle state, derived as the governor derives it, at the indexer head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    /// Created; voting opens after the snapshot block.
    Pending,
    /// Voting is open.
    Active,
    /// Canceled by its proposer or the guardian.
    Canceled,
    /// Voting ended without quorum or with no more For than Against.
    Defeated,
    /// Voting ended in favour; may be queued.
    Succeeded,
    /// Queued behind the timelock.
    Queued,
    /// Not queued within its grace period after voting ended, or queued but not executed
    /// within it after its eta.
    Expired,
    /// Executed.
    Executed,
}

impl From<atelier_abi::governor::ProposalState> for ProposalState {
    /// The governor's own state, as the API names it: the match covers every state the
    /// contract declares, so a state added to the governor breaks the build here.
    fn from(s: atelier_abi::governor::ProposalState) -> Self {
        use atelier_abi::governor::ProposalState as G;
        match s {
            G::Pending => Self::Pending,
            G::Active => Self::Active,
            G::Canceled => Self::Canceled,
            G::Defeated => Self::Defeated,
            G::Succeeded => Self::Succeeded,
            G::Queued => Self::Queued,
            G::Expired => Self::Expired,
            G::Executed => Self::Executed,
        }
    }
}

/// Vote tallies, decimal strings.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tallies {
    /// For.
    #[serde(rename = "for")]
    pub for_votes: String,
    /// Against.
    pub against: String,
    /// Abstain.
    pub abstain: String,
}

/// Quorum of a proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct Quorum {
    /// Quorum in basis points of the total weight at the snapshot.
    pub bps: i64,
    /// Total weight at the snapshot, decimal; `null` before the snapshot is indexed.
    pub total_weight: Option<String>,
    /// Weight For + Abstain must reach (rounded up), decimal; `null` when unknown.
    pub required: Option<String>,
    /// Whether For + Abstain reach it.
    pub reached: bool,
}

/// The worker's summary and what is anchored on chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDto {
    /// Summary text written by the worker; `null` when not written yet.
    pub text: Option<String>,
    /// blake2b-256 of the text.
    pub hash: Option<String>,
    /// Model id of the worker's summary.
    pub model_id: Option<String>,
    /// Whether a summary hash is anchored on chain (`SummaryAttached`).
    pub anchored: bool,
    /// The anchored hash.
    pub anchored_hash: Option<String>,
    /// The anchored model id.
    pub anchored_model_id: Option<String>,
    /// Whether the anchored hash is the worker's summary hash; `null` when either is missing.
    pub matches_anchor: Option<bool>,
}

/// Blocks of a proposal's life.
#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    /// Block of creation.
    pub created: i64,
    /// Snapshot block: weights are read there; voting opens after it.
    pub snapshot: i64,
    /// Last block of voting.
    pub vote_end: i64,
    /// Block from which a queued proposal may execute.
    pub eta: Option<i64>,
    /// Lifecycle events in chain order (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<TimelineEvent>>,
}

/// One lifecycle event.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEvent {
    /// `ProposalCreated`, `VotingExtended`, `ProposalQueued`, `ProposalExecuted`,
    /// `ProposalCanceled` or `SummaryAttached`.
    pub kind: String,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// An action of a proposal with the code hash pinned at propose time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDto {
    /// Target contract, H160 hex.
    pub target: String,
    /// Selector, 0x-hex.
    pub selector: String,
    /// SCALE-encoded arguments, 0x-hex.
    pub input: String,
    /// Value sent, decimal.
    pub value: String,
    /// Code hash of the target pinned at propose time.
    pub code_hash: String,
    /// The call as the target's message (label and arguments), when the indexer knows the
    /// target's metadata; `null` for a target outside the deployment.
    pub call: Option<CallDto>,
}

/// An action's call, decoded by the indexer from the target contract's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDto {
    /// The target's contract name (`treasury`, `membership`, `governor`, ...).
    pub contract: String,
    /// Message label (`approve_spend`, `set_settings`, ...).
    pub message: String,
    /// Arguments by name: byte arrays 0x-hex, numbers above 2^53 as strings, enums as
    /// `{ "Variant": value }`.
    #[schema(value_type = Object)]
    pub args: serde_json::Map<String, serde_json::Value>,
}

/// A proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDto {
    /// Proposal id.
    pub id: i64,
    /// Proposer, H160 hex.
    pub proposer: String,
    /// State at the indexer head.
    pub state: ProposalState,
    /// The description's first heading or line.
    pub title: String,
    /// keccak-256 of the description.
    pub description_hash: String,
    /// Full description (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tallies.
    pub tallies: Tallies,
    /// Quorum.
    pub quorum: Quorum,
    /// Timeline.
    pub timeline: Timeline,
    /// Actions (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<ActionDto>>,
    /// Summary.
    pub summary: SummaryDto,
    /// Where it was created.
    pub position: super::Position,
}

page::page_type!(ProposalPage, ProposalDto, "proposals");

/// Filters of `/proposals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only proposals in this state.
    pub state: Option<ProposalState>,
    /// Only this proposer's (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub proposer: Option<String>,
    /// Only items at or after this block.
    pub from_block: Option<u32>,
    /// Only items at or before this block.
    pub to_block: Option<u32>,
    /// Only items at or after this time: RFC 3339 (`2026-11-01T12:00:00Z`) or Unix seconds.
    pub from_time: Option<String>,
    /// Only items at or before this time: RFC 3339 or Unix seconds.
    pub to_time: Option<String>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// The indexer head the states are derived at.
struct Context {
    head: i64,
}

/// `ceil(total * bps / 10000)` without overflow.
fn quorum_of(total: u128, bps: u16) -> u128 {
    let bps = u128::from(bps);
    let (q, r) = (total / 10_000, total % 10_000);
    q * bps + (r * bps).div_ceil(10_000)
}

/// The weight a proposal's quorum needs, once the total weight at its snapshot is final
/// (the snapshot block is indexed) and known.
fn quorum_required(p: &ProposalRow, head: i64) -> Option<u128> {
    total_at_snapshot(p, head).map(|t| quorum_of(t.0, p.quorum_bps))
}

/// The total weight at the proposal's snapshot, final only once the snapshot block is
/// indexed.
fn total_at_snapshot(p: &ProposalRow, head: i64) -> Option<atelier_types::Amount> {
    if head >= p.snapshot {
        p.total_at_snapshot
    } else {
        None
    }
}

/// A proposal's state at block `head`, derived from its indexed events as the governor's
/// `state()` derives it from its storage: the one copy of that rule off chain (every route
/// that shows or filters a state calls it), held against the governor on the runtime by
/// `tests/sandbox/tests/it/states.rs`.
///
/// An optimistic grant that no objection escalated passes when its challenge period ends,
/// whatever the tallies; a succeeded proposal lapses (`Expired`) when it is not queued
/// within its own grace period after voting ends, a queued one when it is not executed
/// within it after its eta. Rows indexed before the governor emitted the grace period have
/// none and never expire here.
#[must_use]
pub fn proposal_state(p: &ProposalRow, head: i64) -> ProposalState {
    let passed = || {
        let (f, a, ab) = (p.for_votes.0, p.against_votes.0, p.abstain_votes.0);
        quorum_required(p, head).is_some_and(|q| f.saturating_add(ab) >= q) && f > a
    };
    let unchallenged = p.optimistic && !p.escalated;
    let queued = p.status == ProposalStatus::Queued;
    match p.status {
        ProposalStatus::Executed => ProposalState::Executed,
        ProposalStatus::Canceled => ProposalState::Canceled,
        _ if head <= p.snapshot => ProposalState::Pending,
        _ if head <= p.vote_end => ProposalState::Active,
        // Only a proposal that passed can have been queued.
        _ if !queued && !unchallenged && !passed() => ProposalState::Defeated,
        _ => {
            let from = if queued { p.eta } else { Some(p.vote_end) };
            let lapsed = from
                .zip(p.grace_period)
                .is_some_and(|(from, grace)| head > from.saturating_add(grace));
            match (lapsed, queued) {
                (true, _) => ProposalState::Expired,
                (false, true) => ProposalState::Queued,
                (false, false) => ProposalState::Succeeded,
            }
        }
    }
}

fn title(description: &str) -> String {
    let line = description
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.trim_start_matches('#')
        .trim()
        .chars()
        .take(200)
        .collect()
}

async fn to_dto(
    state: &AppState,
    p: ProposalRow,
    cx: &Context,
    detail: bool,
) -> ApiResult<ProposalDto> {
    let total = total_at_snapshot(&p, cx.head);
    let required = quorum_required(&p, cx.head);
    let st = proposal_state(&p, cx.head);
    let reached = required.is_some_and(|q| p.for_votes.0.saturating_add(p.abstain_votes.0) >= q);
    let events = if detail {
        Some(
            state
                .store()
                .proposal_timeline(p.id)
                .await?
                .into_iter()
                .map(|e| TimelineEvent {
                    kind: e.kind,
                    block: e.block,
                    event_index: e.event_index,
                })
                .collect(),
        )
    } else {
        None
    };
    let summary = SummaryDto {
        text: p.summary.as_ref().map(|s| s.text.clone()),
        hash: p.summary.as_ref().map(|s| s.hash.clone()),
        model_id: p.summary.as_ref().map(|s| s.model_id.clone()),
        anchored: p.anchored_hash.is_some(),
        matches_anchor: match (&p.summary, &p.anchored_hash) {
            (Some(s), Some(a)) => Some(
                s.hash
                    .trim_start_matches("0x")
                    .eq_ignore_ascii_case(a.trim_start_matches("0x")),
            ),
            _ => None,
        },
        anchored_hash: p.anchored_hash.clone(),
        anchored_model_id: p.anchored_model.clone(),
    };
    Ok(ProposalDto {
        id: p.id,
        proposer: p.proposer,
        state: st,
        title: title(&p.description),
        description_hash: p.description_hash,
        description: detail.then_some(p.description),
        tallies: Tallies {
            for_votes: p.for_votes.to_string(),
            against: p.against_votes.to_string(),
            abstain: p.abstain_votes.to_string(),
        },
        quorum: Quorum {
            bps: i64::from(p.quorum_bps),
            total_weight: total.map(|t| t.to_string()),
            required: required.map(|r| r.to_string()),
            reached,
        },
        timeline: Timeline {
            created: p.block,
            snapshot: p.snapshot,
            vote_end: p.vote_end,
            eta: p.eta,
            events,
        },
        actions: detail.then(|| {
            p.actions
                .into_iter()
                .map(|a| ActionDto {
                    target: a.action.target,
                    selector: a.action.selector,
                    input: a.action.input,
                    value: a.action.value.0.to_string(),
                    code_hash: a.code_hash,
                    call: a.call.map(|c| CallDto {
                        contract: c.contract,
                        message: c.message,
                        args: c.args,
                    }),
                })
                .collect()
        }),
        summary,
        position: Position {
            block: p.block,
            event_index: p.event_index,
        },
    })
}

async fn context(state: &AppState) -> ApiResult<Context> {
    Ok(Context {
        head: head_block(state).await?,
    })
}

/// Store rows scanned at most for one page when the state filter is decided after reading
/// (succeeded, defeated, queued, expired); a page may then hold fewer items than `limit`.
const SCAN_BUDGET: usize = 5_000;

/// Lists proposals in creation order.
#[utoipa::path(get, path = "/proposals", tag = "proposals", params(ListParams),
    responses((status = 200, description = "A page of proposals", body = ProposalPage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<ProposalPage>> {
    const TAG: &str = "proposals";
    let limit = page::limit(q.limit)?;
    let mut after = page::decode_pos(TAG, q.cursor.as_deref())?;
    let proposer = q.proposer.as_deref().map(address).transpose()?;
    let cx = context(&state).await?;
    let (status, phase) = match q.state {
        None => (None, None),
        Some(ProposalState::Executed) => (Some(ProposalStatus::Executed), None),
        Some(ProposalState::Canceled) => (Some(ProposalStatus::Canceled), None),
        Some(ProposalState::Pending) => {
            (Some(ProposalStatus::Created), Some(Phase::BeforeSnapshot))
        }
        Some(ProposalState::Active) => (Some(ProposalStatus::Created), Some(Phase::Voting)),
        Some(ProposalState::Succeeded | ProposalState::Defeated) => {
            (Some(ProposalStatus::Created), Some(Phase::Ended))
        }
        Some(ProposalState::Queued) => (Some(ProposalStatus::Queued), Some(Phase::Ended)),
        // A succeeded proposal never queued lapses too: decided after reading.
        Some(ProposalState::Expired) => (None, Some(Phase::Ended)),
    };
    let limit_n = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut items: Vec<ProposalDto> = Vec::new();
    let mut scanned = 0;
    let mut next = None;
    let (from_block, to_block) = super::block_range(
        &state,
        (q.from_block, q.to_block),
        (q.from_time.as_deref(), q.to_time.as_deref()),
    )
    .await?;
    loop {
        let rows = state
            .store()
            .proposals(&ProposalQuery {
                proposer: proposer.clone(),
                status,
                phase: phase.map(|p| (p, cx.head)),
                from_block,
                to_block,
                after,
                limit: limit + 1,
            })
            .await?;
        let exhausted = rows.len() <= limit_n;
        for row in rows {
            scanned += 1;
            after = Some((row.block, row.event_index));
            let dto = to_dto(&state, row, &cx, false).await?;
            if q.state.is_some_and(|s| s != dto.state) {
                continue;
            }
            if items.len() == limit_n {
                // A further match exists: the page ends at its last item.
                next = items
                    .last()
                    .map(|d| page::encode_pos(TAG, d.position.block, d.position.event_index));
                return Ok(Json(ProposalPage {
                    items,
                    next_cursor: next,
                }));
            }
            items.push(dto);
        }
        if exhausted {
            break;
        }
        if scanned >= SCAN_BUDGET {
            // Hand the scan position back so that the client continues from there.
            next = after.map(|(b, i)| page::encode_pos(TAG, b, i));
            break;
        }
    }
    Ok(Json(ProposalPage {
        items,
        next_cursor: next,
    }))
}

/// One proposal with its description, actions and lifecycle events.
#[utoipa::path(get, path = "/proposals/{id}", tag = "proposals",
    params(("id" = u32, Path, description = "Proposal id")),
    responses((status = 200, description = "The proposal", body = ProposalDto),
              (status = 404, description = "No such proposal", body = crate::error::ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u32>,
) -> ApiResult<Json<ProposalDto>> {
    let row = state
        .store()
        .proposal(i64::from(id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("proposal {id}")))?;
    let cx = context(&state).await?;
    Ok(Json(to_dto(&state, row, &cx, true).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every state of the governor is an API state of the same name (the API serves them
    /// in snake_case), and no two share one.
    #[test]
    fn every_governor_state_is_served_under_its_own_name() {
        let mut served = std::collections::BTreeSet::new();
        for g in atelier_abi::governor::ProposalState::ALL {
            let api = ProposalState::from(*g);
            let json = serde_json::to_value(api).unwrap();
            assert_eq!(json, g.as_str().to_lowercase(), "{g}");
            assert!(served.insert(json.to_string()), "{g} shares a name");
        }
    }

    #[test]
    fn quorum_rounds_up_without_overflow() {
        assert_eq!(quorum_of(100, 400), 4);
        assert_eq!(quorum_of(101, 400), 5);
        assert_eq!(quorum_of(0, 400), 0);
        assert_eq!(quorum_of(u128::MAX, 10_000), u128::MAX);
    }

    #[test]
    fn titles_come_from_the_first_line() {
        assert_eq!(
            title("\n# Fund the GPU cluster\n\nBody"),
            "Fund the GPU cluster"
        );
        assert_eq!(title(""), "");
    }
}
