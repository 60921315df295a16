//! `/members`: members with their weight now and at a block, their contributions and
//! delegations.

use atelier_store::read::MemberRow;
use atelier_types::account;
use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{contributions, head_block, Position};
use crate::{
    error::{ApiError, ApiResult},
    extract::{address, ApiPath, ApiQuery},
    page, AppState,
};

/// The member routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/members", get(list))
        .route("/members/{address}", get(one))
        .route("/members/{address}/contributions", get(contributions_of))
        .route("/members/{address}/delegations", get(delegations_of))
        .route("/members/{address}/attestations", get(attestations_of))
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// Address, H160 hex.
    pub address: String,
    /// The Substrate account behind the address, as its wallet shows it (SS58, generic
    /// prefix 42), once the indexer recorded it.
    pub ss58: Option<String>,
    /// The same account id, 0x-hex.
    pub account_id: Option<String>,
    /// Weight from the member's own active contributions at the indexed head, decimal
    /// (contributions past their expiry block no longer count, marked expired or not).
    pub own_weight: String,
    /// Voting weight at the indexed head: own weight unless delegated away, plus weight
    /// delegated to it.
    pub votes: String,
    /// The account it delegates to, if any.
    pub delegate: Option<String>,
    /// Block of the last change.
    pub updated_at: i64,
    /// Voting weight at `at_block`, when asked (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<WeightAt>,
}

/// Voting weight at a block.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeightAt {
    /// The block.
    pub block: i64,
    /// The member's voting weight there, decimal.
    pub votes: String,
    /// The total weight there, decimal.
    pub total: String,
}

page::page_type!(MemberPage, MemberDto, "members");

impl MemberDto {
    /// The member as of the indexed head `head`.
    fn at_head(m: MemberRow, head: i64) -> ApiResult<Self> {
        let (own, votes) = m.at(head)?;
        let ss58 = m.account_id.as_deref().and_then(ss58_of);
        Ok(Self {
            address: m.address,
            ss58,
            account_id: m.account_id,
            own_weight: own.to_string(),
            votes: votes.to_string(),
            delegate: m.delegate,
            updated_at: m.updated_at,
            at: None,
        })
    }
}

/// The SS58 text of a 0x-hex account id (the store writes only well-formed ones).
fn ss58_of(account_id: &str) -> Option<String> {
    let bytes: [u8; 32] = hex::decode(account_id.trim_start_matches("0x"))
        .ok()?
        .try_into()
        .ok()?;
    Some(account::ss58_encode(&bytes, account::SS58_PREFIX))
}

/// A change of delegation.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationDto {
    /// The account delegating.
    pub delegator: String,
    /// Its previous delegate.
    pub from_delegate: String,
    /// Its new delegate (itself when undelegating).
    pub to_delegate: String,
    /// Weight moved, decimal.
    pub weight: String,
    /// Where it happened.
    pub position: Position,
}

page::page_type!(DelegationPage, DelegationDto, "delegation changes");

/// Paging parameters.
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

/// Parameters of `/members/{address}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberParams {
    /// Also report the voting weight at this block (at most the indexer head).
    #[param(minimum = 0)]
    pub at_block: Option<u32>,
}

/// Paging and filters of a member's contributions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContributionParams {
    /// Only this category.
    pub category: Option<u32>,
    /// Only contributions in this status.
    pub status: Option<contributions::ContributionStatus>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Lists members by address.
#[utoipa::path(get, path = "/members", tag = "members", params(PageParams),
    responses((status = 200, description = "A page of members", body = MemberPage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<MemberPage>> {
    const TAG: &str = "members";
    let limit = page::limit(q.limit)?;
    let after = page::decode_text(TAG, q.cursor.as_deref())?;
    let rows = state.store().members(after.as_deref(), limit + 1).await?;
    let (rows, next_cursor) = page::split(rows, limit, |m| {
        page::encode(TAG, std::slice::from_ref(&m.address))
    });
    let head = head_block(&state).await?;
    Ok(Json(MemberPage {
        items: rows
            .into_iter()
            .map(|m| MemberDto::at_head(m, head))
            .collect::<ApiResult<_>>()?,
        next_cursor,
    }))
}

pub(crate) async fn existing(state: &AppState, raw: &str) -> ApiResult<MemberRow> {
    let a = address(raw)?;
    state
        .store()
        .member(&a)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("member {a}")))
}

/// One member, with its voting weight at `at_block` when asked.
#[utoipa::path(get, path = "/members/{address}", tag = "members",
    params(("address" = String, Path, description = "H160 hex, or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"), MemberParams),
    responses((status = 200, description = "The member", body = MemberDto),
              (status = 404, description = "No such member", body = crate::error::ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<MemberParams>,
) -> ApiResult<Json<MemberDto>> {
    let m = existing(&state, &raw).await?;
    let head = head_block(&state).await?;
    let at = match q.at_block.map(i64::from) {
        None => None,
        Some(block) => {
            if block > head {
                return Err(ApiError::NotIndexed {
                    requested: block,
                    head,
                });
            }
            let store = state.store();
            Some(WeightAt {
                block,
                votes: store
                    .weight_at(&m.address, block)
                    .await?
                    // No checkpoint by then: no weight yet.
                    .unwrap_or_default()
                    .to_string(),
                total: store
                    .total_weight_at(block)
                    .await?
                    .unwrap_or_default()
                    .to_string(),
            })
        }
    };
    Ok(Json(MemberDto {
        at,
        ..MemberDto::at_head(m, head)?
    }))
}

/// A member's contributions in recording order.
#[utoipa::path(get, path = "/members/{address}/contributions", tag = "members",
    params(("address" = String, Path, description = "H160 hex, or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"), ContributionParams),
    responses((status = 200, description = "A page of contributions", body = contributions::ContributionPage),
              (status = 404, description = "No such member", body = crate::error::ErrorBody)))]
pub(crate) async fn contributions_of(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<ContributionParams>,
) -> ApiResult<Json<contributions::ContributionPage>> {
    let m = existing(&state, &raw).await?;
    Ok(Json(
        contributions::page_of(
            &state,
            Some(m.address),
            q.category,
            q.status,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// The delegation changes a member made or received, in chain order.
#[utoipa::path(get, path = "/members/{address}/delegations", tag = "members",
    params(("address" = String, Path, description = "H160 hex, or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"), PageParams),
    responses((status = 200, description = "A page of delegation changes", body = DelegationPage),
              (status = 404, description = "No such member", body = crate::error::ErrorBody)))]
pub(crate) async fn delegations_of(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<DelegationPage>> {
    const TAG: &str = "delegations";
    let m = existing(&state, &raw).await?;
    let limit = page::limit(q.limit)?;
    let after = page::decode_pos(TAG, q.cursor.as_deref())?;
    let rows = state
        .store()
        .delegations(&m.address, after, limit + 1)
        .await?;
    let (rows, next_cursor) = page::split(rows, limit, |d| {
        page::encode_pos(TAG, d.block, d.event_index)
    });
    Ok(Json(DelegationPage {
        items: rows
            .into_iter()
            .map(|d| DelegationDto {
                delegator: d.delegator,
                from_delegate: d.from_delegate,
                to_delegate: d.to_delegate,
                weight: d.weight.to_string(),
                position: Position {
                    block: d.block,
                    event_index: d.event_index,
                },
            })
            .collect(),
        next_cursor,
    }))
}

/// An attestation a member made.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttestationMade {
    /// The contribution attested.
    pub contribution_id: i64,
    /// Block attested.
    pub block: i64,
}

page::page_type!(AttestationPage, AttestationMade, "attestations");

/// The attestations a member made, in chain order.
#[utoipa::path(get, path = "/members/{address}/attestations", tag = "members",
    params(("address" = String, Path, description = "H160 hex, or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"), PageParams),
    responses((status = 200, description = "A page of attestations", body = AttestationPage),
              (status = 404, description = "No such member", body = crate::error::ErrorBody)))]
pub(crate) async fn attestations_of(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<AttestationPage>> {
    const TAG: &str = "attestations";
    let m = existing(&state, &raw).await?;
    let limit = page::limit(q.limit)?;
    let after = page::decode_pos(TAG, q.cursor.as_deref())?;
    let rows = state
        .store()
        .attestations_by(&m.address, after, limit + 1)
        .await?;
    let (rows, next_cursor) = page::split(rows, limit, |(id, block)| {
        page::encode_pos(TAG, *block, *id)
    });
    Ok(Json(AttestationPage {
        items: rows
            .into_iter()
            .map(|(contribution_id, block)| AttestationMade {
                contribution_id,
                block,
            })
            .collect(),
        next_cursor,
    }))
}
