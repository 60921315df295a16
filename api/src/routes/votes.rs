//! `/votes` and `/proposals/{id}/votes`: votes in chain order, with reasons and relayers.

use atelier_store::read::{VoteQuery, VoteRow};
use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Position;
use crate::{
    error::{ApiError, ApiResult},
    extract::{address, ApiPath, ApiQuery},
    page, AppState,
};

const TAG: &str = "votes";

/// The vote routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/votes", get(list))
        .route("/proposals/{id}/votes", get(of_proposal))
}

/// A vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteDto {
    /// Proposal id.
    pub proposal_id: i64,
    /// Voter, H160 hex.
    pub voter: String,
    /// `For`, `Against` or `Abstain`.
    pub support: String,
    /// Weight counted (the voter's weight at the snapshot), decimal.
    pub weight: String,
    /// The voter's reason.
    pub reason: Option<String>,
    /// Account that relayed the signed ballot, when it was relayed.
    pub relayer: Option<String>,
    /// Where it was cast.
    pub position: Position,
}

page::page_type!(VotePage, VoteDto, "votes");

impl From<VoteRow> for VoteDto {
    fn from(v: VoteRow) -> Self {
        Self {
            proposal_id: v.proposal_id,
            voter: v.voter,
            support: v.support.as_str().to_owned(),
            weight: v.weight.to_string(),
            reason: v.reason,
            relayer: v.relayer,
            position: Position {
                block: v.block,
                event_index: v.event_index,
            },
        }
    }
}

/// Filters of `/votes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this voter's (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub voter: Option<String>,
    /// Only on this proposal.
    pub proposal: Option<u32>,
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

/// Paging of a proposal's votes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

async fn page_of(state: &AppState, mut q: VoteQuery) -> ApiResult<VotePage> {
    let limit = q.limit;
    q.limit += 1;
    let rows = state.store().votes(&q).await?;
    let (rows, next_cursor) = page::split(rows, limit, |v| {
        page::encode_pos(TAG, v.block, v.event_index)
    });
    Ok(VotePage {
        items: rows.into_iter().map(VoteDto::from).collect(),
        next_cursor,
    })
}

/// Lists votes in chain order, by voter and/or proposal.
#[utoipa::path(get, path = "/votes", tag = "votes", params(ListParams),
    responses((status = 200, description = "A page of votes", body = VotePage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<VotePage>> {
    let (from_block, to_block) = super::block_range(
        &state,
        (q.from_block, q.to_block),
        (q.from_time.as_deref(), q.to_time.as_deref()),
    )
    .await?;
    let query = VoteQuery {
        proposal_id: q.proposal.map(i64::from),
        voter: q.voter.as_deref().map(address).transpose()?,
        from_block,
        to_block,
        after: page::decode_pos(TAG, q.cursor.as_deref())?,
        limit: page::limit(q.limit)?,
    };
    Ok(Json(page_of(&state, query).await?))
}

/// Lists a proposal's votes in chain order.
#[utoipa::path(get, path = "/proposals/{id}/votes", tag = "votes",
    params(("id" = u32, Path, description = "Proposal id"), PageParams),
    responses((status = 200, description = "A page of votes", body = VotePage),
              (status = 404, description = "No such proposal", body = crate::error::ErrorBody)))]
pub(crate) async fn of_proposal(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u32>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<VotePage>> {
    let query = VoteQuery {
        proposal_id: Some(i64::from(id)),
        voter: None,
        from_block: None,
        to_block: None,
        after: page::decode_pos(TAG, q.cursor.as_deref())?,
        limit: page::limit(q.limit)?,
    };
    if state.store().proposal(i64::from(id)).await?.is_none() {
        return Err(ApiError::NotFound(format!("proposal {id}")));
    }
    Ok(Json(page_of(&state, query).await?))
}
