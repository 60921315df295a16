//! `/royalties`: royalty payments routed to creators and the two funds, running totals per
//! work, per creator and for the router, and the router's current split.

use atelier_store::read::{RoyaltyQuery, RoyaltyRow, RoyaltyTotals};
use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Position;
use crate::{
    error::{ApiError, ApiResult},
    extract::{address, ApiQuery},
    page, AppState,
};

/// The royalty routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/royalties", get(list))
        .route("/royalties/totals", get(totals))
        .route("/royalties/split", get(split))
}

/// A royalty routed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoyaltyDto {
    /// Router, H160 hex.
    pub router: String,
    /// Work paid for.
    pub work_id: i64,
    /// Its creator, H160 hex.
    pub creator: String,
    /// Who paid, H160 hex.
    pub payer: String,
    /// Royalty, decimal.
    pub amount: String,
    /// Creator's part (withdrawn later), decimal.
    pub to_creator: String,
    /// Compute Fund's part, decimal.
    pub to_compute: String,
    /// Community Reserve's part, decimal.
    pub to_reserve: String,
    /// Where it happened.
    pub position: Position,
}

impl From<RoyaltyRow> for RoyaltyDto {
    fn from(r: RoyaltyRow) -> Self {
        Self {
            router: r.router,
            work_id: r.work_id,
            creator: r.creator,
            payer: r.payer,
            amount: r.amount.to_string(),
            to_creator: r.to_creator.to_string(),
            to_compute: r.to_compute.to_string(),
            to_reserve: r.to_reserve.to_string(),
            position: Position {
                block: r.block,
                event_index: r.event_index,
            },
        }
    }
}

page::page_type!(RoyaltyPage, RoyaltyDto, "royalty payments");

/// Filters of `/royalties`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only for this work.
    pub work: Option<u64>,
    /// Only to this creator (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub creator: Option<String>,
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

/// Lists royalty payments in chain order, by work and/or creator.
#[utoipa::path(get, path = "/royalties", tag = "royalties", params(ListParams),
    responses((status = 200, description = "A page of royalty payments", body = RoyaltyPage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<RoyaltyPage>> {
    const TAG: &str = "royalties";
    let limit = page::limit(q.limit)?;
    let (from_block, to_block) = super::block_range(
        &state,
        (q.from_block, q.to_block),
        (q.from_time.as_deref(), q.to_time.as_deref()),
    )
    .await?;
    let query = RoyaltyQuery {
        work_id: q
            .work
            .map(|w| {
                i64::try_from(w)
                    .map_err(|_| ApiError::BadRequest(format!("work {w} is out of range")))
            })
            .transpose()?,
        creator: q.creator.as_deref().map(address).transpose()?,
        from_block,
        to_block,
        after: page::decode_pos(TAG, q.cursor.as_deref())?,
        limit: limit + 1,
    };
    let rows = state.store().royalties(&query).await?;
    let (rows, next_cursor) = page::split(rows, limit, |r| {
        page::encode_pos(TAG, r.block, r.event_index)
    });
    Ok(Json(RoyaltyPage {
        items: rows.into_iter().map(RoyaltyDto::from).collect(),
        next_cursor,
    }))
}

/// What royalty totals are kept per.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Per work (key: work id).
    Work,
    /// Per creator (key: H160 hex).
    Creator,
    /// For the router (key: H160 hex).
    Router,
}

/// Royalty totals of one work, creator or router.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsDto {
    /// `work`, `creator` or `router`.
    pub scope: String,
    /// Work id, or creator / router address.
    pub key: String,
    /// Royalties routed.
    pub payments: i64,
    /// Their sum, decimal.
    pub amount: String,
    /// To creators, decimal.
    pub to_creator: String,
    /// To the Compute Fund, decimal.
    pub to_compute: String,
    /// To the Community Reserve, decimal.
    pub to_reserve: String,
    /// Withdrawn by the creator (creator scope), decimal.
    pub withdrawn: String,
}

impl From<RoyaltyTotals> for TotalsDto {
    fn from(t: RoyaltyTotals) -> Self {
        Self {
            scope: t.scope,
            key: t.key,
            payments: t.payments,
            amount: t.amount.to_string(),
            to_creator: t.to_creator.to_string(),
            to_compute: t.to_compute.to_string(),
            to_reserve: t.to_reserve.to_string(),
            withdrawn: t.withdrawn.to_string(),
        }
    }
}

page::page_type!(TotalsPage, TotalsDto, "royalty totals");

/// Parameters of `/royalties/totals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TotalsParams {
    /// Totals per work, per creator or for the router.
    pub scope: Scope,
    /// Only this work id / address.
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[0-9]{1,19})$")]
    pub key: Option<String>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Running royalty totals per work, per creator or for the router, by key.
#[utoipa::path(get, path = "/royalties/totals", tag = "royalties", params(TotalsParams),
    responses((status = 200, description = "A page of totals", body = TotalsPage)))]
pub(crate) async fn totals(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TotalsParams>,
) -> ApiResult<Json<TotalsPage>> {
    const TAG: &str = "royalty-totals";
    let limit = page::limit(q.limit)?;
    let (scope, key) = match (q.scope, q.key.as_deref()) {
        (Scope::Work, Some(k)) => (
            "work",
            Some(
                k.parse::<i64>()
                    .map_err(|_| ApiError::BadRequest(format!("`{k}` is not a work id")))?
                    .to_string(),
            ),
        ),
        (Scope::Work, None) => ("work", None),
        (Scope::Creator, k) => ("creator", k.map(address).transpose()?),
        (Scope::Router, k) => ("router", k.map(address).transpose()?),
    };
    let after = page::decode_text(TAG, q.cursor.as_deref())?;
    let rows = state
        .store()
        .royalty_totals(scope, key.as_deref(), after.as_deref(), limit + 1)
        .await?;
    let (rows, next_cursor) = page::split(rows, limit, |t| {
        page::encode(TAG, std::slice::from_ref(&t.key))
    });
    Ok(Json(TotalsPage {
        items: rows.into_iter().map(TotalsDto::from).collect(),
        next_cursor,
    }))
}

/// The router's split between the two funds.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitDto {
    /// Router, H160 hex.
    pub router: String,
    /// Compute Fund share, basis points.
    pub compute_bps: i64,
    /// Community Reserve share, basis points (it also gets rounding remainders).
    pub reserve_bps: i64,
    /// Frozen for good by governance.
    pub frozen: bool,
}

/// The router's current split.
#[utoipa::path(get, path = "/royalties/split", tag = "royalties",
    responses((status = 200, description = "The split", body = SplitDto),
              (status = 404, description = "No router indexed yet", body = crate::error::ErrorBody)))]
pub(crate) async fn split(State(state): State<AppState>) -> ApiResult<Json<SplitDto>> {
    let (router, compute_bps, reserve_bps, frozen) = state
        .store()
        .router_split()
        .await?
        .ok_or_else(|| ApiError::NotFound("royalty router (nothing indexed yet)".into()))?;
    Ok(Json(SplitDto {
        router,
        compute_bps,
        reserve_bps,
        frozen,
    }))
}
