//! `/assets`: the provenance registry's datasets and models, with their rights holders,
//! each holder's consent, and the open dispute of a registration that someone says is not
//! its holders' (audit M-2 of #16: while a dispute is open nothing is paid for the asset's
//! use).

use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Position;
use crate::{
    error::{ApiError, ApiResult},
    extract::{address, ApiPath, ApiQuery},
    page, AppState,
};
use atelier_store::read::{AssetQuery, AssetRow};

const TAG: &str = "assets";

/// The asset routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets", get(list))
        .route("/assets/{id}", get(one))
}

/// An open dispute of a registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeDto {
    /// Who disputes it, H160 hex.
    pub claimant: String,
    /// Hash of the claimant's evidence, 0x-hex.
    pub evidence: Option<String>,
}

/// A holder's consent, as last changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDto {
    /// The holder, H160 hex.
    pub holder: String,
    /// Whether it consents now.
    pub granted: bool,
    /// Block of its last change.
    pub block: i64,
}

/// A registered dataset or model.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetDto {
    /// Asset id.
    pub id: i64,
    /// `Dataset` or `Model`.
    pub kind: String,
    /// Content hash, 0x-hex.
    pub content_hash: String,
    /// License code.
    pub license: i64,
    /// Who registered it (one of its holders), H160 hex.
    pub registrant: String,
    /// Rights holders, H160 hex.
    pub holders: Vec<String>,
    /// How many holders consent now.
    pub consenting: i64,
    /// The open dispute, if any: while it is open, the asset's consent is suspended.
    pub dispute: Option<DisputeDto>,
    /// Where it was registered.
    pub position: Position,
    /// Each holder's consent as last changed (only on `/assets/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consents: Option<Vec<ConsentDto>>,
}

impl From<AssetRow> for AssetDto {
    fn from(a: AssetRow) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            content_hash: a.content_hash,
            license: a.license,
            registrant: a.registrant,
            holders: a.holders,
            consenting: a.consenting,
            dispute: a.disputed_by.map(|claimant| DisputeDto {
                claimant,
                evidence: a.dispute_evidence,
            }),
            position: Position {
                block: a.block,
                event_index: a.event_index,
            },
            consents: None,
        }
    }
}

page::page_type!(AssetPage, AssetDto, "assets");

/// Parameters of `/assets`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetParams {
    /// Only assets this account holds rights in (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub holder: Option<String>,
    /// Only disputed (`true`) or undisputed (`false`) registrations.
    pub disputed: Option<bool>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Registered assets by id.
#[utoipa::path(get, path = "/assets", tag = "assets", params(AssetParams),
    responses((status = 200, description = "A page of assets", body = AssetPage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AssetParams>,
) -> ApiResult<Json<AssetPage>> {
    let limit = page::limit(q.limit)?;
    let query = AssetQuery {
        holder: q.holder.as_deref().map(address).transpose()?,
        disputed: q.disputed,
        after: page::decode_id(TAG, q.cursor.as_deref())?,
        limit: limit + 1,
    };
    let rows = state.store().assets(&query).await?;
    let (rows, next_cursor) = page::split(rows, limit, |a| page::encode(TAG, &[a.id.to_string()]));
    Ok(Json(AssetPage {
        items: rows.into_iter().map(AssetDto::from).collect(),
        next_cursor,
    }))
}

/// One asset with each holder's consent.
#[utoipa::path(get, path = "/assets/{id}", tag = "assets",
    params(("id" = u32, Path, description = "Asset id")),
    responses((status = 200, description = "The asset", body = AssetDto),
              (status = 404, description = "No such asset", body = crate::error::ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u32>,
) -> ApiResult<Json<AssetDto>> {
    let id = i64::from(id);
    let store = state.store();
    let row = store
        .asset(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("asset {id}")))?;
    let consents = store
        .consents(id)
        .await?
        .into_iter()
        .map(|c| ConsentDto {
            holder: c.holder,
            granted: c.granted,
            block: c.block,
        })
        .collect();
    Ok(Json(AssetDto {
        consents: Some(consents),
        ..AssetDto::from(row)
    }))
}
