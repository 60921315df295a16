//! `/contributions` and `/members/{address}/contributions`: contributions with their
//! attestations, in recording order.

use atelier_store::read::{ContributionQuery, ContributionRow};
use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    error::ApiResult,
    extract::{address, ApiQuery},
    page, AppState,
};

pub(crate) const TAG: &str = "contributions";

/// The contribution routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/contributions", get(list))
}

/// Lifecycle of a contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionStatus {
    /// Recorded, waiting for attestations.
    Pending,
    /// Attested; its weight counts.
    Active,
    /// Revoked by governance.
    Revoked,
    /// Past its expiry.
    Expired,
}

// The store's status and the API's are the same four (exhaustive both ways): the API's
// carries the schema and the query-string name.
impl From<ContributionStatus> for atelier_store::ContributionStatus {
    fn from(s: ContributionStatus) -> Self {
        match s {
            ContributionStatus::Pending => Self::Pending,
            ContributionStatus::Active => Self::Active,
            ContributionStatus::Revoked => Self::Revoked,
            ContributionStatus::Expired => Self::Expired,
        }
    }
}

impl From<atelier_store::ContributionStatus> for ContributionStatus {
    fn from(s: atelier_store::ContributionStatus) -> Self {
        use atelier_store::ContributionStatus as S;
        match s {
            S::Pending => Self::Pending,
            S::Active => Self::Active,
            S::Revoked => Self::Revoked,
            S::Expired => Self::Expired,
        }
    }
}

/// An attestation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttestationDto {
    /// Attestor, H160 hex.
    pub attestor: String,
    /// Block attested.
    pub block: i64,
}

/// A contribution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContributionDto {
    /// Id, in recording order.
    pub id: i64,
    /// Contributor, H160 hex.
    pub contributor: String,
    /// Category id (datasets, models, documentation, curation, ...).
    pub category: i64,
    /// Evidence hash.
    pub evidence: String,
    /// Lifecycle status.
    pub status: ContributionStatus,
    /// Weight granted at activation, decimal.
    pub weight: String,
    /// Block it expires at, once active.
    pub expires_at: Option<i64>,
    /// Block recorded.
    pub recorded_at: i64,
    /// Attestations, in order.
    pub attestations: Vec<AttestationDto>,
}

page::page_type!(ContributionPage, ContributionDto, "contributions");

impl From<ContributionRow> for ContributionDto {
    fn from(c: ContributionRow) -> Self {
        Self {
            id: c.id,
            contributor: c.contributor,
            category: c.category,
            evidence: c.evidence,
            status: c.status.into(),
            weight: c.weight.to_string(),
            expires_at: c.expires_at,
            recorded_at: c.recorded_at,
            attestations: c
                .attestors
                .into_iter()
                .map(|(attestor, block)| AttestationDto { attestor, block })
                .collect(),
        }
    }
}

/// Filters of `/contributions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this category.
    pub category: Option<u32>,
    /// Only contributions in this status.
    pub status: Option<ContributionStatus>,
    /// Only this contributor's (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub contributor: Option<String>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A page of contributions matching `q`.
pub(crate) async fn page_of(
    state: &AppState,
    contributor: Option<String>,
    category: Option<u32>,
    status: Option<ContributionStatus>,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<ContributionPage> {
    let limit = page::limit(limit)?;
    let rows = state
        .store()
        .contributions(&ContributionQuery {
            contributor,
            category: category.map(i64::from),
            status: status.map(Into::into),
            after: page::decode_id(TAG, cursor)?,
            limit: limit + 1,
        })
        .await?;
    let (rows, next_cursor) = page::split(rows, limit, |c| page::encode(TAG, &[c.id.to_string()]));
    Ok(ContributionPage {
        items: rows.into_iter().map(ContributionDto::from).collect(),
        next_cursor,
    })
}

/// Lists contributions in recording order.
#[utoipa::path(get, path = "/contributions", tag = "contributions", params(ListParams),
    responses((status = 200, description = "A page of contributions", body = ContributionPage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<ContributionPage>> {
    let contributor = q.contributor.as_deref().map(address).transpose()?;
    Ok(Json(
        page_of(
            &state,
            contributor,
            q.category,
            q.status,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}
